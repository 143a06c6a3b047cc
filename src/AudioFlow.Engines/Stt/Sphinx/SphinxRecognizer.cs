using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;

namespace AudioFlow.Engines.Stt.Sphinx;

/// <summary>
/// Speech recognition with CMU pocketsphinx (Debian's <c>libpocketsphinx.so.3</c>, 5prealpha API) and
/// the en-us model. Thread-safe: calls borrow a decoder from a bounded pool
/// (<see cref="SphinxOptions.PoolSize"/>) and decode the whole utterance in 100 ms chunks, checking the
/// cancellation token between chunks.
/// <para>
/// <b>Grammar mode</b> (<see cref="RecognitionContext.HasGrammar"/>): the expected phrases become a JSGF
/// grammar (one alternative per phrase; see <see cref="SphinxGrammar"/> for normalisation), compiled once
/// per decoder and phrase set. The result text is the expected phrase exactly as the caller wrote it.
/// </para>
/// <para>
/// <b>Free-form mode</b>: the en-us trigram language model. Accuracy on telephone audio is modest (see the
/// test report); the text is lower case without punctuation.
/// </para>
/// <para>
/// <b>Confidence</b>: the utterance is also decoded with an unconstrained phone loop, and the average
/// per-frame acoustic log-likelihood ratio of the hypothesis against it (plus a penalty for speech the
/// hypothesis leaves to silence/noise fillers) is mapped to [0, 1] by a logistic function whose midpoint
/// 0.5 is the operating point measured between in-grammar and out-of-grammar synthetic telephone speech.
/// It ranks results; it is not a calibrated probability. Grammar results below
/// <see cref="SphinxOptions.RejectionThreshold"/> are returned as <see cref="Transcript.Empty"/>
/// (out-of-grammar speech is force-matched to some phrase by a grammar search; this is what rejects it).
/// </para>
/// </summary>
public sealed class SphinxRecognizer : ISpeechRecognizer
{
    private const int MaxCachedGrammars = 1024;

    private readonly SphinxOptions _options;
    private readonly SphinxDecoderPool _pool;
    private readonly ConcurrentDictionary<string, SphinxGrammar> _grammars = new(StringComparer.Ordinal);
    private volatile bool _disposed;

