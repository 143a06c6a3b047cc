using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Rtp;

namespace AudioFlow.Telephony.Sip.Sdp;

/// <summary>
/// The bridge between <see cref="MediaFormat"/> and SDP/RTP names: PCMU/8000 (static PT 0), PCMA/8000 (8),
/// G722/8000 (9; 16 kHz audio on an 8000 Hz RTP clock, RFC 3551 §4.5.2), L16/&lt;rate&gt; (dynamic, mono).
/// </summary>
public static class SdpAudioFormats
{
    /// <summary>G.722: 16 kHz audio (its RTP clock and rtpmap say 8000).</summary>
    public static MediaFormat G722 { get; } = new(AudioEncoding.G722, 16000);

    public static MediaFormat Pcmu => MediaFormat.Pcmu8k;

    public static MediaFormat Pcma => MediaFormat.Pcma8k;

    /// <summary>RFC 4733 encoding name.</summary>
    public const string TelephoneEventName = "telephone-event";

    /// <summary>The rtpmap a static payload type implies when the offer has none (RFC 3551 table 4), for the ones we know.</summary>
    public static SdpRtpMap? StaticRtpMap(int payloadType) => payloadType switch
    {
        0 => new SdpRtpMap(0, "PCMU", 8000),
        8 => new SdpRtpMap(8, "PCMA", 8000),
        9 => new SdpRtpMap(9, "G722", 8000),
        _ => null,
    };

    /// <summary>The SDP encoding name, RTP clock rate and static payload type (null: needs a dynamic one) of a format.</summary>
    public static bool TryDescribe(MediaFormat format, out string encodingName, out int clockRate, out int? staticPayloadType)
    {
        (encodingName, clockRate, staticPayloadType) = format switch
        {
            { Encoding: AudioEncoding.Pcmu, SampleRate: 8000 } => ("PCMU", 8000, 0),
            { Encoding: AudioEncoding.Pcma, SampleRate: 8000 } => ("PCMA", 8000, 8),
            { Encoding: AudioEncoding.G722, SampleRate: 16000 } => ("G722", 8000, 9),
            { Encoding: AudioEncoding.L16, SampleRate: > 0 } => ("L16", format.SampleRate, (int?)null),
            _ => ("", 0, null),
        };
        return encodingName.Length > 0;
    }

    /// <summary>
    /// The format an rtpmap describes, if AudioFlow can handle it: names compare case-insensitively, the clock rate
    /// must be exact (G722/8000 only) and channels absent or 1.
    /// </summary>
    public static bool TryFromRtpMap(SdpRtpMap rtpMap, out MediaFormat format)
    {
        format = MediaFormat.Pcmu8k;
        if (rtpMap.Channels is not (null or 1))
        {
            return false;
        }

        MediaFormat? f = rtpMap.EncodingName.ToUpperInvariant() switch
        {
            "PCMU" when rtpMap.ClockRate == 8000 => MediaFormat.Pcmu8k,
            "PCMA" when rtpMap.ClockRate == 8000 => MediaFormat.Pcma8k,
            "G722" when rtpMap.ClockRate == 8000 => G722,
            "L16" => new MediaFormat(AudioEncoding.L16, rtpMap.ClockRate),
            _ => null,
        };
        if (f is null)
        {
            return false;
        }

        format = f;
        return true;
    }

    public static bool IsTelephoneEvent(SdpRtpMap rtpMap) =>
        string.Equals(rtpMap.EncodingName, TelephoneEventName, StringComparison.OrdinalIgnoreCase) && rtpMap.Channels is null or 1;

    /// <summary>The RTP-layer description of <paramref name="format"/> carried on <paramref name="payloadType"/>.</summary>
    public static RtpPayloadFormat ToRtpPayloadFormat(MediaFormat format, int payloadType)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadType);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, 127);
        var pt = (byte)payloadType;
        return format.Encoding switch
        {
            AudioEncoding.Pcmu => RtpPayloadFormat.Pcmu with { PayloadType = pt },
            AudioEncoding.Pcma => RtpPayloadFormat.Pcma with { PayloadType = pt },
            AudioEncoding.G722 => RtpPayloadFormat.G722 with { PayloadType = pt },
            _ => RtpPayloadFormat.L16(pt, format.SampleRate),
        };
    }
}
