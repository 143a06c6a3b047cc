namespace AudioFlow.Engines.Tts;

/// <summary>
/// How a synthesiser trims the silence engines put before and after each sentence, so the first audio
/// of a reply leaves early and the gap between consecutive sentences is short and even (about
/// <see cref="KeepLeading"/> + <see cref="KeepTrailing"/>). Silence inside the sentence is never touched.
/// </summary>
public sealed record SilenceTrimming
{
    /// <summary>Keep 50 ms either side; anything quieter than -50 dBFS counts as silence.</summary>
    public static SilenceTrimming Default { get; } = new();

    /// <summary>Silence kept before the first audible sample.</summary>
    public TimeSpan KeepLeading { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Silence kept after the last audible sample.</summary>
    public TimeSpan KeepTrailing { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Samples whose magnitude is below this level (dB relative to full scale) count as silence.</summary>
    public double ThresholdDbfs { get; init; } = -50;

    /// <summary>Length of the fade applied where audio is cut (removes the click of a non-zero cut).</summary>
    public TimeSpan Fade { get; init; } = TimeSpan.FromMilliseconds(5);

    internal void Validate()
    {
        if (KeepLeading < TimeSpan.Zero || KeepTrailing < TimeSpan.Zero || Fade < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(SilenceTrimming), "Silence durations must not be negative.");
        }

        if (!(ThresholdDbfs < 0) || double.IsNaN(ThresholdDbfs))
        {
            throw new ArgumentOutOfRangeException(nameof(ThresholdDbfs), ThresholdDbfs, "The threshold must be below 0 dBFS.");
        }
    }
}
