namespace AudioFlow.Engines.Stt.Whisper;

/// <summary>What Whisper does with the speech: transcribe it in its language, or translate it to English.</summary>
public enum WhisperTask
{
    Transcribe,
    Translate,
}

/// <summary>
/// Configuration of <see cref="WhisperRecognizer"/>. The host maps <c>audioflow.engines.stt = whisper</c>
/// and <c>audioflow.engines.whisper.*</c> onto it; see <c>README.md</c> in this folder for the model folder.
/// </summary>
public sealed record WhisperOptions
{
    /// <summary>
    /// Folder of a Hugging Face Optimum ONNX export of an openai/whisper-* model: <see cref="EncoderFileName"/>,
    /// <see cref="DecoderFileName"/>, config.json, generation_config.json, preprocessor_config.json and the
    /// tokenizer files (vocab.json + merges.txt + added_tokens.json, or tokenizer.json).
    /// </summary>
    public string ModelDirectory { get; init; } = Path.Combine("models", "whisper-base.en");

    /// <summary>Encoder file in <see cref="ModelDirectory"/> (e.g. "encoder_model_quantized.onnx" for an int8 export).</summary>
    public string EncoderFileName { get; init; } = "encoder_model.onnx";

    /// <summary>Merged decoder (with and without KV cache, switched by <c>use_cache_branch</c>) in <see cref="ModelDirectory"/>.</summary>
    public string DecoderFileName { get; init; } = "decoder_model_merged.onnx";

    /// <summary>
    /// Spoken language as a code ("en", "de", ...) for multilingual models. Null (default): detected per
    /// 30 s window from the decoder's first step (one extra decoder run). English-only models (*.en)
    /// ignore it.
    /// </summary>
    public string? Language { get; init; }

    /// <summary>Transcribe (default) or translate to English; multilingual models only.</summary>
    public WhisperTask Task { get; init; } = WhisperTask.Transcribe;

    /// <summary>ONNX Runtime threads inside one inference (intra-op); 0 lets ORT choose (one per physical core).</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>ONNX Runtime threads across graph nodes; execution is sequential, so 1.</summary>
    public int InterOpThreads { get; init; } = 1;

    /// <summary>
    /// A window whose probability of <c>&lt;|nospeech|&gt;</c> (softmax of the first decoder step's logits at
    /// the start-of-transcript position) exceeds this is treated as silence, as OpenAI's <c>transcribe</c>
    /// does, unless <see cref="LogProbThreshold"/> vetoes it. 1 or more disables the check.
    /// </summary>
    public float NoSpeechThreshold { get; init; } = 0.6f;

    /// <summary>
    /// OpenAI's companion rule: a window over <see cref="NoSpeechThreshold"/> is still kept when the decoded
    /// text's average log-probability is above this (the model was confident in what it heard). Null:
    /// the no-speech probability alone decides, and a silent window is not decoded at all (faster).
    /// </summary>
    public float? LogProbThreshold { get; init; } = -1.0f;

    /// <summary>
    /// Most tokens decoded per 30 s window (a guard against repetition loops); OpenAI uses 224, half the
    /// decoder's context. The decoder's own limit (max_target_positions, 448) is never exceeded.
    /// </summary>
    public int MaxTokens { get; init; } = 224;

    /// <summary>
    /// Whisper has no grammar: <see cref="RecognitionContext.ExpectedPhrases"/> are ignored unless this is
    /// true, in which case they are given to the decoder as a previous-text prompt
    /// (<c>&lt;|startofprev|&gt;</c> + " phrase1, phrase2, ..."), which biases it towards their words and
    /// spelling. The result is still free text (never snapped to a phrase); <see cref="Transcript.FromGrammar"/>
    /// stays false. Off by default: prompts can also make Whisper repeat the prompt on unclear audio.
    /// </summary>
    public bool PromptWithExpectedPhrases { get; init; }

    /// <summary>Most 30 s windows run through the encoder and decoder together by <see cref="WhisperRecognizer.RecognizeBatch"/>.</summary>
    public int MaxBatchSize { get; init; } = 8;

    /// <summary>
    /// Run a silent window through the encoder and two decoder steps at load, checking output shapes (and
    /// warming ORT up), so a model that does not match its metadata fails in the constructor rather than
    /// on the first call. Costs one encoder run (about 0.1-2 s depending on model size).
    /// </summary>
    public bool ValidateOnLoad { get; init; } = true;

    /// <summary>Receives diagnostics (model summary at load, skipped silent windows). Must not throw.</summary>
    public Action<string>? Log { get; init; }
}
