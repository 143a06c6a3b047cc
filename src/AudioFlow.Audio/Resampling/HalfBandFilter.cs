namespace AudioFlow.Audio.Resampling;

/// <summary>
/// The shared half-band low-pass used for exact 2:1 and 1:2 conversions (8 kHz ↔ 16 kHz on the hot path).
/// </summary>
/// <remarks>
/// Designed at the higher rate F: passband to 0.225·F (3.6 kHz at 16 kHz), stopband from 0.275·F (4.4 kHz),
/// ≥ 80 dB design attenuation. A half-band filter is symmetric about F/4, so content between the low rate's
/// Nyquist and 0.275·F (4.0-4.4 kHz at 16 kHz) is only partly rejected and may fold into 3.6-4.0 kHz,
/// outside the telephone band. Every even-offset tap except the centre (exactly 0.5) is zero, which halves the work.
/// </remarks>
internal static class HalfBandFilter
{
    public const double PassbandEdge = 0.225;
    public const double StopbandEdge = 0.275;

    /// <summary>Number of non-zero taps on one side of the centre; the filter spans 4J - 1 taps.</summary>
    public static readonly int J;

    /// <summary>
    /// The 2J odd-offset taps in convolution order: Taps[t] = h[2J - 1 - 2t], t = 0 … 2J-1 (symmetric, sums to 0.5).
    /// </summary>
    public static readonly float[] Taps;

    /// <summary><see cref="Taps"/> doubled (the interpolator's gain of 2).</summary>
    public static readonly float[] InterpolatorTaps;

    static HalfBandFilter()
    {
        int minimumLength = (int)KaiserDesign.Length(KaiserDesign.StopbandAttenuationDb, StopbandEdge - PassbandEdge);
        J = (minimumLength + 1 + 3) / 4; // smallest J with 4J - 1 >= minimumLength (J = 26: 103 taps, 52 non-zero besides the centre)
        int length = 4 * J - 1;
        double[] h = KaiserDesign.LowPass(length, 0.25, KaiserDesign.Beta(KaiserDesign.StopbandAttenuationDb));
        int center = 2 * J - 1;

        // Odd offsets 1, 3, ..., 2J-1 on one side; rescale so both sides together sum to exactly 0.5 (unit DC gain with the 0.5 centre).
        var side = new double[J];
        double sum = 0;
        for (int i = 0; i < J; i++)
        {
            side[i] = h[center + 2 * i + 1];
            sum += side[i];
        }
        double scale = 0.25 / sum;

        Taps = new float[2 * J];
        InterpolatorTaps = new float[2 * J];
        for (int t = 0; t < 2 * J; t++)
        {
            int offset = Math.Abs(2 * J - 1 - 2 * t); // 2J-1, 2J-3, ..., 1, 1, ..., 2J-1
            double tap = side[(offset - 1) / 2] * scale;
            Taps[t] = (float)tap;
            InterpolatorTaps[t] = (float)(2 * tap);
        }
    }
}
