namespace AudioFlow.Audio.Dtmf;

/// <summary>Acceptance thresholds of <see cref="DtmfDetector"/>. Defaults follow common practice for telephone lines.</summary>
public sealed record DtmfDetectorOptions
{
    public static readonly DtmfDetectorOptions Default = new();

    /// <summary>
    /// Weakest tone accepted, as peak amplitude relative to full scale (each of the two tones must reach it).
    /// −36 dBFS is about −33 dBm0 on a G.711 line; typical phones send −6 to −10 dBm0 per tone.
    /// </summary>
    public double MinToneLevelDbfs { get; init; } = -36;

    /// <summary>How much louder the low (row) tone may be than the high (column) tone, in dB (high frequencies lose more on lines).</summary>
    public double MaxLowToneExcessDb { get; init; } = 8;

    /// <summary>How much louder the high (column) tone may be than the low (row) tone, in dB.</summary>
    public double MaxHighToneExcessDb { get; init; } = 8;

    /// <summary>The strongest tone of each group must exceed every other tone of its group by this many dB.</summary>
    public double MinRelativePeakDb { get; init; } = 10;

    /// <summary>
    /// Share of the block's total energy the two tones must carry (0-1). Rejects speech and music, whose energy is
    /// spread over many frequencies, and tones buried in noise (0.8 still accepts tones at about 10 dB SNR).
    /// </summary>
    public double MinToneEnergyFraction { get; init; } = 0.8;

    /// <summary>
    /// The second harmonic of each tone must be at least this many dB below the tone. DTMF generators produce pure
    /// tones; voiced speech whose pitch harmonics happen to fall on a row and a column frequency also has energy at
    /// twice those frequencies. Keep it below ~8 dB: within a 12.75 ms block a tone leaks about −10 dB into a bin
    /// 60-70 Hz away. (For 2, 6 and C, whose doubled row frequency lies that close to their column tone, the row
    /// harmonic is only required to stay below the row tone.)
    /// </summary>
    public double MinSecondHarmonicRejectionDb { get; init; } = 6;
}
