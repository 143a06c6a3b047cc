using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AudioFlow.Engines.Stt.Whisper;

/// <summary>
/// OpenAI Whisper speech recognition on ONNX Runtime, from a Hugging Face Optimum export (encoder +
/// merged decoder with KV cache; see <see cref="WhisperOptions.ModelDirectory"/> and README.md).
/// <para>
/// <b>Per utterance</b>: 16 kHz PCM16 → <see cref="WhisperLogMel"/> features per 30 s window (longer
/// utterances are cut into equal windows of at most 30 s, decoded independently and joined) → encoder →
/// greedy decoding: the first decoder step feeds the prompt (<c>&lt;|startoftranscript|&gt;</c>, for
/// multilingual models the language and task tokens, then <c>&lt;|notimestamps|&gt;</c>) with
/// <c>use_cache_branch=false</c> and an empty past; every further step feeds the last token with
/// <c>use_cache_branch=true</c>, the self-attention cache from the previous step's <c>present.*.decoder.*</c>
/// and the cross-attention cache from the first step's <c>present.*.encoder.*</c>. Suppressed: the
/// generation config's <c>suppress_tokens</c>, every special and timestamp token except end-of-text, and at
/// the first text token its <c>begin_suppress_tokens</c>. Decoding stops at end-of-text or after
/// <see cref="WhisperOptions.MaxTokens"/> tokens.
/// </para>
/// <para>
/// <b>Silence</b>: the probability of <c>&lt;|nospeech|&gt;</c> at the start-of-transcript position of the
/// first step; above <see cref="WhisperOptions.NoSpeechThreshold"/> (and, by default, with an average
/// log-probability below <see cref="WhisperOptions.LogProbThreshold"/>, as in OpenAI's transcribe) the
/// window yields no text; an utterance with no text left gives <see cref="Transcript.Empty"/>.
/// </para>
/// <para>
/// <b>Confidence</b>: the arithmetic mean of the probabilities (softmax after suppression) of the tokens the
/// decoder chose, end-of-text included, over the windows that produced text. It reflects how sure the
/// decoder was of each step, not the probability that the transcript is right; in the same way as
/// pocketsphinx's it ranks results rather than being calibrated. <see cref="Transcript.FromGrammar"/> is
/// always false: Whisper has no grammar (see <see cref="WhisperOptions.PromptWithExpectedPhrases"/>).
/// </para>
/// <para>
/// <b>Sharing</b>: one instance per process; the two sessions are loaded once and shared, ORT's Run is
/// thread-safe, and a call owns nothing but its buffers, so concurrent calls need no pool.
/// <see cref="RecognizeBatch"/> decodes several utterances' windows in one batch. Dispose only once no
/// call is running.
/// </para>
/// </summary>
public sealed class WhisperRecognizer : ISpeechRecognizer
{
    private readonly WhisperOptions _options;
    private readonly WhisperModelConfig _config;
    private readonly WhisperTokenizer _tokenizer;
    private readonly WhisperLogMel _frontEnd;
    private readonly WhisperOnnxModel _model;
    private readonly int _vocabulary;
    private readonly bool[] _suppress;
    private readonly bool[] _beginSuppress;
    private readonly bool _multilingual;
    private readonly int _fixedLanguage = -1;
    private readonly int _taskToken = -1;
    private readonly int[] _languageIds = [];
    private readonly Dictionary<int, string> _languageCodes = [];
    private volatile bool _disposed;

    /// <summary>
    /// Loads and checks the model folder: config files, tokenizer, mel filters, both ONNX sessions and their
    /// signature, then (with <see cref="WhisperOptions.ValidateOnLoad"/>) one test decode.
    /// </summary>
    /// <exception cref="SpeechEngineException">A file is missing or does not match the Whisper export layout; the message names it.</exception>
    public WhisperRecognizer(WhisperOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxTokens, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.IntraOpThreads, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.InterOpThreads, nameof(options));
        _options = options;
        var stopwatch = Stopwatch.StartNew();
        var directory = Path.GetFullPath(options.ModelDirectory);
        if (!Directory.Exists(directory))
        {
            throw new SpeechEngineException(
                $"Whisper model folder not found: '{directory}' (see src/AudioFlow.Engines/Stt/Whisper/README.md for how to get one).");
        }

