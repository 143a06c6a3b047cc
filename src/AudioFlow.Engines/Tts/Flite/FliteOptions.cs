namespace AudioFlow.Engines.Tts.Flite;

/// <summary>Settings of a <see cref="FliteSynthesizer"/>.</summary>
public sealed record FliteOptions
{
    /// <summary>
    /// One of the voices in Debian's libflite1: "slt" (US female, 16 kHz, the most natural), "rms" and
    /// "awb" (male, 16 kHz; awb has a Scottish accent), "kal" (US male diphone, 8 kHz — telephone rate)
    /// and "kal16" (the same at 16 kHz). Case-insensitive.
    /// </summary>
    public string Voice { get; init; } = "slt";

    /// <summary>
    /// Flite's "duration_stretch" feature: 1 is the voice's nominal speed, above 1 slower, below 1 faster
    /// (0.5..3 accepted). Null keeps the voice's own default (1.0, or 1.1 for kal).
    /// </summary>
    public float? DurationStretch { get; init; }

    /// <summary>
    /// Reseed the C library's <c>rand()</c> before each synthesis so that a sentence always gives exactly
    /// the same samples (the clustergen voices use it for their noise excitation; this also makes the
    /// output identical to the <c>flite</c> CLI). It resets the process-wide <c>rand()</c> sequence, which
    /// matters only if other native code in the process relies on it; set false to leave it alone.
    /// </summary>
    public bool Deterministic { get; init; } = true;

    /// <summary>Leading/trailing silence trimming of each sentence; null keeps the audio as Flite produces it.</summary>
    public SilenceTrimming? TrimSilence { get; init; } = SilenceTrimming.Default;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Voice))
        {
            throw new ArgumentException("A flite voice name is required.", nameof(Voice));
        }

        if (DurationStretch is { } stretch && !(stretch >= 0.5f && stretch <= 3f))
        {
            throw new ArgumentOutOfRangeException(nameof(DurationStretch), stretch, "The duration stretch must be between 0.5 and 3.");
        }

        TrimSilence?.Validate();
    }
}
