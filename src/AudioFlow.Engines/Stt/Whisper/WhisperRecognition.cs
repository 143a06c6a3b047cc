namespace AudioFlow.Engines.Stt.Whisper;

/// <summary>The result of one utterance with the details behind it (one entry per 30 s window).</summary>
public sealed record WhisperRecognition(Transcript Transcript, IReadOnlyList<WhisperWindowResult> Windows, TimeSpan Elapsed)
{
    /// <summary>Text of all windows, including those skipped as no-speech (what the model would have said).</summary>
    public string RawText => string.Join(" ", Windows.Select(w => w.RawText).Where(t => t.Length > 0));
}

/// <summary>
/// One 30 s window's decoding.
/// </summary>
/// <param name="Tokens">Generated text tokens (end-of-text excluded).</param>
/// <param name="RawText">Their text, trimmed, even when the window was <paramref name="SkippedAsNoSpeech"/>.</param>
/// <param name="NoSpeechProbability">Softmax probability of &lt;|nospeech|&gt; at the start-of-transcript position of the first decoder step.</param>
/// <param name="AverageLogProbability">Mean natural-log probability of the generated tokens including end-of-text (OpenAI's avg_logprob); -∞ when nothing was decoded.</param>
/// <param name="Confidence">Mean probability of the same tokens (what <see cref="Transcript.Confidence"/> reports).</param>
/// <param name="Language">Language code the window was decoded as (null for English-only models).</param>
/// <param name="SkippedAsNoSpeech">The no-speech rule blanked this window.</param>
/// <param name="ReachedEndOfText">False when the token guard stopped decoding.</param>
/// <param name="DecoderSteps">Decoder runs for this window's batch (the prompt step included).</param>
public sealed record WhisperWindowResult(
    IReadOnlyList<int> Tokens,
    string RawText,
    float NoSpeechProbability,
    float AverageLogProbability,
    float Confidence,
    string? Language,
    bool SkippedAsNoSpeech,
    bool ReachedEndOfText,
    int DecoderSteps,
    TimeSpan FrontEndTime,
    TimeSpan EncoderTime,
    TimeSpan DecoderTime);

/// <summary>What a loaded Whisper model looks like (read from its ONNX signature and config files).</summary>
public sealed record WhisperModelInfo(
    string Directory,
    int MelBins,
    int DModel,
    int DecoderLayers,
    int DecoderHeads,
    int HeadDim,
    int VocabularySize,
    int MaxTargetPositions,
    bool IsMultilingual,
    string MelFilterSource,
    string TokenizerSource);
