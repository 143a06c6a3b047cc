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
    /// spread over many frequencies, and tones buried in noise.
    /// </summary>
    public double MinToneEnergyFraction { get; init; } = 0.6;
}
