namespace AudioFlow.Telephony.Rtp;

/// <summary>
/// What the RTP layer must know about an audio payload format to count time and re-chunk bytes: its RTP clock rate
/// (which is what timestamps count), its real sample rate, and how many payload bytes one RTP timestamp unit takes.
/// <para>
/// G.722 is the known quirk (RFC 3551 §4.5.2): it samples at 16 kHz but its RTP clock is 8000 Hz, so a 20 ms packet
/// advances the timestamp by 160 while carrying 160 bytes (64 kbit/s).
/// </para>
/// </summary>
/// <param name="PayloadType">RTP payload type (static or the one negotiated in SDP).</param>
/// <param name="EncodingName">SDP encoding name (PCMU, PCMA, G722, L16).</param>
/// <param name="ClockRate">RTP clock rate: timestamp units per second.</param>
/// <param name="SampleRate">Audio sample rate after decoding.</param>
/// <param name="BytesPerTimestampUnit">Payload bytes per RTP timestamp unit (1 for G.711 and G.722, 2 for mono L16).</param>
/// <param name="SilenceByte">A byte that, repeated, decodes to silence (to fill holes in re-chunked frames); null when the
/// codec has none (G.722 is adaptive: no constant byte is silence).</param>
public sealed record RtpPayloadFormat(
    byte PayloadType,
    string EncodingName,
    int ClockRate,
    int SampleRate,
    int BytesPerTimestampUnit,
    byte? SilenceByte)
{
    /// <summary>G.711 µ-law, static payload type 0.</summary>
    public static RtpPayloadFormat Pcmu { get; } = new(0, "PCMU", 8000, 8000, 1, 0xFF);

    /// <summary>G.711 A-law, static payload type 8.</summary>
    public static RtpPayloadFormat Pcma { get; } = new(8, "PCMA", 8000, 8000, 1, 0xD5);

    /// <summary>G.722, static payload type 9: 16 kHz audio, 8000 Hz RTP clock (RFC 3551).</summary>
    public static RtpPayloadFormat G722 { get; } = new(9, "G722", 8000, 16000, 1, null);

    /// <summary>Linear 16-bit big-endian mono PCM (RFC 3551 L16) at <paramref name="sampleRate"/> on a dynamic payload type.</summary>
    public static RtpPayloadFormat L16(byte payloadType, int sampleRate) => new(payloadType, "L16", sampleRate, sampleRate, 2, 0x00);

    /// <summary>The static audio formats above by payload type (0, 8, 9), or null.</summary>
    public static RtpPayloadFormat? FromStaticPayloadType(byte payloadType) => payloadType switch
    {
        0 => Pcmu,
        8 => Pcma,
        9 => G722,
        _ => null,
    };

    /// <summary>RTP timestamp units in <paramref name="duration"/> (160 for 20 ms at 8000 Hz).</summary>
    public int TimestampUnits(TimeSpan duration) => checked((int)(duration.Ticks * ClockRate / TimeSpan.TicksPerSecond));

    /// <summary>Payload bytes for <paramref name="duration"/> of audio.</summary>
    public int PayloadBytes(TimeSpan duration) => TimestampUnits(duration) * BytesPerTimestampUnit;

    /// <summary>RTP timestamp units a payload of <paramref name="payloadBytes"/> covers.</summary>
    public int TimestampUnitsOf(int payloadBytes) => payloadBytes / BytesPerTimestampUnit;

    /// <summary>Duration of <paramref name="timestampUnits"/> in this clock.</summary>
    public TimeSpan DurationOf(long timestampUnits) => TimeSpan.FromTicks(timestampUnits * TimeSpan.TicksPerSecond / ClockRate);
}
