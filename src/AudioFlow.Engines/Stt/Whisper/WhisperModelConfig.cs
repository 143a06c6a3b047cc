using System.Text.Json;

namespace AudioFlow.Engines.Stt.Whisper;

/// <summary>
/// What <see cref="WhisperRecognizer"/> reads from a model folder's <c>config.json</c> (dimensions, token
/// ids), <c>generation_config.json</c> (token suppression, multilingual flag) and, when present,
/// <c>preprocessor_config.json</c> (front-end parameters, which must be Whisper's).
/// </summary>
public sealed record WhisperModelConfig
{
    public const string ConfigFile = "config.json";
    public const string GenerationConfigFile = "generation_config.json";
    public const string PreprocessorConfigFile = "preprocessor_config.json";

    public int MelBins { get; init; }

    public int DModel { get; init; }

    public int DecoderLayers { get; init; }

    public int DecoderAttentionHeads { get; init; }

    /// <summary>Encoder output positions (1500: 3000 frames after the stride-2 convolution).</summary>
    public int MaxSourcePositions { get; init; } = 1500;

    /// <summary>Decoder context in tokens (448); positions beyond it do not exist in the model.</summary>
    public int MaxTargetPositions { get; init; } = 448;

    public int? VocabularySize { get; init; }

    public int? DecoderStartTokenId { get; init; }

    public int? EosTokenId { get; init; }

    public int? NoTimestampsTokenId { get; init; }

    /// <summary>generation_config's is_multilingual; null when not stated.</summary>
    public bool? IsMultilingual { get; init; }

    /// <summary>Tokens never emitted (generation_config's suppress_tokens, else config.json's).</summary>
    public IReadOnlyList<int> SuppressTokens { get; init; } = [];

    /// <summary>Tokens not emitted as the first token of the text (begin_suppress_tokens: " " and end-of-text).</summary>
    public IReadOnlyList<int> BeginSuppressTokens { get; init; } = [];

    /// <summary>Reads the three files; config.json and generation_config.json are required.</summary>
    /// <exception cref="SpeechEngineException">A required file is missing, unreadable, or describes something that is not Whisper.</exception>
    public static WhisperModelConfig Load(string modelDirectory)
    {
        var configPath = Path.Combine(modelDirectory, ConfigFile);
        var generationPath = Path.Combine(modelDirectory, GenerationConfigFile);
        var preprocessorPath = Path.Combine(modelDirectory, PreprocessorConfigFile);
        RequireFile(configPath);
        RequireFile(generationPath);
        try
        {
            using var config = JsonDocument.Parse(File.ReadAllBytes(configPath));
            using var generation = JsonDocument.Parse(File.ReadAllBytes(generationPath));
            var c = config.RootElement;
            var g = generation.RootElement;
            if (Str(c, "model_type") is { } type && type != "whisper")
            {
                throw new SpeechEngineException($"{configPath}: model_type is '{type}', not 'whisper'.");
            }

            var result = new WhisperModelConfig
            {
                MelBins = Int(c, "num_mel_bins") ?? 80,
                DModel = Int(c, "d_model") ?? throw Missing(configPath, "d_model"),
                DecoderLayers = Int(c, "decoder_layers") ?? throw Missing(configPath, "decoder_layers"),
                DecoderAttentionHeads = Int(c, "decoder_attention_heads") ?? throw Missing(configPath, "decoder_attention_heads"),
                MaxSourcePositions = Int(c, "max_source_positions") ?? 1500,
                MaxTargetPositions = Int(c, "max_target_positions") ?? 448,
                VocabularySize = Int(c, "vocab_size"),
                DecoderStartTokenId = Int(g, "decoder_start_token_id") ?? Int(c, "decoder_start_token_id"),
                EosTokenId = Int(g, "eos_token_id") ?? Int(c, "eos_token_id"),
                NoTimestampsTokenId = Int(g, "no_timestamps_token_id"),
                IsMultilingual = g.TryGetProperty("is_multilingual", out var ml) && ml.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? ml.GetBoolean()
                    : null,
                SuppressTokens = Ints(g, "suppress_tokens") ?? Ints(c, "suppress_tokens") ?? [],
                BeginSuppressTokens = Ints(g, "begin_suppress_tokens") ?? Ints(c, "begin_suppress_tokens") ?? [],
            };

            if (File.Exists(preprocessorPath))
            {
                using var preprocessor = JsonDocument.Parse(File.ReadAllBytes(preprocessorPath));
                var p = preprocessor.RootElement;
                Expect(p, "n_fft", WhisperLogMel.FftSize, preprocessorPath);
                Expect(p, "hop_length", WhisperLogMel.HopLength, preprocessorPath);
                Expect(p, "sampling_rate", WhisperLogMel.SampleRate, preprocessorPath);
                Expect(p, "n_samples", WhisperLogMel.ChunkSamples, preprocessorPath);
                Expect(p, "nb_max_frames", WhisperLogMel.Frames, preprocessorPath);
                if (Int(p, "feature_size") is { } features && features != result.MelBins)
                {
                    throw new SpeechEngineException(
                        $"{preprocessorPath}: feature_size {features} disagrees with num_mel_bins {result.MelBins} in {ConfigFile}.");
                }
            }

            if (result.MelBins is not (80 or 128))
            {
                throw new SpeechEngineException($"{configPath}: num_mel_bins {result.MelBins}; Whisper uses 80 or 128.");
            }

            return result;
        }
        catch (Exception e) when (e is JsonException or IOException or InvalidOperationException or FormatException or UnauthorizedAccessException)
        {
            throw new SpeechEngineException($"Could not read the Whisper model configuration in '{modelDirectory}': {e.Message}", e);
        }
    }

    private static void RequireFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new SpeechEngineException($"Whisper model file missing: '{path}'.");
        }
    }

    private static SpeechEngineException Missing(string path, string key) => new($"{path}: '{key}' is missing.");

    private static void Expect(JsonElement e, string key, int expected, string path)
    {
        if (Int(e, key) is { } value && value != expected)
        {
            throw new SpeechEngineException($"{path}: {key} is {value}; Whisper's front end uses {expected}.");
        }
    }

    private static string? Str(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int? Int(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetInt32() : null;

    private static int[]? Ints(JsonElement e, string key) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.Array
            ? v.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number).Select(x => x.GetInt32()).ToArray()
            : null;
}
