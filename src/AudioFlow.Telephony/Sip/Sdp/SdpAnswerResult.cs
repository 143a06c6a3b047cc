using System.Diagnostics.CodeAnalysis;
using System.Net;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Rtp;

namespace AudioFlow.Telephony.Sip.Sdp;

/// <summary>An accepted offer: the answer SDP to send and the media parameters to run the call with.</summary>
public sealed class SdpAnswerResult
{
    /// <summary>The answer SDP (same m-lines as the offer, in order; all but the chosen audio stream at port 0).</summary>
    public required SdpSession Answer { get; init; }

    /// <summary>Index of the audio m-line in use, in both offer and answer.</summary>
    public required int MediaIndex { get; init; }

    /// <summary>The codec chosen.</summary>
    public required MediaFormat Format { get; init; }

    /// <summary>Its payload type, as the offer numbered it.</summary>
    public required int PayloadType { get; init; }

    /// <summary>The codec's RTP clock rate (8000 for PCMU, PCMA and G.722).</summary>
    public required int ClockRate { get; init; }

    /// <summary>The RTP-layer description of <see cref="Format"/> on <see cref="PayloadType"/>.</summary>
    public RtpPayloadFormat RtpFormat => SdpAudioFormats.ToRtpPayloadFormat(Format, PayloadType);

    /// <summary>telephone-event payload type (the offer's number), or null when none at the codec's clock rate was offered.</summary>
    public required int? TelephoneEventPayloadType { get; init; }

    /// <summary>telephone-event clock rate (equals <see cref="ClockRate"/>), or null.</summary>
    public required int? TelephoneEventClockRate { get; init; }

    /// <summary>The offer's telephone-event fmtp (e.g. "0-16"), echoed in the answer; null when absent (events 0-15).</summary>
    public required string? TelephoneEventEvents { get; init; }

    /// <summary>Where to send RTP (media-level c= else session c=, m= port). 0.0.0.0/:: when the offer used RFC 2543 hold.</summary>
    public required IPEndPoint RemoteRtp { get; init; }

    /// <summary>Where to send RTCP: <see cref="RemoteRtp"/> when muxed, a=rtcp when given, else RTP port + 1; null if none fits.</summary>
    public required IPEndPoint? RemoteRtcp { get; init; }

    /// <summary>RTP and RTCP share one port (a=rtcp-mux offered and accepted).</summary>
    public required bool RtcpMux { get; init; }

    /// <summary>Our address as written in the answer's c=.</summary>
    public required IPAddress LocalAddress { get; init; }

    public required int LocalRtpPort { get; init; }

    /// <summary>Our RTCP port, or null when muxed.</summary>
    public required int? LocalRtcpPort { get; init; }

    /// <summary>Packet duration to send, ms: the offer's a=ptime, else ours (20) capped by a=maxptime.</summary>
    public required int Ptime { get; init; }

    /// <summary>The direction of the offered stream (media, else session, else sendrecv).</summary>
    public required SdpDirection OfferDirection { get; init; }

    /// <summary>The direction written in the answer (RFC 3264 §6.1).</summary>
    public required SdpDirection Direction { get; init; }

    /// <summary>The remote party put the call on hold: offer sendonly or inactive, or connection address 0.0.0.0/::.</summary>
    public required bool IsOnHold { get; init; }

    /// <summary>We should send RTP: the answer's direction allows it (never towards 0.0.0.0).</summary>
    public bool ShouldSend => Direction.Sends();

    /// <summary>We should expect RTP.</summary>
    public bool ShouldReceive => Direction.Receives();

    public override string ToString() =>
        $"{Format} PT {PayloadType}" + (TelephoneEventPayloadType is { } te ? $" + telephone-event PT {te}" : "") +
        $" → {RemoteRtp} {Direction.ToAttributeName()}" + (IsOnHold ? " (on hold)" : "") + $" ptime {Ptime}";
}

/// <summary>Why an offer was not acceptable.</summary>
public enum SdpRejectionReason
{
    /// <summary>No audio stream with a non-zero port (Warning 304).</summary>
    NoAudioStream,

    /// <summary>Audio offered only on transports we cannot do: RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, TCP... (Warning 302).</summary>
    UnsupportedTransport,

    /// <summary>No codec in common (Warning 305).</summary>
    NoCommonCodec,

    /// <summary>The connection address is missing, not an IP literal, multicast, or of a family we have no address in (Warning 301).</summary>
    IncompatibleAddress,
}

/// <summary>A refused offer: answer the INVITE with <see cref="StatusCode"/> and a Warning header (RFC 3261 §20.43).</summary>
public sealed record SdpRejection(SdpRejectionReason Reason, string Detail)
{
    /// <summary>488 Not Acceptable Here (RFC 3261 §21.4.26).</summary>
    public int StatusCode => 488;

    /// <summary>RFC 3261 §20.43 warning code.</summary>
    public int WarningCode => Reason switch
    {
        SdpRejectionReason.IncompatibleAddress => 301,
        SdpRejectionReason.UnsupportedTransport => 302,
        SdpRejectionReason.NoAudioStream => 304,
        _ => 305,
    };

    /// <summary>Warning text: the RFC's phrase for the code.</summary>
    public string WarningText => WarningCode switch
    {
        301 => "Incompatible network address formats",
        302 => "Incompatible transport protocol",
        304 => "Media type not available",
        _ => "Incompatible media format",
    };

    public override string ToString() => $"{StatusCode} ({WarningCode} {WarningText}): {Detail}";
}

/// <summary>The outcome of answering an offer: an <see cref="SdpAnswerResult"/> or an <see cref="SdpRejection"/>.</summary>
public sealed class SdpAnswerOutcome
{
    private SdpAnswerOutcome(SdpAnswerResult? result, SdpRejection? rejection)
    {
        Result = result;
        Rejection = rejection;
    }

    internal static SdpAnswerOutcome Accept(SdpAnswerResult result) => new(result, null);

    internal static SdpAnswerOutcome Reject(SdpRejectionReason reason, string detail) => new(null, new SdpRejection(reason, detail));

    [MemberNotNullWhen(true, nameof(Result))]
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsAccepted => Result is not null;

    public SdpAnswerResult? Result { get; }

    public SdpRejection? Rejection { get; }

    public override string ToString() => IsAccepted ? "accepted: " + Result : "rejected: " + Rejection;
}
