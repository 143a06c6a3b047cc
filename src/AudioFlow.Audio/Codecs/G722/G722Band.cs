using System.Runtime.CompilerServices;

namespace AudioFlow.Audio.Codecs.G722;

/// <summary>
/// State of one G.722 sub-band ADPCM coder (lower or higher band): the adaptive quantizer scale factor and the
/// pole-zero adaptive predictor. The encoder and the decoder of a band run the same adaptation from the same code, so
/// they stay in step. All arithmetic is the Recommendation's 16-bit fixed point: <see cref="Sat"/> marks the places
/// where it saturates, <c>(a * b) &gt;&gt; 15</c> is its MULT.
/// </summary>
internal struct G722Band
{
    /// <summary>Predicted signal SL / SH (= <see cref="PolePrediction"/> + <see cref="ZeroPrediction"/>).</summary>
    public int Prediction;

    /// <summary>Zero-section (sixth-order) prediction SZL / SZH.</summary>
    public int ZeroPrediction;

    /// <summary>Pole-section (second-order) prediction SPL / SPH.</summary>
    public int PolePrediction;

    /// <summary>Quantizer scale factor DETL / DETH (linear).</summary>
    public int Scale;

    /// <summary>Log scale factor NBL / NBH.</summary>
    public int LogScale;

    /// <summary>Pole predictor coefficients AL1, AL2 (AH1, AH2).</summary>
    public int A1, A2;

    /// <summary>Previous partially reconstructed signals PLT(n−1), PLT(n−2).</summary>
    public int P1, P2;

    /// <summary>Previous reconstructed signals RLT(n−1), RLT(n−2).</summary>
    public int R1, R2;

    /// <summary>Zero predictor coefficients BL1 … BL6 (index 0 … 5).</summary>
    public Six B;

    /// <summary>Previous quantized differences DLT(n−1) … DLT(n−6) (index 0 … 5).</summary>
    public Six D;

    /// <summary>Initial (reset) state; <paramref name="scale"/> is DETL = 32 for the lower band, DETH = 8 for the higher.</summary>
    public static G722Band Initial(int scale) => new() { Scale = scale };

    /// <summary>Saturation to the 16-bit range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sat(int x) => Math.Clamp(x, short.MinValue, short.MaxValue);

    /// <summary>LIMIT: clamps a reconstructed sub-band signal to the 15-bit range.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Limit(int x) => Math.Clamp(x, -16384, 16383);

    /// <summary>
    /// The quantizer's magnitude of a (16-bit) difference: |e| for e ≥ 0, −e − 1 for e &lt; 0 (the Recommendation's
    /// one's-complement magnitude).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Magnitude(int e) => e ^ (e >> 31);

    /// <summary>
    /// LOGSCL + SCALEL: adapts the lower band's scale factor to the 4-bit part <paramref name="code4"/> of its code.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AdaptLowerScale(int code4)
    {
        int nb = ((LogScale * 32512) >> 15) + G722Tables.WlByCode4[code4];
        nb = Math.Clamp(nb, 0, 18432);
        LogScale = nb;
        Scale = LinearScale(nb, 8) << 2;
    }

    /// <summary>LOGSCH + SCALEH: adapts the higher band's scale factor to its 2-bit code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AdaptHigherScale(int code)
    {
        int nb = ((LogScale * 32512) >> 15) + G722Tables.WhByCode[code];
        nb = Math.Clamp(nb, 0, 22528);
        LogScale = nb;
        Scale = LinearScale(nb, 10) << 2;
    }

    /// <summary>
    /// Log-to-linear conversion of SCALEL/SCALEH: ILB((NB &gt;&gt; 6) &amp; 31) shifted right by
    /// <paramref name="bias"/> − (NB &gt;&gt; 11) (left, at the very top of the range where that is negative).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int LinearScale(int nb, int bias)
    {
        int mantissa = G722Tables.Ilb[(nb >> 6) & 31];
        int shift = bias - (nb >> 11);
        return shift >= 0 ? mantissa >> shift : mantissa << -shift;
    }

