namespace AudioFlow.Engines.Tts.Flite;

/// <summary>A registered Flite voice (process lifetime). Mutable fields are guarded by <see cref="FliteEngine.Gate"/>.</summary>
internal sealed class FliteVoice(string name, IntPtr handle, IntPtr features, float? originalDurationStretch, int sampleRate)
{
    public string Name { get; } = name;

    public IntPtr Handle { get; } = handle;

    public IntPtr Features { get; } = features;

    public float? OriginalDurationStretch { get; } = originalDurationStretch;

    public float? AppliedDurationStretch { get; set; } = originalDurationStretch;

    public int SampleRate { get; set; } = sampleRate;
}
