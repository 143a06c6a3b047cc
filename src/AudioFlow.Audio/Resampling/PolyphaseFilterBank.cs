using System.Collections.Concurrent;

namespace AudioFlow.Audio.Resampling;

/// <summary>
/// Coefficients of a rational L/M resampler, designed once per reduced ratio and shared (immutable) by every instance.
/// </summary>
/// <remarks>
/// The prototype low-pass runs at the virtual rate L·from with N = L·K taps: passband to 0.9×, stopband from 1.0× the
/// lower of the two Nyquist frequencies, 80 dB Kaiser design. Phase p holds taps h[p + kL], k = 0…K-1, stored
/// reversed so an output is a forward dot product over the last K input samples, and normalised to unit DC gain.
/// </remarks>
internal sealed class PolyphaseFilterBank
{
    /// <summary>Largest filter bank (floats) we agree to build: 4 M floats = 16 MiB.</summary>
    private const long MaxCoefficients = 4L << 20;

    private const double PassbandFraction = 0.9;
    private const double StopbandFraction = 1.0;

    private static readonly ConcurrentDictionary<(int L, int M), Lazy<PolyphaseFilterBank>> Cache = new();

    private PolyphaseFilterBank(int l, int m)
    {
        L = l;
        M = m;
        // Band edges as fractions of the virtual rate L·from. With from = M·u and to = L·u, the lower Nyquist
        // frequency min(from, to)/2 = min(L, M)·u/2, and the virtual rate is L·M·u.
        double lowerNyquist = Math.Min(l, m) / (2.0 * l * m);
        double pass = PassbandFraction * lowerNyquist;
        double stop = StopbandFraction * lowerNyquist;
        long minimumLength = KaiserDesign.Length(KaiserDesign.StopbandAttenuationDb, stop - pass);
        long tapsPerPhase = (minimumLength + l - 1) / l;
        if (tapsPerPhase * l > MaxCoefficients)
        {
            throw new NotSupportedException(
                $"resampling ratio {l}/{m} would need a {tapsPerPhase * l}-tap filter bank; choose rates with a simpler ratio");
        }
        K = (int)tapsPerPhase;

        int length = K * l;
        double[] prototype = KaiserDesign.LowPass(length, (pass + stop) / 2, KaiserDesign.Beta(KaiserDesign.StopbandAttenuationDb));
        Coefficients = new float[length];
        for (int p = 0; p < l; p++)
        {
            double sum = 0;
            for (int k = 0; k < K; k++)
            {
                sum += prototype[p + k * l];
            }
            for (int k = 0; k < K; k++)
            {
                Coefficients[p * K + (K - 1 - k)] = (float)(prototype[p + k * l] / sum);
            }
        }
        DelayOutputSamples = (length - 1) / (2.0 * m);
    }

    /// <summary>Interpolation factor (phases).</summary>
    public int L { get; }

    /// <summary>Decimation factor.</summary>
    public int M { get; }

    /// <summary>Taps per phase.</summary>
    public int K { get; }

    /// <summary>L·K coefficients, phase-major, each phase reversed.</summary>
    public float[] Coefficients { get; }

    /// <summary>Group delay (N-1)/2 virtual samples, in output samples.</summary>
    public double DelayOutputSamples { get; }

    public static PolyphaseFilterBank Get(int fromRate, int toRate)
    {
        int g = Gcd(fromRate, toRate);
        var key = (toRate / g, fromRate / g);
        return Cache.GetOrAdd(key, static k => new Lazy<PolyphaseFilterBank>(() => new PolyphaseFilterBank(k.L, k.M))).Value;
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }
        return a;
    }
}