    /// <summary>
    /// Runs the predictor with the band's new quantized difference <paramref name="d"/> (DLT / DH): reconstruction
    /// (RECONS, PARREC), coefficient adaptation (UPZERO, UPPOL2, UPPOL1) and the next prediction (FILTEZ, FILTEP,
    /// PREDIC). Returns the reconstructed signal RLT / RH of this sample (before LIMIT), computed from the prediction
    /// that was in force.
    /// </summary>
    public int Update(int d)
    {
        int reconstructed = Sat(Prediction + d);       // RECONS
        int partial = Sat(d + ZeroPrediction);         // PARREC

        // UPZERO: sign-sign adaptation of the zero predictor, leak 1 − 2⁻⁷ (32640 / 32768). The sign comparisons are
        // data-dependent coin flips for audio, so they are done with masks rather than branches:
        // (x ^ y) >> 31 is −1 where the signs of x and y differ, 0 where they agree (zero counts as positive).
        int step = ((d | -d) >> 31) & 128;             // 128, or 0 when d = 0
        ref int b = ref B[0];
        ref int dl = ref D[0];
        for (int i = 0; i < 6; i++)
        {
            ref int bi = ref Unsafe.Add(ref b, i);
            int differ = (Unsafe.Add(ref dl, i) ^ d) >> 31;
            bi = Sat(((step ^ differ) - differ) + ((bi * 32640) >> 15));
        }
        Unsafe.Add(ref dl, 5) = Unsafe.Add(ref dl, 4);
        Unsafe.Add(ref dl, 4) = Unsafe.Add(ref dl, 3);
        Unsafe.Add(ref dl, 3) = Unsafe.Add(ref dl, 2);
        Unsafe.Add(ref dl, 2) = Unsafe.Add(ref dl, 1);
        Unsafe.Add(ref dl, 1) = dl;
        dl = d;

        // UPPOL2 (uses the old A1): a2 ← a2·(1 − 2⁻⁷) + 2⁻⁷·(sgn p0·p2 − f(a1)·sgn p0·p1), f(a1) = 4·a1 saturated.
        int differP1 = (partial ^ P1) >> 31;
        int differP2 = (partial ^ P2) >> 31;
        int wd1 = Sat(A1 << 2);
        int same = ~differP1;
        int wd2 = Math.Min((wd1 ^ same) - same, short.MaxValue) >> 7;   // −wd1 (saturated) when p0, p1 agree
        int wd3 = (128 ^ differP2) - differP2;
        int a2 = Math.Clamp(wd2 + wd3 + ((A2 * 32512) >> 15), -12288, 12288);

        // UPPOL1 (bounded by the new A2): a1 ← a1·(1 − 2⁻⁸) + 3·2⁻⁸·sgn p0·p1, |a1| ≤ 1 − 2⁻⁴ − a2.
        int a1 = ((192 ^ differP1) - differP1) + ((A1 * 32640) >> 15);
        int bound = 15360 - a2;
        a1 = Math.Clamp(a1, -bound, bound);
        A1 = a1;
        A2 = a2;
        P2 = P1;
        P1 = partial;

        // FILTEZ: sixth-order zero prediction from DLT(n) … DLT(n−5) (now D[0] … D[5]), accumulated from the oldest.
        int sz = 0;
        for (int i = 5; i >= 0; i--)
        {
            sz = Sat(sz + ((Sat(Unsafe.Add(ref dl, i) << 1) * Unsafe.Add(ref b, i)) >> 15));
        }
        ZeroPrediction = sz;

        // FILTEP: second-order pole prediction from RLT(n), RLT(n−1).
        R2 = R1;
        R1 = reconstructed;
        int sp = Sat(((a1 * Sat(R1 << 1)) >> 15) + ((a2 * Sat(R2 << 1)) >> 15));
        PolePrediction = sp;
        Prediction = Sat(sp + sz);                     // PREDIC
        return reconstructed;
    }

    /// <summary>Six 32-bit values stored inline.</summary>
    [InlineArray(6)]
    public struct Six
    {
        private int _element0;
    }
}
