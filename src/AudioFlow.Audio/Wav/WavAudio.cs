namespace AudioFlow.Audio.Wav;

/// <summary>How the samples were stored in the file they were read from.</summary>
public enum WavSampleEncoding
{
    /// <summary>Unsigned 8-bit PCM.</summary>
    Pcm8,
    /// <summary>Signed 16-bit PCM.</summary>
    Pcm16,
    /// <summary>Signed 24-bit PCM (rounded to 16 bits on read).</summary>
    Pcm24,
    /// <summary>Signed 32-bit PCM (rounded to 16 bits on read).</summary>
    Pcm32,
    /// <summary>IEEE 754 32-bit float, full scale ±1.</summary>
    Float32,
    /// <summary>IEEE 754 64-bit float, full scale ±1.</summary>
    Float64,
    /// <summary>G.711 µ-law (format tag 7).</summary>
    MuLaw,
    /// <summary>G.711 A-law (format tag 6).</summary>
    ALaw,
}

/// <summary>
/// Audio read from a WAV file, converted to PCM16. <see cref="Samples"/> are interleaved when
/// <see cref="Channels"/> &gt; 1 (frame f, channel c at index f·Channels + c).
/// </summary>
public sealed record WavAudio(int SampleRate, int Channels, short[] Samples, WavSampleEncoding SourceEncoding)
{
    /// <summary>Samples per channel.</summary>
    public int FrameCount => Samples.Length / Channels;

    public TimeSpan Duration => TimeSpan.FromSeconds((double)FrameCount / SampleRate);

    /// <summary>
    /// Mono samples: <see cref="Samples"/> itself when already mono, otherwise a new array with each frame's channels averaged.
    /// </summary>
    public short[] ToMono()
    {
        if (Channels == 1)
        {
            return Samples;
        }
        var mono = new short[FrameCount];
        Pcm.MixToMono(Samples, Channels, mono);
        return mono;
    }
}
