using AudioFlow.Engines.Vad;

namespace AudioFlow.Engines.Tests.Vad;

/// <summary>Synthetic signals and small helpers shared by the VAD tests.</summary>
internal static class VadTestAudio
{
    /// <summary>
    /// A deterministic voiced-sound-like signal: a harmonic series on a gliding pitch with two formant-like
    /// peaks, syllable-rate amplitude modulation and short pauses, plus a little noise. Different seeds give
    /// different signals; it only has to drive the model into varied states.
    /// </summary>
    public static short[] Voiceish(int sampleRate, double seconds, int seed)
    {
        var rnd = new Random(seed);
        int n = (int)(seconds * sampleRate);
        var x = new short[n];
        double f0Base = 90 + rnd.NextDouble() * 140;
        double formant1 = 400 + rnd.NextDouble() * 500, formant2 = 1200 + rnd.NextDouble() * 1200;
        double syllableHz = 3 + rnd.NextDouble() * 3, phase = 0;
        double level = 1500 + rnd.NextDouble() * 6000;
        for (int i = 0; i < n; i++)
        {
            double t = (double)i / sampleRate;
            double f0 = f0Base * (1 + 0.15 * Math.Sin(2 * Math.PI * 0.7 * t + seed));
            phase += 2 * Math.PI * f0 / sampleRate;
            double v = 0;
            for (int h = 1; h <= 12 && h * f0 < sampleRate / 2.2; h++)
            {
                double f = h * f0;
                double gain = 1 / (1 + Math.Pow((f - formant1) / 150, 2)) + 0.6 / (1 + Math.Pow((f - formant2) / 250, 2)) + 0.05 / h;
                v += gain * Math.Sin(h * phase);
            }
            double envelope = Math.Max(0, Math.Sin(Math.PI * syllableHz * t));
            if ((int)(t * syllableHz / 4) % 3 == 2)
            {
                envelope = 0; // a pause every few syllables
            }
            x[i] = Clamp(level * envelope * v / 3 + Gaussian(rnd) * 20);
        }
        return x;
    }

    /// <summary>White Gaussian noise with the given RMS in PCM16 units (e.g. 100 is about -50 dBFS).</summary>
    public static short[] Noise(int samples, double rms, int seed)
    {
        var rnd = new Random(seed);
        var x = new short[samples];
        for (int i = 0; i < samples; i++)
        {
            x[i] = Clamp(Gaussian(rnd) * rms);
        }
        return x;
    }

    /// <summary>Cuts PCM16 into float windows of <paramref name="windowSamples"/>, dropping the incomplete tail.</summary>
    public static float[][] Windows(ReadOnlySpan<short> pcm, int windowSamples)
    {
        var windows = new float[pcm.Length / windowSamples][];
        for (int i = 0; i < windows.Length; i++)
        {
            windows[i] = new float[windowSamples];
            VadWindowing.ToFloat(pcm.Slice(i * windowSamples, windowSamples), windows[i]);
        }
        return windows;
    }

    /// <summary>Probabilities of every window of <paramref name="pcm"/> through a fresh session.</summary>
    public static float[] Probabilities(IVadModel model, int sampleRate, ReadOnlySpan<short> pcm)
    {
        var session = model.CreateSession(sampleRate);
        try
        {
            return Windows(pcm, session.WindowSamples).Select(w => session.Process(w)).ToArray();
        }
        finally
        {
            (session as IDisposable)?.Dispose();
        }
    }

    /// <summary>RMS level of each window in dBFS.</summary>
    public static double[] WindowLevels(ReadOnlySpan<short> pcm, int windowSamples)
    {
        var levels = new double[pcm.Length / windowSamples];
        for (int i = 0; i < levels.Length; i++)
        {
            double sum = 0;
            foreach (var s in pcm.Slice(i * windowSamples, windowSamples))
            {
                double v = s / 32768.0;
                sum += v * v;
            }
            levels[i] = 10 * Math.Log10(sum / windowSamples + 1e-12);
        }
        return levels;
    }

    private static double Gaussian(Random rnd) =>
        Math.Sqrt(-2 * Math.Log(1 - rnd.NextDouble())) * Math.Cos(2 * Math.PI * rnd.NextDouble());

    private static short Clamp(double v) => (short)Math.Clamp(Math.Round(v), short.MinValue, short.MaxValue);
}
