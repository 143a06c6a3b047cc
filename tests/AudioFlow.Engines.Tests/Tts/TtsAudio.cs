using System.Diagnostics;

namespace AudioFlow.Engines.Tests.Tts;

/// <summary>Measurements on synthesised audio and helpers to run the engines' command-line tools.</summary>
internal static class TtsAudio
{
    public static double Seconds(short[] samples, int sampleRate) => (double)samples.Length / sampleRate;

    public static double Rms(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty)
        {
            return 0;
        }

        double sum = 0;
        foreach (short s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / samples.Length);
    }

    /// <summary>RMS of consecutive frames of <paramref name="frameMs"/> milliseconds.</summary>
    public static double[] Envelope(short[] samples, int sampleRate, int frameMs = 10)
    {
        int frame = sampleRate * frameMs / 1000;
        var envelope = new double[samples.Length / frame];
        for (int i = 0; i < envelope.Length; i++)
        {
            envelope[i] = Rms(samples.AsSpan(i * frame, frame));
        }

        return envelope;
    }

    /// <summary>Pearson correlation of two sequences over their common length.</summary>
    public static double Correlation(double[] a, double[] b)
    {
        int n = Math.Min(a.Length, b.Length);
        double meanA = a.Take(n).Average(), meanB = b.Take(n).Average();
        double cov = 0, varA = 0, varB = 0;
        for (int i = 0; i < n; i++)
        {
            double da = a[i] - meanA, db = b[i] - meanB;
            cov += da * db;
            varA += da * da;
            varB += db * db;
        }

        return cov / Math.Sqrt(varA * varB);
    }

    /// <summary>
    /// How alike two renditions of the same text sound, tolerating small timing drift: the correlation of
    /// their 10 ms log-energy envelopes along the best alignment (dynamic time warping that may shift
    /// frames by at most <paramref name="maxShiftMs"/> beyond the proportional position).
    /// </summary>
    public static double EnvelopeSimilarity(short[] a, short[] b, int sampleRate, int maxShiftMs = 60)
    {
        double[] x = LogEnvelope(a, sampleRate);
        double[] y = LogEnvelope(b, sampleRate);
        int n = x.Length, m = y.Length, band = maxShiftMs / 10;
        var cost = new double[n + 1, m + 1];
        for (int i = 0; i <= n; i++)
        {
            for (int j = 0; j <= m; j++)
            {
                cost[i, j] = double.PositiveInfinity;
            }
        }

        cost[0, 0] = 0;
        for (int i = 1; i <= n; i++)
        {
            int centre = (int)((long)i * m / n);
            for (int j = Math.Max(1, centre - band); j <= Math.Min(m, centre + band); j++)
            {
                double d = Math.Abs(x[i - 1] - y[j - 1]);
                cost[i, j] = d + Math.Min(cost[i - 1, j - 1], Math.Min(cost[i - 1, j], cost[i, j - 1]));
            }
        }

        // Walk back along the cheapest path, pairing the aligned frames.
        var pairsX = new List<double>();
        var pairsY = new List<double>();
        int pi = n, pj = m;
        while (pi > 0 && pj > 0)
        {
            pairsX.Add(x[pi - 1]);
            pairsY.Add(y[pj - 1]);
            double diagonal = cost[pi - 1, pj - 1], up = cost[pi - 1, pj], left = cost[pi, pj - 1];
            if (diagonal <= up && diagonal <= left)
            {
                pi--;
                pj--;
            }
            else if (up <= left)
            {
                pi--;
            }
            else
            {
                pj--;
            }
        }

        return Correlation(pairsX.ToArray(), pairsY.ToArray());
    }

    private static double[] LogEnvelope(short[] samples, int sampleRate) =>
        Envelope(samples, sampleRate, 10).Select(rms => 20 * Math.Log10(rms + 10)).ToArray();

    /// <summary>Index of the first sample louder than <paramref name="threshold"/> (or the length).</summary>
    public static int FirstAudible(short[] samples, int threshold = 300)
    {
        int i = 0;
        while (i < samples.Length && Math.Abs((int)samples[i]) <= threshold)
        {
            i++;
        }

        return i;
    }

    /// <summary>Number of samples after the last one louder than <paramref name="threshold"/>.</summary>
    public static int TrailingQuiet(short[] samples, int threshold = 300)
    {
        int i = samples.Length;
        while (i > 0 && Math.Abs((int)samples[i - 1]) <= threshold)
        {
            i--;
        }

        return samples.Length - i;
    }

    /// <summary>Runs a TTS command line that writes <c>{wav}</c> and reads the result.</summary>
    public static TtsWav.Audio RunCli(string program, params string[] arguments)
    {
        string wav = Path.Combine(Path.GetTempPath(), $"audioflow-tts-{Guid.NewGuid():N}.wav");
        try
        {
            var start = new ProcessStartInfo(program)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in arguments)
            {
                start.ArgumentList.Add(argument == "{wav}" ? wav : argument);
            }

            using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
            string stderr = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(20_000))
            {
                process.Kill();
                throw new TimeoutException($"{program} did not finish.");
            }

            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{program} exited with {process.ExitCode}: {stderr}");
            }

            return TtsWav.Read(wav);
        }
        finally
        {
            File.Delete(wav);
        }
    }
}