        _config = WhisperModelConfig.Load(directory);
        _tokenizer = WhisperTokenizer.FromDirectory(directory);
        CheckTokenIds(directory);
        _frontEnd = new WhisperLogMel(WhisperMelFilters.ForModel(directory, _config.MelBins));
        _model = new WhisperOnnxModel(directory, options, _config);
        try
        {
            _vocabulary = _model.VocabularySize;
            if (_vocabulary <= _tokenizer.NoTimestamps)
            {
                throw new SpeechEngineException(
                    $"Whisper model in '{directory}': {_vocabulary} logits cannot cover the tokenizer's special tokens (<|notimestamps|> is {_tokenizer.NoTimestamps}).");
            }

            (_suppress, _beginSuppress) = BuildSuppression();
            _multilingual = _config.IsMultilingual ?? _vocabulary >= 51865;
            if (_multilingual)
            {
                _languageIds = _tokenizer.LanguageTokens.Values.Where(id => id < _vocabulary).Order().ToArray();
                foreach (var (code, id) in _tokenizer.LanguageTokens)
                {
                    _languageCodes[id] = code;
                }

                if (options.Language is { } language)
                {
                    _fixedLanguage = _tokenizer.LanguageToken(language)
                        ?? throw new SpeechEngineException($"Whisper: unknown language '{language}' (the tokenizer has no <|{language}|> token).");
                }
                else if (_languageIds.Length == 0)
                {
                    throw new SpeechEngineException($"Whisper model in '{directory}' is multilingual but its tokenizer has no language tokens.");
                }

                _taskToken = options.Task == WhisperTask.Translate ? _tokenizer.Translate : _tokenizer.Transcribe;
                if (_taskToken < 0)
                {
                    throw new SpeechEngineException($"Whisper tokenizer in '{directory}' has no <|{options.Task.ToString().ToLowerInvariant()}|> token.");
                }
            }
            else if (options.Task == WhisperTask.Translate || options.Language is { } language && language.Trim().ToLowerInvariant() != "en")
            {
                throw new SpeechEngineException(
                    $"Whisper model in '{directory}' is English-only: it cannot {(options.Task == WhisperTask.Translate ? "translate" : $"transcribe language '{options.Language}'")}; use a multilingual model.");
            }

            Info = new WhisperModelInfo(
                directory, _config.MelBins, _config.DModel, _model.Layers, _model.Heads, _model.HeadDim, _vocabulary,
                _config.MaxTargetPositions, _multilingual, _frontEnd.Filters.Source, _tokenizer.Source);
            if (options.ValidateOnLoad)
            {
                ValidateByTestRun();
            }

            Log(string.Create(CultureInfo.InvariantCulture,
                $"Whisper: loaded '{directory}' in {stopwatch.ElapsedMilliseconds} ms: {_model.Layers} decoder layers × {_model.Heads} heads × {_model.HeadDim}, {_config.MelBins} mels, vocabulary {_vocabulary}, {(_multilingual ? "multilingual" : "English-only")}, mel filters {_frontEnd.Filters.Source}."));
        }
        catch
        {
            _model.Dispose();
            throw;
        }
    }

    public string Name => "whisper";

    /// <inheritdoc />
    public int SampleRate => WhisperLogMel.SampleRate;

    public WhisperOptions Options => _options;

    public WhisperModelInfo Info { get; }

    public WhisperTokenizer Tokenizer => _tokenizer;

    public WhisperLogMel FrontEnd => _frontEnd;

    /// <inheritdoc />
    public Transcript Recognize(ReadOnlySpan<short> utterance, RecognitionContext context, CancellationToken cancellationToken)
        => RecognizeDetailed(utterance, context, cancellationToken).Transcript;

    /// <summary><see cref="Recognize"/> with the per-window details (tokens, no-speech probability, timings).</summary>
    public WhisperRecognition RecognizeDetailed(ReadOnlySpan<short> utterance, RecognitionContext context, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var stopwatch = Stopwatch.StartNew();
        if (utterance.IsEmpty)
        {
            return new WhisperRecognition(Transcript.Empty, [], stopwatch.Elapsed);
        }

        var audio = ArrayPool<float>.Shared.Rent(utterance.Length);
        try
        {
            WhisperLogMel.ToFloat(utterance, audio);
            var windows = Split(audio, utterance.Length);
            var results = DecodeAll(windows, BuildPrefix(context), cancellationToken);
            return Combine(results, stopwatch.Elapsed);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(audio);
        }
    }

    /// <summary>
    /// Recognises several utterances (e.g. the ended turns of different calls) together: their 30 s
    /// windows go through the encoder and the decoder as batches of up to
    /// <see cref="WhisperOptions.MaxBatchSize"/>, decoding in lockstep until every row has ended. Results
    /// equal what <see cref="RecognizeDetailed"/> gives for each utterance. One context applies to all
    /// (it only matters with <see cref="WhisperOptions.PromptWithExpectedPhrases"/>).
    /// </summary>
    public IReadOnlyList<WhisperRecognition> RecognizeBatch(
        IReadOnlyList<ReadOnlyMemory<short>> utterances, RecognitionContext context, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(utterances);
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var stopwatch = Stopwatch.StartNew();
        var buffers = new float[utterances.Count][];
        try
        {
            var windows = new List<Window>();
            var owners = new List<int>();
            for (var u = 0; u < utterances.Count; u++)
            {
                var pcm = utterances[u].Span;
                buffers[u] = ArrayPool<float>.Shared.Rent(Math.Max(1, pcm.Length));
                WhisperLogMel.ToFloat(pcm, buffers[u]);
                foreach (var window in Split(buffers[u], pcm.Length))
                {
                    windows.Add(window);
                    owners.Add(u);
                }
            }

            var results = DecodeAll(windows, BuildPrefix(context), cancellationToken);
            var recognitions = new WhisperRecognition[utterances.Count];
            for (var u = 0; u < utterances.Count; u++)
            {
                var mine = results.Where((_, i) => owners[i] == u).ToArray();
                recognitions[u] = mine.Length == 0
                    ? new WhisperRecognition(Transcript.Empty, [], stopwatch.Elapsed)
                    : Combine(mine, stopwatch.Elapsed);
            }

            return recognitions;
        }
        finally
        {
            foreach (var buffer in buffers)
            {
                if (buffer is not null)
                {
                    ArrayPool<float>.Shared.Return(buffer);
                }
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _model.Dispose();
    }

    private readonly record struct Window(float[] Audio, int Offset, int Length);

    /// <summary>Cuts an utterance into the fewest equal windows of at most 30 s (no short tail window).</summary>
    private static List<Window> Split(float[] audio, int length)
    {
        var windows = new List<Window>();
        if (length == 0)
        {
            return windows;
        }

        var count = (length + WhisperLogMel.ChunkSamples - 1) / WhisperLogMel.ChunkSamples;
        var size = (length + count - 1) / count;
        for (var start = 0; start < length; start += size)
        {
            windows.Add(new Window(audio, start, Math.Min(size, length - start)));
        }

        return windows;
    }

    private WhisperWindowResult[] DecodeAll(List<Window> windows, int[] prefix, CancellationToken cancellationToken)
    {
        var results = new WhisperWindowResult[windows.Count];
        for (var start = 0; start < windows.Count; start += _options.MaxBatchSize)
        {
            var group = windows.GetRange(start, Math.Min(_options.MaxBatchSize, windows.Count - start));
            DecodeGroup(group, prefix, _options.MaxTokens, force: false, cancellationToken).CopyTo(results, start);
        }

        return results;
    }

    private WhisperRecognition Combine(IReadOnlyList<WhisperWindowResult> windows, TimeSpan elapsed)
    {
        var kept = windows.Where(w => !w.SkippedAsNoSpeech && w.RawText.Length > 0).ToArray();
        if (kept.Length == 0)
        {
            return new WhisperRecognition(Transcript.Empty, windows, elapsed);
        }

        var weights = kept.Select(w => w.Tokens.Count + (w.ReachedEndOfText ? 1 : 0)).ToArray();
        var confidence = kept.Select((w, i) => w.Confidence * weights[i]).Sum() / Math.Max(1, weights.Sum());
        var text = string.Join(" ", kept.Select(w => w.RawText));
        return new WhisperRecognition(new Transcript(text, confidence, false), windows, elapsed);
    }

    /// <summary>The previous-text prompt (<c>&lt;|startofprev|&gt;</c> + phrases), or nothing.</summary>
    private int[] BuildPrefix(RecognitionContext context)
    {
        if (!_options.PromptWithExpectedPhrases || !context.HasGrammar || _tokenizer.StartOfPrev < 0)
        {
            return [];
        }

        var phrases = context.ExpectedPhrases!.Select(p => p.Trim()).Where(p => p.Length > 0).ToArray();
        if (phrases.Length == 0)
        {
            return [];
        }

        var ids = _tokenizer.Encode(" " + string.Join(", ", phrases));
        var keep = Math.Min(ids.Count, (_config.MaxTargetPositions / 2) - 1);
        return [_tokenizer.StartOfPrev, .. ids.Skip(ids.Count - keep)];
    }

    private WhisperWindowResult[] DecodeGroup(List<Window> windows, int[] prefix, int maxTokens, bool force, CancellationToken cancellationToken)
    {
        var batch = windows.Count;
        var featureLength = _frontEnd.FeatureLength;
        var features = ArrayPool<float>.Shared.Rent(batch * featureLength);
        var clock = Stopwatch.StartNew();
        var disposables = new List<IDisposable>();
        using var runOptions = new RunOptions();
        using var registration = cancellationToken.Register(static o => ((RunOptions)o!).Terminate = true, runOptions);
        try
        {
            for (var b = 0; b < batch; b++)
            {
                var w = windows[b];
                _frontEnd.Compute(w.Audio.AsSpan(w.Offset, w.Length), features.AsSpan(b * featureLength, featureLength));
            }

            var frontEndTime = clock.Elapsed;
            cancellationToken.ThrowIfCancellationRequested();

            // Encoder.
            clock.Restart();
            var input = Track(disposables, OrtValue.CreateTensorValueFromMemory(
                OrtMemoryInfo.DefaultInstance, features.AsMemory(0, batch * featureLength), [batch, _config.MelBins, WhisperLogMel.Frames]));
            var encoded = Track(disposables, Run(_model.Encoder, runOptions, [WhisperOnnxModel.InputFeatures], [input],
                [WhisperOnnxModel.LastHiddenState], "encoder", cancellationToken));
            var hidden = encoded.First();
            var hiddenShape = hidden.GetTensorTypeAndShape().Shape;
            if (hiddenShape.Length != 3 || hiddenShape[0] != batch || hiddenShape[2] != _config.DModel)
            {
                throw new SpeechEngineException(
                    $"Whisper encoder '{_model.EncoderPath}' returned last_hidden_state [{string.Join(", ", hiddenShape)}], expected [{batch}, frames, {_config.DModel}].");
            }

            var encoderTime = clock.Elapsed;
            clock.Restart();
            var empty = Track(disposables, OrtValue.CreateAllocatedTensorValue(
                OrtAllocator.DefaultInstance, TensorElementType.Float, [batch, _model.Heads, 0, _model.HeadDim]));

            // Language per row (multilingual models without a configured language).
            var languages = new int[batch];
            var steps = 0;
            if (_multilingual)
            {
                if (_fixedLanguage >= 0)
                {
                    Array.Fill(languages, _fixedLanguage);
                }
                else
                {
                    DetectLanguages(runOptions, hidden, empty, languages, cancellationToken);
                    steps++;
                }
            }

            // Prompt: [prefix] SOT [language task] NOTIMESTAMPS.
            var sotIndex = prefix.Length;
            var promptLength = prefix.Length + (_multilingual ? 4 : 2);
            var limit = Math.Min(maxTokens, _config.MaxTargetPositions - promptLength);
            if (limit < 1)
            {
                throw new SpeechEngineException($"Whisper: the prompt ({promptLength} tokens) leaves no room in the decoder's {_config.MaxTargetPositions} positions.");
            }

            var ids = new long[batch * promptLength];
            for (var b = 0; b < batch; b++)
            {
                var row = ids.AsSpan(b * promptLength, promptLength);
                var at = 0;
                foreach (var id in prefix)
                {
                    row[at++] = id;
                }

                row[at++] = _tokenizer.StartOfTranscript;
                if (_multilingual)
                {
                    row[at++] = languages[b];
                    row[at++] = _taskToken;
                }

                row[at] = _tokenizer.NoTimestamps;
            }

            var rows = new RowState[batch];
            for (var b = 0; b < batch; b++)
            {
                rows[b] = new RowState();
            }

            // First step: the whole prompt, no cache; keeps the cross-attention cache for all later steps.
            var idsValue = Track(disposables, OrtValue.CreateTensorValueFromMemory(ids, [batch, promptLength]));
            var first = Track(disposables, RunDecoder(runOptions, idsValue, hidden, useCache: false, null, null, empty,
                _model.FirstStepOutputNames, cancellationToken)).ToArray();
            steps++;
            CheckDecoderOutputs(first, batch, promptLength, 0, includeEncoder: true, encoderPositions: hiddenShape[1]);
            var logits = first[0].GetTensorDataAsSpan<float>();
            var decodeEvenIfSilent = force || _options.LogProbThreshold is not null;
            for (var b = 0; b < batch; b++)
            {
                var state = rows[b];
                state.NoSpeech = _tokenizer.NoSpeech >= 0
                    ? Probability(Row(logits, b, sotIndex, promptLength), _tokenizer.NoSpeech)
                    : 0f;
                if (!decodeEvenIfSilent && state.NoSpeech > _options.NoSpeechThreshold)
                {
                    state.Finished = true;
                    state.SkippedEarly = true;
                    continue;
                }

                Accept(state, Pick(Row(logits, b, promptLength - 1, promptLength), begin: true, out var logProb), logProb);
            }

            var selfPast = new OrtValue[2 * _model.Layers];
            var crossPast = new OrtValue[2 * _model.Layers];
            for (var i = 0; i < _model.Layers; i++)
            {
                selfPast[2 * i] = first[1 + (4 * i)];
                selfPast[(2 * i) + 1] = first[2 + (4 * i)];
                crossPast[2 * i] = first[3 + (4 * i)];
                crossPast[(2 * i) + 1] = first[4 + (4 * i)];
            }

            // Later steps: one token per row, with the cache.
            var generated = 1;
            IDisposable? previous = null;
            var next = new long[batch];
            try
            {
                while (generated < limit && rows.Any(r => !r.Finished))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    for (var b = 0; b < batch; b++)
                    {
                        next[b] = rows[b].Finished ? _tokenizer.EndOfText : rows[b].Last;
                    }

                    using var nextValue = OrtValue.CreateTensorValueFromMemory(next, [batch, 1]);
                    var outputs = RunDecoder(runOptions, nextValue, hidden, useCache: true, selfPast, crossPast, empty,
                        _model.NextStepOutputNames, cancellationToken);
                    var values = outputs.ToArray();
                    previous?.Dispose();
                    previous = outputs;
                    steps++;
                    CheckDecoderOutputs(values, batch, 1, promptLength + generated - 1, includeEncoder: false, encoderPositions: 0);
                    for (var i = 0; i < 2 * _model.Layers; i++)
                    {
                        selfPast[i] = values[1 + i];
                    }

                    logits = values[0].GetTensorDataAsSpan<float>();
                    for (var b = 0; b < batch; b++)
                    {
                        if (!rows[b].Finished)
                        {
                            Accept(rows[b], Pick(Row(logits, b, 0, 1), begin: false, out var logProb), logProb);
                        }
                    }

                    generated++;
                }
            }
            finally
            {
                previous?.Dispose();
            }

            var decoderTime = clock.Elapsed;
            var results = new WhisperWindowResult[batch];
            for (var b = 0; b < batch; b++)
            {
                var state = rows[b];
                var text = _tokenizer.Decode(state.Tokens).Trim();
                var average = state.Count > 0 ? (float)(state.SumLogProb / state.Count) : float.NegativeInfinity;
                var confidence = state.Count > 0 ? (float)(state.SumProb / state.Count) : 0f;
                var skipped = state.SkippedEarly
                    || (!force && state.NoSpeech > _options.NoSpeechThreshold
                        && (_options.LogProbThreshold is not { } threshold || average < threshold));
                if (skipped)
                {
                    Log(string.Create(CultureInfo.InvariantCulture,
                        $"Whisper: window skipped as no speech (p={state.NoSpeech:0.000}, avg logprob {average:0.00}): \"{text}\"."));
                }

                results[b] = new WhisperWindowResult(
                    state.Tokens, text, state.NoSpeech, average, confidence,
                    _multilingual ? _languageCodes.GetValueOrDefault(languages[b]) : null,
                    skipped, state.ReachedEnd, steps, frontEndTime, encoderTime, decoderTime);
            }

            return results;
        }
        finally
        {
            for (var i = disposables.Count - 1; i >= 0; i--)
            {
                disposables[i].Dispose();
            }

            ArrayPool<float>.Shared.Return(features);
        }
    }

    private sealed class RowState
    {
        public List<int> Tokens { get; } = [];

        public int Last { get; set; }

        public bool Finished { get; set; }

        public bool ReachedEnd { get; set; }

        public bool SkippedEarly { get; set; }

        public float NoSpeech { get; set; }

        public double SumLogProb { get; set; }

        public double SumProb { get; set; }

        public int Count { get; set; }
    }

    private void Accept(RowState state, int token, double logProb)
    {
        state.SumLogProb += logProb;
        state.SumProb += Math.Exp(logProb);
        state.Count++;
        state.Last = token;
        if (token == _tokenizer.EndOfText)
        {
            state.Finished = true;
            state.ReachedEnd = true;
        }
        else
        {
            state.Tokens.Add(token);
        }
    }

    private void DetectLanguages(RunOptions runOptions, OrtValue hidden, OrtValue empty, int[] languages, CancellationToken cancellationToken)
    {
        var batch = languages.Length;
        var sot = new long[batch];
        Array.Fill(sot, _tokenizer.StartOfTranscript);
        using var sotValue = OrtValue.CreateTensorValueFromMemory(sot, [batch, 1]);
        using var outputs = RunDecoder(runOptions, sotValue, hidden, useCache: false, null, null, empty,
            [WhisperOnnxModel.Logits], cancellationToken);
        var logits = outputs.First().GetTensorDataAsSpan<float>();
        for (var b = 0; b < batch; b++)
        {
            var row = Row(logits, b, 0, 1);
            var best = _languageIds[0];
            foreach (var id in _languageIds)
            {
                if (row[id] > row[best])
                {
                    best = id;
                }
            }

            languages[b] = best;
        }
    }

    private IDisposableReadOnlyCollection<OrtValue> RunDecoder(
        RunOptions runOptions, OrtValue ids, OrtValue hidden, bool useCache, OrtValue[]? selfPast, OrtValue[]? crossPast,
        OrtValue empty, string[] outputNames, CancellationToken cancellationToken)
    {
        var names = _model.DecoderInputNames;
        var values = new OrtValue[names.Length];
        values[0] = ids;
        values[1] = hidden;
        values[2] = useCache ? _model.UseCacheTrue : _model.UseCacheFalse;
        for (var i = 0; i < _model.Layers; i++)
        {
            values[3 + (4 * i)] = selfPast?[2 * i] ?? empty;
            values[4 + (4 * i)] = selfPast?[(2 * i) + 1] ?? empty;
            values[5 + (4 * i)] = crossPast?[2 * i] ?? empty;
            values[6 + (4 * i)] = crossPast?[(2 * i) + 1] ?? empty;
        }

        return Run(_model.Decoder, runOptions, names, values, outputNames, "decoder", cancellationToken);
    }

    private static IDisposableReadOnlyCollection<OrtValue> Run(
        InferenceSession session, RunOptions runOptions, IReadOnlyCollection<string> names, IReadOnlyCollection<OrtValue> values,
        IReadOnlyCollection<string> outputs, string what, CancellationToken cancellationToken)
    {
        try
        {
            return session.Run(runOptions, names, values, outputs);
        }
        catch (OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("Whisper recognition was cancelled.", e, cancellationToken);
        }
        catch (OnnxRuntimeException e)
        {
            throw new SpeechEngineException($"Whisper {what} inference failed: {e.Message}", e);
        }
    }

    /// <summary>Checks logits [batch, seq, vocab] and the presents' [batch, heads, positions, head_dim].</summary>
    private void CheckDecoderOutputs(OrtValue[] values, int batch, int sequence, int past, bool includeEncoder, long encoderPositions)
    {
        var logits = values[0].GetTensorTypeAndShape().Shape;
        if (logits.Length != 3 || logits[0] != batch || logits[1] != sequence || logits[2] != _vocabulary)
        {
            throw new SpeechEngineException(
                $"Whisper decoder '{_model.DecoderPath}' returned logits [{string.Join(", ", logits)}], expected [{batch}, {sequence}, {_vocabulary}].");
        }

        var perLayer = includeEncoder ? 4 : 2;
        for (var i = 0; i < _model.Layers; i++)
        {
            for (var j = 0; j < perLayer; j++)
            {
                var positions = j < 2 ? past + sequence : encoderPositions;
                var shape = values[1 + (perLayer * i) + j].GetTensorTypeAndShape().Shape;
                if (shape.Length != 4 || shape[0] != batch || shape[1] != _model.Heads || shape[2] != positions || shape[3] != _model.HeadDim)
                {
                    var name = (includeEncoder ? _model.FirstStepOutputNames : _model.NextStepOutputNames)[1 + (perLayer * i) + j];
                    throw new SpeechEngineException(
                        $"Whisper decoder '{_model.DecoderPath}' returned {name} [{string.Join(", ", shape)}], expected [{batch}, {_model.Heads}, {positions}, {_model.HeadDim}].");
                }
            }
        }
    }

    private ReadOnlySpan<float> Row(ReadOnlySpan<float> logits, int batchIndex, int position, int sequence) =>
        logits.Slice(((batchIndex * sequence) + position) * _vocabulary, _vocabulary);

    /// <summary>Greedy choice over the unsuppressed tokens, with its log-probability among them.</summary>
    private int Pick(ReadOnlySpan<float> logits, bool begin, out double logProb)
    {
        var best = -1;
        var max = float.NegativeInfinity;
        for (var v = 0; v < logits.Length; v++)
        {
            if (_suppress[v] || (begin && _beginSuppress[v]))
            {
                continue;
            }

            if (logits[v] > max)
            {
                max = logits[v];
                best = v;
            }
        }

        if (best < 0)
        {
            logProb = double.NegativeInfinity;
            return _tokenizer.EndOfText;
        }

        // Terms more than 40 below the maximum add less than 1e-12 in total: skip their exp.
        var sum = 0.0;
        var floor = max - 40f;
        for (var v = 0; v < logits.Length; v++)
        {
            if (logits[v] > floor && !_suppress[v] && !(begin && _beginSuppress[v]))
            {
                sum += Math.Exp(logits[v] - max);
            }
        }

        logProb = -Math.Log(sum);
        return best;
    }

    /// <summary>Softmax probability of <paramref name="token"/> over all logits.</summary>
    private static float Probability(ReadOnlySpan<float> logits, int token)
    {
        var max = float.NegativeInfinity;
        foreach (var l in logits)
        {
            max = Math.Max(max, l);
        }

        var sum = 0.0;
        var floor = max - 40f;
        foreach (var l in logits)
        {
            if (l > floor)
            {
                sum += Math.Exp(l - max);
            }
        }

        return (float)(Math.Exp(logits[token] - max) / sum);
    }

    private (bool[] Suppress, bool[] Begin) BuildSuppression()
    {
        var suppress = new bool[_vocabulary];
        var begin = new bool[_vocabulary];
        foreach (var id in _config.SuppressTokens.Where(id => id >= 0 && id < _vocabulary))
        {
            suppress[id] = true;
        }

        for (var id = _tokenizer.EndOfText + 1; id < _vocabulary; id++)
        {
            suppress[id] = true; // start-of-transcript, languages, tasks, prompts, no-speech, no-timestamps, timestamps
        }

        suppress[_tokenizer.EndOfText] = false;
        foreach (var id in _config.BeginSuppressTokens.Where(id => id >= 0 && id < _vocabulary))
        {
            begin[id] = true;
        }

        return (suppress, begin);
    }

    private void CheckTokenIds(string directory)
    {
        void Same(int? configured, int actual, string key, string token)
        {
            if (configured is { } value && value != actual)
            {
                throw new SpeechEngineException(
                    $"Whisper model in '{directory}': {key} is {value} but the tokenizer's {token} is {actual}; the config and tokenizer files do not belong together.");
            }
        }

        Same(_config.DecoderStartTokenId, _tokenizer.StartOfTranscript, "decoder_start_token_id", "<|startoftranscript|>");
        Same(_config.EosTokenId, _tokenizer.EndOfText, "eos_token_id", "<|endoftext|>");
        Same(_config.NoTimestampsTokenId, _tokenizer.NoTimestamps, "no_timestamps_token_id", "<|notimestamps|>");
    }

    /// <summary>One silent window, the prompt step and one cached step, with every output shape checked.</summary>
    private void ValidateByTestRun()
    {
        var silence = new float[WhisperLogMel.SampleRate];
        try
        {
            DecodeGroup([new Window(silence, 0, silence.Length)], [], maxTokens: 2, force: true, CancellationToken.None);
        }
        catch (SpeechEngineException e)
        {
            throw new SpeechEngineException($"Whisper model in '{Info.Directory}' failed its test decode: {e.Message}", e);
        }
    }

    private static T Track<T>(List<IDisposable> disposables, T value)
        where T : IDisposable
    {
        disposables.Add(value);
        return value;
    }

    private void Log(string message)
    {
        try
        {
            _options.Log?.Invoke(message);
        }
        catch (Exception)
        {
            // Diagnostics must never break recognition.
        }
    }
}
