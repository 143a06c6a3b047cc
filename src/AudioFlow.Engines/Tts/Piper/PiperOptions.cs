namespace AudioFlow.Engines.Tts.Piper;

/// <summary>Settings of a <see cref="PiperSynthesizer"/>.</summary>
public sealed record PiperOptions
{
    /// <summary>The voice model, <c>&lt;name&gt;.onnx</c> (e.g. en_US-lessac-medium.onnx).</summary>
    public required string ModelPath { get; init; }

    /// <summary>The voice config; null means <see cref="ModelPath"/> + ".json" (Piper's naming).</summary>
    public string? ConfigPath { get; init; }

    /// <summary>
    /// For multi-speaker voices: a name from the config's <c>speaker_id_map</c> or a numeric id; null is
    /// speaker 0. Must be null (or "0") for single-speaker voices.
    /// </summary>
    public string? Speaker { get; init; }

    /// <summary>Overrides the config's <c>inference.length_scale</c> (phoneme duration: above 1 slower, below 1 faster).</summary>
    public float? LengthScale { get; init; }

    /// <summary>Overrides the config's <c>inference.noise_scale</c> (generator noise).</summary>
    public float? NoiseScale { get; init; }

    /// <summary>Overrides the config's <c>inference.noise_w</c> (phoneme width noise).</summary>
    public float? NoiseW { get; init; }

    /// <summary>
    /// Silence placed between sentences that eSpeak finds inside one <see cref="PiperSynthesizer.Synthesize"/>
    /// call (each is inferred separately, as Piper does). Default 0.2 s, Piper's default.
    /// </summary>
    public TimeSpan SentenceSilence { get; init; } = TimeSpan.FromSeconds(0.2);

    /// <summary>
    /// The espeak-ng-data directory or its parent for phonemisation; null uses the library default. eSpeak NG is
    /// process-global: the first espeak or Piper synthesiser created fixes it (see <see cref="Espeak.EspeakOptions.DataPath"/>).
    /// </summary>
    public string? EspeakDataPath { get; init; }

    /// <summary>Leading/trailing silence trimming of each result; null (default) keeps the model's audio.</summary>
    public SilenceTrimming? TrimSilence { get; init; }

    /// <summary>ONNX Runtime threads inside one inference; 1 (default) runs on the calling thread, 0 lets ORT pick.</summary>
    public int IntraOpThreads { get; init; } = 1;

    internal string ResolvedConfigPath => ConfigPath ?? ModelPath + ".json";

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ModelPath, nameof(ModelPath));
        if (ConfigPath is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(ConfigPath, nameof(ConfigPath));
        }

        foreach (var (value, name) in new[] { (LengthScale, nameof(LengthScale)), (NoiseScale, nameof(NoiseScale)), (NoiseW, nameof(NoiseW)) })
        {
            if (value is { } v && (!float.IsFinite(v) || v < 0 || (name == nameof(LengthScale) && v == 0)))
            {
                throw new ArgumentOutOfRangeException(name, v, $"{name} must be finite and non-negative (LengthScale positive).");
            }
        }

        if (SentenceSilence < TimeSpan.Zero || SentenceSilence > TimeSpan.FromSeconds(5))
        {
            throw new ArgumentOutOfRangeException(nameof(SentenceSilence), SentenceSilence, "SentenceSilence must be between 0 and 5 seconds.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(IntraOpThreads, nameof(IntraOpThreads));
        TrimSilence?.Validate();
    }
}