    /// <summary>
    /// Loads the native libraries and one decoder (so a missing library or model fails here, with a
    /// <see cref="SpeechEngineException"/> saying what is missing); the other decoders load on demand.
    /// </summary>
    public SphinxRecognizer(SphinxOptions? options = null)
    {
        _options = options ?? new SphinxOptions();
        if (_options.SampleRate is not (8000 or 16000))
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.SampleRate, "SphinxOptions.SampleRate must be 8000 or 16000.");
        }

        if (_options.PoolSize < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.PoolSize, "SphinxOptions.PoolSize must be at least 1.");
        }

        if (_options.SampleRate == 8000 && _options.UpperFrequency8k > 4000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.UpperFrequency8k, "SphinxOptions.UpperFrequency8k must not exceed 4000 Hz.");
        }

        CheckInstallation(_options);
        _pool = new SphinxDecoderPool(_options.PoolSize, CreateDecoder);
        _pool.Seed(CreateDecoder());
    }

    public string Name => "pocketsphinx";

    /// <inheritdoc />
    public int SampleRate => _options.SampleRate;

    public SphinxOptions Options => _options;

    /// <summary>Decoders loaded so far (at most <see cref="SphinxOptions.PoolSize"/> at a time).</summary>
    public int LoadedDecoders => _pool.Created;

    /// <summary>The last warnings/errors pocketsphinx logged in this process (its log output is otherwise suppressed).</summary>
    public static IReadOnlyList<string> RecentEngineMessages => SphinxLog.RecentErrors;

    /// <summary>Loads every decoder of the pool now rather than on first concurrent use.</summary>
    public void WarmUp(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var leases = new List<SphinxDecoderPool.Lease>();
        try
        {
            for (var i = 0; i < _pool.Size; i++)
            {
                leases.Add(_pool.Rent(cancellationToken));
            }
        }
        finally
        {
            foreach (var lease in leases)
            {
                lease.Dispose();
            }
        }
    }

    /// <summary>
    /// The words of <paramref name="phrases"/> that the dictionary cannot pronounce (after normalisation),
    /// i.e. that a grammar built from them would drop. Use it to validate dialogue configuration.
    /// </summary>
    public IReadOnlyList<string> FindUnknownWords(IEnumerable<string> phrases)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var lease = _pool.Rent(CancellationToken.None);
        var unknown = new List<string>();
        foreach (var word in phrases.SelectMany(SphinxGrammar.Tokenize).Distinct(StringComparer.Ordinal))
        {
            if (!lease.Decoder.IsInDictionary(word))
            {
                unknown.Add(word);
            }
        }

        return unknown;
    }

    /// <inheritdoc />
    public Transcript Recognize(ReadOnlySpan<short> utterance, RecognitionContext context, CancellationToken cancellationToken)
        => RecognizeDetailed(utterance, context, cancellationToken).Transcript;

    /// <summary><see cref="Recognize"/> with the details behind the transcript (best guess even when rejected, scores, time).</summary>
    public SphinxRecognition RecognizeDetailed(ReadOnlySpan<short> utterance, RecognitionContext context, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        var stopwatch = Stopwatch.StartNew();
        if (IsSilent(utterance))
        {
            return SphinxRecognition.Nothing(stopwatch.Elapsed);
        }

        if (!context.HasGrammar && _options.LanguageModelPath is null)
        {
            throw new SpeechEngineException(
                "Free-form recognition needs a language model: SphinxOptions.LanguageModelPath is null.");
        }

        using var lease = _pool.Rent(cancellationToken);
        using var capture = SphinxLog.Capture();
        var decoder = lease.Decoder;

        // Grammar problems (no known word) are configuration errors: they leave the decoder untouched.
        var grammar = context.HasGrammar ? GetGrammar(context.ExpectedPhrases!, decoder) : null;
        var buffer = ArrayPool<short>.Shared.Rent(utterance.Length);
        try
        {
            var dithered = buffer.AsSpan(0, utterance.Length);
            Dither(utterance, dithered, _options.NoiseFloor);
            var result = Decode(decoder, grammar, dithered, stopwatch, cancellationToken);
            ForwardEngineMessages(capture);
            return result;
        }
        catch (OperationCanceledException)
        {
            // The decoder ended its utterance before the exception left it: it goes back to the pool.
            throw;
        }
        catch (SpeechEngineException)
        {
            // A native call failed mid-way: the decoder's state is unknown, replace it.
            lease.Poison();
            throw;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            lease.Poison();
            throw new SpeechEngineException("pocketsphinx native call failed: " + ex.Message + "; " + SphinxNative.InstallHint + ".", ex);
        }
        finally
        {
            ArrayPool<short>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Adds the <see cref="SphinxOptions.NoiseFloor"/> (triangular noise from a fixed-seed generator, so
    /// deterministic per utterance) to a copy of the utterance. See <see cref="SphinxOptions.NoiseFloor"/>
    /// for why. pocketsphinx's own -dither draws from a process-wide generator: results would vary.
    /// </summary>
    private static void Dither(ReadOnlySpan<short> input, Span<short> output, int amplitude)
    {
        if (amplitude <= 0)
        {
            input.CopyTo(output);
            return;
        }

        var span = (uint)((2 * amplitude) + 1);
        var state = 0x2545F491u;
        for (var i = 0; i < input.Length; i++)
        {
            var a = (int)(Next(ref state) % span) - amplitude;
            var b = (int)(Next(ref state) % span) - amplitude;
            output[i] = (short)Math.Clamp(input[i] + ((a + b) / 2), short.MinValue, short.MaxValue);
        }

        static uint Next(ref uint x)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            return x;
        }
    }

    private SphinxRecognition Decode(
        SphinxDecoder decoder,
        SphinxGrammar? grammar,
        ReadOnlySpan<short> utterance,
        Stopwatch stopwatch,
        CancellationToken cancellationToken)
    {
        string search;
        if (grammar is not null)
        {
            decoder.EnsureGrammar(grammar);
            search = grammar.SearchName;
        }
        else
        {
            search = SphinxDecoder.LanguageModelSearch;
        }

        var mean = decoder.CepstralMean(utterance);
        var decoded = decoder.Decode(utterance, search, mean, cancellationToken);
        if (decoded.Hypothesis.Length == 0)
        {
            return SphinxRecognition.Nothing(stopwatch.Elapsed);
        }

        var evidence = decoder.HasPhoneLoop
            ? SphinxConfidence.Evaluate(decoded, decoder.Decode(utterance, SphinxDecoder.PhoneLoopSearch, mean, cancellationToken), freeForm: grammar is null)
            : new ConfidenceEvidence(double.NaN, 0, 0, 0, 1f);

        if (grammar is null)
        {
            var transcript = new Transcript(decoded.Hypothesis, evidence.Confidence, FromGrammar: false);
            return new SphinxRecognition(transcript, decoded.Hypothesis, evidence.Confidence, false, evidence.RatioPerFrame, stopwatch.Elapsed);
        }

        var phrase = grammar.MapToPhrase(decoded.Hypothesis) ?? decoded.Hypothesis;
        if (evidence.Confidence < _options.RejectionThreshold)
        {
            _options.Log?.Invoke(
                $"pocketsphinx: rejected \"{phrase}\" as out-of-grammar (confidence {evidence.Confidence:0.00} < {_options.RejectionThreshold:0.00}, "
                + $"ratio {evidence.RatioPerFrame:0.0}/frame, {evidence.AbsorbedFrames}/{evidence.SpeechFrames} speech frames outside words).");
            return new SphinxRecognition(Transcript.Empty, phrase, evidence.Confidence, true, evidence.RatioPerFrame, stopwatch.Elapsed);
        }

        return new SphinxRecognition(
            new Transcript(phrase, evidence.Confidence, FromGrammar: true), phrase, evidence.Confidence, false, evidence.RatioPerFrame, stopwatch.Elapsed);
    }

    private SphinxGrammar GetGrammar(IReadOnlyList<string> phrases, SphinxDecoder decoder)
    {
        var key = string.Join('\u001f', phrases);
        if (_grammars.TryGetValue(key, out var grammar))
        {
            return grammar;
        }

        grammar = SphinxGrammar.Build(phrases, decoder.IsInDictionary);
        if (grammar.Problems.Length > 0)
        {
            _options.Log?.Invoke("pocketsphinx grammar: " + grammar.Problems + ".");
        }

        if (_grammars.Count >= MaxCachedGrammars)
        {
            _grammars.Clear();
        }

        return _grammars.GetOrAdd(key, grammar);
    }

    private void ForwardEngineMessages(SphinxLog.CaptureScope capture)
    {
        if (_options.Log is null)
        {
            return;
        }

        foreach (var message in capture.Messages)
        {
            _options.Log("pocketsphinx: " + message);
        }
    }

    /// <summary>Too short for one analysis frame (25 ms) or digital silence: nothing to recognise.</summary>
    private bool IsSilent(ReadOnlySpan<short> utterance)
    {
        if (utterance.Length < SampleRate / 40)
        {
            return true;
        }

        foreach (var sample in utterance)
        {
            if (sample is > 2 or < -2)
            {
                return false;
            }
        }

        return true;
    }

    private SphinxDecoder CreateDecoder()
    {
        try
        {
            return SphinxDecoder.Create(_options);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            throw new SpeechEngineException(
                "The pocketsphinx native libraries (" + SphinxNative.PocketSphinxLibrary + ", " + SphinxNative.SphinxBaseLibrary
                + ") could not be used: " + ex.Message + "; " + SphinxNative.InstallHint + ".", ex);
        }
    }

    /// <summary>Fails with a message naming what is missing before any native call.</summary>
    private static void CheckInstallation(SphinxOptions options)
    {
        if (!SphinxNative.TryLoadLibraries(out var missingLibrary))
        {
            throw new SpeechEngineException(
                "The pocketsphinx native library '" + missingLibrary + "' is not installed or cannot be loaded; "
                + SphinxNative.InstallHint + ".");
        }

        var missing = new List<string>();
        if (!File.Exists(Path.Combine(options.AcousticModelDirectory, "mdef")))
        {
            missing.Add("acoustic model '" + options.AcousticModelDirectory + "' (no mdef file)");
        }

        if (!File.Exists(options.DictionaryPath))
        {
            missing.Add("dictionary '" + options.DictionaryPath + "'");
        }

        if (options.LanguageModelPath is not null && !File.Exists(options.LanguageModelPath))
        {
            missing.Add("language model '" + options.LanguageModelPath + "'");
        }

        if (options.PhoneLanguageModelPath is not null && !File.Exists(options.PhoneLanguageModelPath))
        {
            missing.Add("phone language model '" + options.PhoneLanguageModelPath + "'");
        }

        if (missing.Count > 0)
        {
            throw new SpeechEngineException(
                "pocketsphinx model files are missing: " + string.Join(", ", missing) + ". For the default paths "
                + SphinxNative.InstallHint + ", or point SphinxOptions at your model.");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _pool.Dispose();
    }
}

/// <summary>
/// Details of one recognition: the <see cref="Transcript"/> to use, the best hypothesis even when it was
/// rejected (<see cref="BestGuess"/>, null when nothing was decoded), its confidence, whether it was
/// rejected as out-of-grammar, the likelihood ratio behind the confidence (pocketsphinx score units per
/// frame, ~0.1 nat; higher is better) and the wall time of the call.
/// </summary>
public sealed record SphinxRecognition(
    Transcript Transcript,
    string? BestGuess,
    float Confidence,
    bool Rejected,
    double LikelihoodRatioPerFrame,
    TimeSpan Elapsed)
{
    internal static SphinxRecognition Nothing(TimeSpan elapsed) => new(Transcript.Empty, null, 0f, false, double.NaN, elapsed);
}
