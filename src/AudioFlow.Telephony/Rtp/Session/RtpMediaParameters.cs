using System.Net;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Sip.Sdp;

namespace AudioFlow.Telephony.Rtp.Session;

/// <summary>
/// What offer/answer decided for one RTP session: the codec and its payload type, telephone-event, where the peer
/// receives, and which directions flow. An <see cref="RtpSession"/> is configured with one and can be re-configured
/// (re-INVITE: hold, resume, new address, new payload type of the same codec).
/// </summary>
public sealed record RtpMediaParameters
{
    /// <summary>The audio format of the call (the transport passes its payload bytes through).</summary>
    public required MediaFormat Format { get; init; }

    /// <summary>The RTP description of <see cref="Format"/> on the negotiated payload type.</summary>
    public required RtpPayloadFormat RtpFormat { get; init; }

    /// <summary>The negotiated telephone-event payload type, or null (then DTMF is detected in-band).</summary>
    public int? TelephoneEventPayloadType { get; init; }

    /// <summary>Where the peer said it receives RTP (replaced by the latched source once its packets arrive).</summary>
    public required IPEndPoint RemoteRtp { get; init; }

    /// <summary>Where the peer receives RTCP; null when unknown.</summary>
    public IPEndPoint? RemoteRtcp { get; init; }

    /// <summary>RTCP is multiplexed on the RTP port (RFC 5761).</summary>
    public bool RtcpMux { get; init; }

    /// <summary>We send RTP (false while the peer holds the call, or towards 0.0.0.0).</summary>
    public bool Send { get; init; } = true;

    /// <summary>We expect RTP (false when the stream is inactive or sendonly on our side).</summary>
    public bool Receive { get; init; } = true;

    /// <summary>The peer put the call on hold: the media timeout is suspended.</summary>
    public bool OnHold { get; init; }

    /// <summary>The parameters an accepted SDP answer describes.</summary>
    public static RtpMediaParameters From(SdpAnswerResult answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return new RtpMediaParameters
        {
            Format = answer.Format,
            RtpFormat = answer.RtpFormat,
            TelephoneEventPayloadType = answer.TelephoneEventPayloadType,
            RemoteRtp = answer.RemoteRtp,
            RemoteRtcp = answer.RemoteRtcp,
            RtcpMux = answer.RtcpMux,
            Send = answer.ShouldSend,
            Receive = answer.ShouldReceive,
            OnHold = answer.IsOnHold,
        };
    }

    public override string ToString() =>
        $"{Format} PT {RtpFormat.PayloadType}" + (TelephoneEventPayloadType is { } te ? $" + telephone-event PT {te}" : " (in-band DTMF)") +
        $" → {RemoteRtp}" + (Send ? "" : " (not sending)") + (Receive ? "" : " (not receiving)") + (OnHold ? " on hold" : "");
}

/// <summary>
/// What an <see cref="RtpSession"/> tells its owner. <see cref="OnMedia"/> and <see cref="OnDigit"/> are called on the
/// media clock's thread while the session holds its lock: they must not block and must not call back into the
/// session. <see cref="OnMediaTimeout"/>, <see cref="OnRemoteBye"/> and <see cref="OnProblem"/> are called from the thread
/// pool, outside the lock.
/// </summary>
public interface IRtpSessionEvents
{
    /// <summary>One 20 ms frame of caller audio in the call's format (codec silence when nothing playable arrived).</summary>
    void OnMedia(ReadOnlyMemory<byte> payload);

    /// <summary>A DTMF key press, once per press. <paramref name="source"/>: "rfc4733" or "inband".</summary>
    void OnDigit(char digit, string source);

    /// <summary>Every agent frame queued before the mark named <paramref name="name"/> has been sent (or dropped while not sending).</summary>
    void OnMarkReached(string name);

    /// <summary>No RTP arrived for <paramref name="silentFor"/> while RTP was expected (reported once).</summary>
    void OnMediaTimeout(TimeSpan silentFor);

    /// <summary>The peer sent an RTCP BYE for the source we were receiving, and no new source followed.</summary>
    void OnRemoteBye(string? reason);

    /// <summary>A problem the session survived (malformed packets in bulk, the peer changed address...).</summary>
    void OnProblem(string kind, string detail);
}
