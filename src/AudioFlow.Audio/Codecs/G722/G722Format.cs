namespace AudioFlow.Audio.Codecs.G722;

/// <summary>Constants of G.722 (ITU-T, 7 kHz wideband SB-ADPCM) as carried over RTP.</summary>
public static class G722Format
{
    /// <summary>Audio sample rate: G.722 codes 16 kHz PCM (50 – 7000 Hz audio).</summary>
    public const int SampleRate = 16000;

    /// <summary>
    /// RTP clock rate of G.722: <b>8000</b>, although the codec samples at 16 kHz. RFC 3551 (section 4.5.2) fixes it
    /// at 8000 Hz for historical reasons (an error in RFC 1890 that was kept for compatibility), so SDP says
    /// <c>a=rtpmap:9 G722/8000</c> and the RTP timestamp advances by 160 per 20 ms packet (= the number of octets),
    /// not by 320 (the number of samples).
    /// </summary>
    public const int RtpClockRate = 8000;

    /// <summary>Static RTP payload type of G.722 (RFC 3551).</summary>
    public const int RtpPayloadType = 9;

    /// <summary>Bit rate of the mode used over RTP (mode 1: 6 + 2 bits per pair of 16 kHz samples).</summary>
    public const int BitRate = 64000;

    /// <summary>PCM samples per 20 ms packet.</summary>
    public const int SamplesPer20Ms = 320;

    /// <summary>Payload bytes per 20 ms packet (one byte per two samples); also the RTP timestamp increment.</summary>
    public const int BytesPer20Ms = 160;

    /// <summary>
    /// Delay of an encode-decode round trip, in 16 kHz samples (1.375 ms): the analysis and synthesis QMFs are 24-tap
    /// linear-phase filters with 11.5 samples of group delay each, less one sample because each pair's sub-band
    /// samples are formed at the pair's second input sample but enter the synthesis at its first output sample. The
    /// ADPCM coders add none. (Excludes packetisation: whole 20 ms frames are coded.)
    /// </summary>
    public const int CodecDelaySamples = 22;
}

/// <summary>
/// G.722 decoder operating modes. The encoder always produces the 64 kbit/s bitstream; in the 56 and 48 kbit/s modes
/// the 1 or 2 least significant lower-band bits of each octet carry auxiliary data and the decoder ignores them.
/// </summary>
public enum G722BitRate
{
    /// <summary>Mode 1: 6-bit lower band (what RTP payload type 9 carries).</summary>
    Rate64000 = 1,

    /// <summary>Mode 2: 5-bit lower band; the least significant bit of each octet is ignored.</summary>
    Rate56000 = 2,

    /// <summary>Mode 3: 4-bit lower band; the two least significant bits of each octet are ignored.</summary>
    Rate48000 = 3,
}
