namespace AudioFlow.Audio.Channel;

/// <summary>How audio is encoded on the wire of a call channel.</summary>
public enum AudioEncoding
{
    /// <summary>G.711 µ-law, 8 kHz.</summary>
    Pcmu,
    /// <summary>G.711 A-law, 8 kHz.</summary>
    Pcma,
    /// <summary>G.722 wideband (16 kHz audio, 8 kHz RTP clock).</summary>
    G722,
    /// <summary>Signed 16-bit little-endian linear PCM.</summary>
    L16,
}

/// <summary>The wire format of one direction of a call channel.</summary>
public sealed record MediaFormat(AudioEncoding Encoding, int SampleRate)
{
    public static readonly MediaFormat Pcmu8k = new(AudioEncoding.Pcmu, 8000);
    public static readonly MediaFormat Pcma8k = new(AudioEncoding.Pcma, 8000);
    public static readonly MediaFormat L16At8k = new(AudioEncoding.L16, 8000);
    public static readonly MediaFormat L16At16k = new(AudioEncoding.L16, 16000);

    /// <summary>Bytes in one 20 ms frame of this format.</summary>
    public int BytesPerFrame => Encoding switch
    {
        AudioEncoding.Pcmu or AudioEncoding.Pcma => FrameDuration.Samples(SampleRate),
        AudioEncoding.G722 => FrameDuration.Samples(SampleRate) / 2,
        AudioEncoding.L16 => FrameDuration.Samples(SampleRate) * 2,
        _ => throw new ArgumentOutOfRangeException(nameof(Encoding), Encoding, "unknown encoding"),
    };

    public override string ToString() => $"{Encoding}/{SampleRate}";
}
