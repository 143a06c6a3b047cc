using System.Net;
using System.Net.Sockets;
using AudioFlow.Audio.Channel;

namespace AudioFlow.Telephony.Sip.Sdp;

/// <summary>What AudioFlow's side of a call can do and where it receives media; input of <see cref="SdpNegotiator"/>.</summary>
public sealed record LocalMediaCapabilities
{
    /// <summary>Our media address, written in o= and c=.</summary>
    public required IPAddress Address { get; init; }

    /// <summary>
    /// Optional address of the other family (IPv6 when <see cref="Address"/> is IPv4, or the reverse), used when the
    /// offer's connection address is of that family. Without it such an offer is rejected (488, Warning 301).
    /// </summary>
    public IPAddress? AlternateAddress { get; init; }

    /// <summary>Our RTP port (even, by convention).</summary>
    public required int RtpPort { get; init; }

    /// <summary>Our RTCP port when not <see cref="RtpPort"/> + 1: then written as a=rtcp (RFC 3605).</summary>
    public int? RtcpPort { get; init; }

    /// <summary>
    /// The formats we can carry (PCMU 8 kHz, PCMA 8 kHz, G.722 16 kHz, L16 at any rate). Our offers list them in
    /// this order, after <see cref="PreferredCodecs"/>.
    /// </summary>
    public IReadOnlyList<MediaFormat> Codecs { get; init; } = [SdpAudioFormats.Pcmu, SdpAudioFormats.Pcma, SdpAudioFormats.G722];

    /// <summary>
    /// Formats chosen ahead of the offerer's order when offered, first match wins (e.g. [G722] to take wideband
    /// whenever the caller offers it). Empty (the default): the offerer's order decides (RFC 3264 §6.1).
    /// </summary>
    public IReadOnlyList<MediaFormat> PreferredCodecs { get; init; } = [];

    /// <summary>Accept (in answers) and offer telephone-event (RFC 4733).</summary>
    public bool TelephoneEvents { get; init; } = true;

    /// <summary>Payload type of telephone-event in our offers (96..127).</summary>
    public int TelephoneEventPayloadType { get; init; } = 101;

    /// <summary>The events we offer (a=fmtp of telephone-event in our offers).</summary>
    public string TelephoneEventEvents { get; init; } = "0-16";

    /// <summary>Packet duration in ms: written as a=ptime in offers; the result's ptime when the offer has none.</summary>
    public int Ptime { get; init; } = 20;

    /// <summary>
    /// The most we are willing to do: sendrecv normally, sendonly to put the remote party on hold from our side,
    /// recvonly to only listen. Answers use the intersection with what the offer allows.
    /// </summary>
    public SdpDirection Direction { get; init; } = SdpDirection.SendRecv;

    /// <summary>Accept RTP/RTCP multiplexing (RFC 5761) when offered.</summary>
    public bool RtcpMux { get; init; } = true;

    /// <summary>Write a=rtcp-mux in our offers (we must still be able to receive RTCP on the RTCP port).</summary>
    public bool OfferRtcpMux { get; init; }

    /// <summary>o= username (no spaces).</summary>
    public string Username { get; init; } = "AudioFlow";

    /// <summary>s= text.</summary>
    public string SessionName { get; init; } = "AudioFlow";

    /// <summary>Our address of the same family as <paramref name="remote"/>, or null.</summary>
    internal IPAddress? AddressFor(AddressFamily remote) =>
        Address.AddressFamily == remote ? Address : AlternateAddress?.AddressFamily == remote ? AlternateAddress : null;

    internal int EffectiveRtcpPort => RtcpPort ?? RtpPort + 1;

    /// <summary>Throws <see cref="ArgumentException"/> on a configuration that cannot produce valid SDP.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Address);
        if (Address.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException("Address must be IPv4 or IPv6", nameof(Address));
        }

        if (AlternateAddress is { AddressFamily: not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6) })
        {
            throw new ArgumentException("AlternateAddress must be IPv4 or IPv6", nameof(AlternateAddress));
        }

        if (RtpPort is < 1 or > 65534)
        {
            throw new ArgumentException("RtpPort must be 1..65534", nameof(RtpPort));
        }

        if (RtcpPort is < 1 or > 65535)
        {
            throw new ArgumentException("RtcpPort must be 1..65535", nameof(RtcpPort));
        }

        if (Codecs is null || Codecs.Count == 0 || Codecs.Any(c => c is null || !SdpAudioFormats.TryDescribe(c, out _, out _, out _)))
        {
            throw new ArgumentException("Codecs must list at least one of PCMU/8000, PCMA/8000, G722/16000, L16", nameof(Codecs));
        }

        if (PreferredCodecs is null || PreferredCodecs.Any(c => c is null))
        {
            throw new ArgumentException("PreferredCodecs must not hold null", nameof(PreferredCodecs));
        }

        if (TelephoneEventPayloadType is < 96 or > 127)
        {
            throw new ArgumentException("TelephoneEventPayloadType must be dynamic (96..127)", nameof(TelephoneEventPayloadType));
        }

        if (string.IsNullOrWhiteSpace(TelephoneEventEvents) || TelephoneEventEvents.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException("TelephoneEventEvents must be like 0-16", nameof(TelephoneEventEvents));
        }

        if (Ptime is < 1 or > 200)
        {
            throw new ArgumentException("Ptime must be 1..200 ms", nameof(Ptime));
        }

        if (string.IsNullOrEmpty(Username) || Username.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException("Username must be one token", nameof(Username));
        }

        if (string.IsNullOrWhiteSpace(SessionName) || SessionName.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new ArgumentException("SessionName must be one non-empty line", nameof(SessionName));
        }
    }
}
