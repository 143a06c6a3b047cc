using AudioFlow.Audio.Codecs.G722;
using AudioFlow.Audio.Tests.Support;

namespace AudioFlow.Audio.Tests.Codecs.G722;

/// <summary>Helpers shared by the G.722 tests: one-shot coding, ffmpeg's codec, aligned SNR, and test signals.</summary>
internal static class G722TestSupport
{
    public static byte[] Encode(short[] pcm, bool limitSubbands = true)
    {
        var encoder = new G722Encoder(limitSubbands);
        var bytes = new byte[pcm.Length / 2];
        Assert.Equal(bytes.Length, encoder.Encode(pcm, bytes));
        return bytes;
    }

    public static short[] Decode(byte[] bytes, G722BitRate bitRate = G722BitRate.Rate64000)
    {
        var decoder = new G722Decoder(bitRate);
        var pcm = new short[bytes.Length * 2];
        Assert.Equal(pcm.Length, decoder.Decode(bytes, pcm));
        return pcm;
    }

    /// <summary>ffmpeg's native G.722 encoder (64 kbit/s) applied to 16 kHz mono PCM.</summary>
    public static byte[] FfmpegEncode(short[] pcm)
    {
        using var dir = new TempDirectory();
        WriteRaw(dir.File("in.s16"), pcm);
        ExternalTool.Run("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "s16le", "-ar", "16000",
            "-ac", "1", "-i", dir.File("in.s16"), "-c:a", "g722", "-f", "g722", "-y", dir.File("out.g722"));
        return File.ReadAllBytes(dir.File("out.g722"));
    }

    /// <summary>ffmpeg's native G.722 decoder applied to a raw G.722 octet stream.</summary>
    public static short[] FfmpegDecode(byte[] bytes)
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("in.g722"), bytes);
        ExternalTool.Run("ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-f", "g722", "-i",
            dir.File("in.g722"), "-f", "s16le", "-ar", "16000", "-ac", "1", "-y", dir.File("out.s16"));
        return Signals.ReadRawPcm16(dir.File("out.s16"));
    }

    public static void WriteRaw(string path, short[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        Buffer.BlockCopy(samples, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>
    /// SNR (dB) of <paramref name="decoded"/> against <paramref name="reference"/> at the lag (0 … <paramref name="maxLag"/>
    /// samples of decoder delay) that maximises it, skipping the first <paramref name="skip"/> samples (adaptation).
    /// </summary>
    public static (int Lag, double SnrDb) AlignedSnr(short[] reference, short[] decoded, int maxLag = 40, int skip = 1600)
    {
        (int lag, double snr) best = (-1, double.NegativeInfinity);
        for (int lag = 0; lag <= maxLag; lag++)
        {
            double snr = Snr(reference, decoded, lag, maxLag, skip);
            if (snr > best.snr)
            {
                best = (lag, snr);
            }
        }
        return best;
    }

    /// <summary>SNR (dB) of <paramref name="decoded"/> delayed by <paramref name="lag"/> samples against <paramref name="reference"/>.</summary>
    public static double Snr(short[] reference, short[] decoded, int lag, int maxLag = 40, int skip = 1600)
    {
        int end = Math.Min(reference.Length, decoded.Length - maxLag);
        double signal = 0, noise = 0;
        for (int n = skip; n < end; n++)
        {
            double s = reference[n];
            double e = decoded[n + lag] - s;
            signal += s * s;
            noise += e * e;
        }
        return 10 * Math.Log10(signal / Math.Max(noise, 1e-9));
    }

    /// <summary>A linear chirp <paramref name="f0"/> → <paramref name="f1"/> Hz at 16 kHz with constant peak amplitude.</summary>
    public static short[] Chirp(double f0, double f1, int count, double amplitude)
    {
        var samples = new short[count];
        double seconds = count / 16000.0;
        for (int n = 0; n < count; n++)
        {
            double t = n / 16000.0;
            samples[n] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * (f0 * t + (f1 - f0) / (2 * seconds) * t * t)));
        }
        return samples;
    }

    /// <summary>A speech-like test signal: noise shaped by a slowly varying envelope, plus a few harmonics, 16 kHz.</summary>
    public static short[] SpeechLike(int count, int seed)
    {
        short[] noise = Signals.Noise(count, 3000, seed);
        var samples = new short[count];
        for (int n = 0; n < count; n++)
        {
            double t = n / 16000.0;
            double envelope = 0.55 + 0.45 * Math.Sin(2 * Math.PI * 3 * t);       // ~syllable rate
            double pitch = 140 + 30 * Math.Sin(2 * Math.PI * 0.7 * t);
            double voiced = 0;
            for (int k = 1; k <= 12; k++)
            {
                voiced += Math.Sin(2 * Math.PI * k * pitch * t) / k;
            }
            double value = envelope * (6000 * voiced + noise[n]);
            samples[n] = (short)Math.Clamp(Math.Round(value), short.MinValue, short.MaxValue);
        }
        return samples;
    }

    public static short[] ReadSharedWav(string name)
    {
        string path = TestFiles.SharedAudio(name) ?? throw new InvalidOperationException($"{name} is not present");
        var wav = AudioFlow.Audio.Wav.WavFile.Read(path);
        Assert.Equal(16000, wav.SampleRate);
        return wav.ToMono();
    }

    /// <summary>Index and values of the first difference, for failure messages; null when equal.</summary>
    public static string? FirstDifference<T>(T[] expected, T[] actual)
        where T : IEquatable<T>
    {
        if (expected.Length != actual.Length)
        {
            return $"lengths differ: expected {expected.Length}, got {actual.Length}";
        }
        int differing = 0, first = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            if (!expected[i].Equals(actual[i]))
            {
                differing++;
                if (first < 0)
                {
                    first = i;
                }
            }
        }
        return first < 0 ? null : $"{differing} of {expected.Length} differ, first at {first}: expected {expected[first]}, got {actual[first]}";
    }

    public static void AssertIdentical<T>(T[] expected, T[] actual, string what)
        where T : IEquatable<T>
    {
        string? difference = FirstDifference(expected, actual);
        Assert.True(difference is null, $"{what}: {difference}");
    }
}

/// <summary>A fact skipped, saying why, unless both ffmpeg and the named shared speech file are present.</summary>
internal sealed class FfmpegAndSharedAudioFactAttribute : FactAttribute
{
    public FfmpegAndSharedAudioFactAttribute(string fileName)
    {
        if (ExternalTool.Find("ffmpeg") is null)
        {
            Skip = "ffmpeg is not on PATH: install it (apt-get install ffmpeg) to compare with its G.722 codec";
        }
        else if (TestFiles.SharedAudio(fileName) is null)
        {
            Skip = $"shared speech sample ../shared/data/audio/{fileName} (beside the repository root) is not present";
        }
    }
}
