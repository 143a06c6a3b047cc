namespace AudioFlow.Audio.Codecs.G722;

/// <summary>
/// Constant tables of ITU-T G.722 (the Recommendation's fixed-point description of the SB-ADPCM coder). Names in the comments are the Recommendation's.
/// </summary>
internal static class G722Tables
{
    /// <summary>
    /// QMF coefficients h0 … h23 (in units of 2⁻¹³). The filter is symmetric (linear phase), and the
    /// even and odd taps each sum to 4096, i.e. unity gain per polyphase branch.
    /// </summary>
    public static ReadOnlySpan<int> Qmf =>
    [
        3, -11, -11, 53, 12, -156, 32, 362, -210, -805, 951, 3876,
        3876, 951, -805, -210, 362, 32, -156, 12, 53, -11, -11, 3,
    ];

    /// <summary>
    /// Lower-band 6-bit quantizer decision levels Q6(mil), mil = 1 … 29, in units of 2⁻¹⁰ of the scale factor; index 0
    /// is the lower edge 0 of interval 1, and interval 30 is open above. Padded to 32 entries with 65536, above every
    /// target of the encoder's search (its products with DETL ≤ 16384 stay below 2³¹).
    /// </summary>
    public static ReadOnlySpan<int> Q6 =>
    [
        0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714,
        786, 858, 940, 1023, 1121, 1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 65536, 65536,
    ];

    /// <summary>6-bit lower-band code for a negative difference in interval mil (ILN); index 0 unused.</summary>
    public static ReadOnlySpan<byte> Iln =>
    [
        0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19,
        18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4,
    ];

    /// <summary>6-bit lower-band code for a non-negative difference in interval mil (ILP); index 0 unused.</summary>
    public static ReadOnlySpan<byte> Ilp =>
    [
        0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47,
        46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32,
    ];

    // ---- Inverse quantizers: signed output levels QM·8 (the Recommendation's "WD1 = QMx << 3", sign applied),
    //      indexed directly by the 6-, 5- or 4-bit code. The decoder output is (DETL · QM) >> 15. ----

    /// <summary>6-bit lower-band inverse quantizer (mode 1, 64 kbit/s).</summary>
    public static readonly short[] Qm6 = BuildQm6();

    /// <summary>5-bit lower-band inverse quantizer (mode 2, 56 kbit/s).</summary>
    public static readonly short[] Qm5 = BuildQm5();

    /// <summary>
    /// 4-bit lower-band inverse quantizer (mode 3, 48 kbit/s; and, in every mode, the one whose output DLT drives the
    /// predictor and scale-factor adaptation).
    /// </summary>
    public static readonly short[] Qm4 = BuildQm4();

    /// <summary>2-bit higher-band inverse quantizer (QQ2), indexed by IH.</summary>
    public static ReadOnlySpan<int> Qm2 => [-926 * 8, -202 * 8, 926 * 8, 202 * 8];

    /// <summary>Higher-band quantizer decision level Q2 = 564.</summary>
    public const int Q2 = 564;

    /// <summary>Lower-band log scale factor multipliers WL indexed by the 4-bit code (W of RIL4).</summary>
    public static ReadOnlySpan<int> WlByCode4 =>
    [
        -60, 3042, 1198, 538, 334, 172, 58, -30, 3042, 1198, 538, 334, 172, 58, -30, -60,
    ];

    /// <summary>Higher-band log scale factor multipliers WH indexed by IH (798 for the outer, −214 for the inner levels).</summary>
    public static ReadOnlySpan<int> WhByCode => [798, -214, 798, -214];

    /// <summary>ILB: 2^(i/32) · 2048, i = 0 … 31, the mantissa table of the log-to-linear scale factor conversion.</summary>
    public static ReadOnlySpan<int> Ilb =>
    [
        2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834,
        2896, 2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
    ];

    // Output levels (magnitudes) of the 6-, 5- and 4-bit inverse quantizers, in units of 2⁻¹⁰ of the scale factor.
    private static ReadOnlySpan<int> Level6 =>
    [
        0, 17, 54, 91, 130, 170, 211, 254, 300, 347, 396, 447, 501, 558, 618, 682,
        750, 822, 899, 982, 1072, 1170, 1279, 1399, 1535, 1689, 1873, 2088, 2376, 2738, 3101,
    ];

    private static ReadOnlySpan<int> Level5 =>
    [
        0, 35, 110, 190, 276, 370, 473, 587, 714, 858, 1023, 1219, 1458, 1765, 2195, 2919,
    ];

    private static ReadOnlySpan<int> Level4 => [0, 150, 323, 530, 786, 1121, 1612, 2557];

    private static short[] BuildQm6()
    {
        // Codes 32 … 61 (ILP) are the positive intervals 30 … 1, codes 4 … 31 and 63, 62 (ILN) the negative ones.
        // Codes 0 … 3 never come out of the encoder; the Recommendation decodes them as interval 1, negative.
        var table = new short[64];
        for (int code = 0; code < 64; code++)
        {
            int interval;
            bool negative;
            if (code < 4)
            {
                (interval, negative) = (1, true);
            }
            else if (code < 32)
            {
                (interval, negative) = (34 - code, true); // ILN: 31 → 3, …, 4 → 30
            }
            else if (code < 62)
            {
                (interval, negative) = (62 - code, false); // ILP: 61 → 1, …, 32 → 30
            }
            else
            {
                (interval, negative) = (64 - code, true); // 63 → 1, 62 → 2
            }
            int level = Level6[interval] << 3;
            table[code] = (short)(negative ? -level : level);
        }
        return table;
    }

    private static short[] BuildQm5()
    {
        // 5-bit code = 6-bit code >> 1. Codes 16 … 30 are positive levels 15 … 1, codes 2 … 15 negative 15 … 2,
        // 31, 0 and 1 negative level 1.
        var table = new short[32];
        for (int code = 0; code < 32; code++)
        {
            int level;
            bool negative;
            if (code < 2 || code == 31)
            {
                (level, negative) = (1, true);
            }
            else if (code < 16)
            {
                (level, negative) = (17 - code, true);
            }
            else
            {
                (level, negative) = (31 - code, false);
            }
            int value = Level5[level] << 3;
            table[code] = (short)(negative ? -value : value);
        }
        return table;
    }

    private static short[] BuildQm4()
    {
        // 4-bit code = 6-bit code >> 2. Codes 1 … 7 are negative levels 7 … 1, 8 … 14 positive 7 … 1, 0 and 15 zero.
        var table = new short[16];
        for (int code = 0; code < 16; code++)
        {
            int level = code is 0 or 15 ? 0 : code < 8 ? 8 - code : 15 - code;
            int value = Level4[level] << 3;
            table[code] = (short)(code is >= 1 and <= 7 ? -value : value);
        }
        return table;
    }
}
