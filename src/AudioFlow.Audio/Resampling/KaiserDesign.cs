namespace AudioFlow.Audio.Resampling;

/// <summary>
/// Windowed-sinc low-pass design with a Kaiser window (J. F. Kaiser's empirical formulas for β and length).
/// Computed in double precision; callers store the taps as float.
/// </summary>
internal static class KaiserDesign
{
    /// <summary>Stopband attenuation every AudioFlow resampler is designed for (dB); the passband ripple is of the same order (±0.001 dB).</summary>
    public const double StopbandAttenuationDb = 80.0;

    /// <summary>Kaiser β for a stopband attenuation of <paramref name="attenuationDb"/> dB.</summary>
    public static double Beta(double attenuationDb) => attenuationDb switch
    {
        > 50 => 0.1102 * (attenuationDb - 8.7),
        >= 21 => 0.5842 * Math.Pow(attenuationDb - 21, 0.4) + 0.07886 * (attenuationDb - 21),
        _ => 0.0,
    };

    /// <summary>Taps needed for a transition band of <paramref name="transitionWidth"/> (fraction of the sample rate).</summary>
    public static long Length(double attenuationDb, double transitionWidth) =>
        (long)Math.Min(Math.Ceiling((attenuationDb - 7.95) / (14.36 * transitionWidth)) + 1, long.MaxValue / 4);

    /// <summary>
    /// Low-pass prototype of <paramref name="length"/> taps with cutoff <paramref name="cutoff"/> (fraction of the sample rate, 0-0.5)
    /// and unit DC gain before any normalisation by the caller: h[n] = 2fc·sinc(2fc·(n - (N-1)/2))·w[n].
    /// </summary>
    public static double[] LowPass(int length, double cutoff, double beta)
    {
        var h = new double[length];
        double center = (length - 1) / 2.0;
        double i0Beta = BesselI0(beta);
        for (int n = 0; n < length; n++)
        {
            double x = n - center;
            double r = length == 1 ? 0 : x / center;
            double window = BesselI0(beta * Math.Sqrt(Math.Max(0, 1 - r * r))) / i0Beta;
            h[n] = 2 * cutoff * Sinc(2 * cutoff * x) * window;
        }
        return h;
    }

    private static double Sinc(double x) => x == 0 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);

    /// <summary>Modified Bessel function of the first kind, order 0 (power series; converges quickly for β ≤ 20).</summary>
    internal static double BesselI0(double x)
    {
        double sum = 1, term = 1, half = x / 2;
        for (int k = 1; k < 200; k++)
        {
            term *= half / k;
            double t2 = term * term;
            sum += t2;
            if (t2 < sum * 1e-17)
            {
                break;
            }
        }
        return sum;
    }
}
