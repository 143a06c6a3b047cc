namespace AudioFlow.Audio.Tests.Support;

/// <summary>Test signal synthesis and measurement, in double precision and independent of the code under test.</summary>
internal static class Signals
{
    /// <summary>A sine of peak <paramref name="amplitude"/> (16-bit units), rounded to PCM16.</summary>
    public static short[] Sine(double frequency, int sampleRate, int count, double amplitude, double phase = 0)
    {
        var samples = new short[count];
        for (int n = 0; n < count; n++)
        {
            samples[n] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * n / sampleRate + phase));
        }
        return samples;
    }

    /// <summary>Sum of signals, saturated.</summary>
    public static short[] Mix(params short[][] signals)
    {
        var result = new short[signals.Max(s => s.Length)];
        for (int i = 0; i < result.Length; i++)
        {
            int sum = 0;
            foreach (short[] s in signals)
            {
                sum += i < s.Length ? s[i] : 0;
            }
            result[i] = (short)Math.Clamp(sum, short.MinValue, short.MaxValue);
        }
        return result;
    }

    /// <summary>Gaussian white noise of the given RMS (16-bit units), reproducible from <paramref name="seed"/>.</summary>
    public static short[] Noise(int count, double rms, int seed)
    {
        var random = new Random(seed);
        var samples = new short[count];
        for (int i = 0; i < count; i++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            double gaussian = Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            samples[i] = (short)Math.Clamp(Math.Round(gaussian * rms), short.MinValue, short.MaxValue);
        }
        return samples;
    }

    /// <summary>
    /// Peak amplitude of the <paramref name="frequency"/> component of <paramref name="samples"/> (single-bin DFT with a
    /// Blackman-Harris window, sidelobes below −92 dB, so a strong tone elsewhere does not mask a weak one).
    /// </summary>
    public static double Amplitude(ReadOnlySpan<short> samples, double frequency, int sampleRate)
    {
        int n = samples.Length;
        double re = 0, im = 0, windowSum = 0;
        double w = 2 * Math.PI * frequency / sampleRate;
        for (int i = 0; i < n; i++)
        {
            double x = 2 * Math.PI * i / (n - 1);
            double window = 0.35875 - 0.48829 * Math.Cos(x) + 0.14128 * Math.Cos(2 * x) - 0.01168 * Math.Cos(3 * x);
            windowSum += window;
            re += samples[i] * window * Math.Cos(w * i);
            im -= samples[i] * window * Math.Sin(w * i);
        }
        return 2 * Math.Sqrt(re * re + im * im) / windowSum;
    }

    public static double Db(double ratio) => 20 * Math.Log10(ratio);

    public static short[] ReadRawPcm16(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var samples = new short[bytes.Length / 2];
        Buffer.BlockCopy(bytes, 0, samples, 0, samples.Length * 2);
        return samples;
    }
}
