using System.Net;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Rtp.Session;
using AudioFlow.Telephony.Sip.Sdp;

namespace AudioFlow.Telephony.Sip.UserAgent;

/// <summary>Digest credentials inbound requests must carry (the trunk authenticates to AudioFlow).</summary>
public sealed record SipInboundAuth(string Realm, string Username, string Password)
{
    public override string ToString() => $"SipInboundAuth {{ Realm = {Realm}, Username = {Username}, password redacted }}";
}

/// <summary>How the user agent answers calls (see <see cref="SipUserAgent"/>).</summary>
public sealed record SipUserAgentOptions
{
    /// <summary>
    /// Host written in our Contact (and SDP, unless <see cref="MediaPublicAddress"/> is set): a name or IP that peers
    /// can reach. Null: the address the request arrived on.
    /// </summary>
    public string? ContactHost { get; init; }

    /// <summary>User part of our Contact.</summary>
    public string ContactUser { get; init; } = "audioflow";

    /// <summary>Where RTP sockets bind. Null: the address the INVITE arrived on (0.0.0.0 when SIP listens on any).</summary>
    public IPAddress? MediaBindAddress { get; init; }

    /// <summary>The address written in SDP c=/o=. Null: the bind address, or the local address towards the caller when binding to any.</summary>
    public IPAddress? MediaPublicAddress { get; init; }

    /// <summary>RTP ports (even RTP, RTCP on +1).</summary>
    public int RtpPortMin { get; init; } = 20000;

    public int RtpPortMax { get; init; } = 29999;

    /// <summary>Source addresses allowed to send requests; others get 403.</summary>
    public IpAllowList AllowList { get; init; } = IpAllowList.LoopbackOnly;

    /// <summary>When set, new INVITEs must carry digest credentials (401 challenge otherwise).</summary>
    public SipInboundAuth? Authentication { get; init; }

    /// <summary>The codecs we accept, in our order of preference (PCMU, PCMA, G.722).</summary>
    public IReadOnlyList<MediaFormat> Codecs { get; init; } = [SdpAudioFormats.G722, SdpAudioFormats.Pcmu, SdpAudioFormats.Pcma];

    /// <summary>True: our order of <see cref="Codecs"/> wins among those offered; false: the caller's order does (RFC 3264 default).</summary>
    public bool PreferOurCodecOrder { get; init; } = true;

    /// <summary>Ring this long (180 Ringing) before answering; 0 answers at once.</summary>
    public TimeSpan AnswerDelay { get; init; } = TimeSpan.Zero;

    /// <summary>Calls at once; more are refused with 503 (Retry-After). 0: no limit.</summary>
    public int MaxCalls { get; init; }

    /// <summary>How long a blind transfer waits for the NOTIFY with the transfer's outcome after the REFER was accepted.</summary>
    public TimeSpan TransferTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long our BYE waits for its 200 before the call is considered ended anyway (it is ended locally at once).</summary>
    public TimeSpan ByeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Server / User-Agent header value.</summary>
    public string UserAgent { get; init; } = "AudioFlow";

    /// <summary>Capacity of each call's inbound event buffer (frames); beyond it caller audio is dropped and counted.</summary>
    public int InboundBufferFrames { get; init; } = 500;

    /// <summary>Settings of every call's RTP session (media timeout, jitter buffer...).</summary>
    public RtpSessionOptions Rtp { get; init; } = new();

    /// <summary>Finished calls kept for <see cref="SipUserAgent.RecentCalls"/>.</summary>
    public int RecentCallsKept { get; init; } = 1000;

    internal void Validate()
    {
        if (Codecs.Count == 0 || Codecs.Any(c => c.Encoding is not (AudioEncoding.Pcmu or AudioEncoding.Pcma or AudioEncoding.G722)))
        {
            throw new ArgumentException("SIP codecs must be a non-empty list of PCMU, PCMA and G722", nameof(Codecs));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxCalls, nameof(MaxCalls));
        ArgumentOutOfRangeException.ThrowIfNegative(AnswerDelay.Ticks, nameof(AnswerDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(InboundBufferFrames, 1, nameof(InboundBufferFrames));
        _ = new RtpPortAllocator(RtpPortMin, RtpPortMax);
    }
}
