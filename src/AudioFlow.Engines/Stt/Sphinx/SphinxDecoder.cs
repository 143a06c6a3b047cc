using System.Globalization;
using System.Runtime.InteropServices;

namespace AudioFlow.Engines.Stt.Sphinx;

/// <summary>
/// One pocketsphinx decoder (acoustic model, dictionary, searches). Not thread-safe: it is used by one
/// caller at a time, lent out by <see cref="SphinxDecoderPool"/>.
/// </summary>
internal sealed unsafe class SphinxDecoder : IDisposable
{
    /// <summary>The search ps_init creates from <c>-lm</c> (PS_DEFAULT_SEARCH).</summary>
    public const string LanguageModelSearch = "_default";

    /// <summary>Our phone-loop search for out-of-grammar rejection.</summary>
    public const string PhoneLoopSearch = "af_phone_loop";

    private readonly SphinxConfigHandle _config;
    private readonly SphinxDecoderHandle _decoder;
    private readonly IntPtr _logMath;
    private readonly IntPtr _cmn;
    private readonly float[] _cmnPrior;
    private readonly int _chunkSamples;
    private readonly int _maxGrammars;
    private readonly LinkedList<string> _grammarLru = new();
    private readonly Dictionary<string, LinkedListNode<string>> _grammars = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _dictionaryCache = new(StringComparer.Ordinal);
    private string? _currentSearch;
    private bool _disposed;

    private SphinxDecoder(SphinxConfigHandle config, SphinxDecoderHandle decoder, SphinxOptions options, bool hasPhoneLoop)
    {
        _config = config;
        _decoder = decoder;
        _logMath = SphinxNative.PsGetLogMath(Handle);
        _chunkSamples = Math.Max(160, options.SampleRate * Math.Max(10, options.ChunkMilliseconds) / 1000);
        _maxGrammars = Math.Max(1, options.MaxGrammarsPerDecoder);
        HasPhoneLoop = hasPhoneLoop;
        HasLanguageModel = options.LanguageModelPath is not null;
        (_cmn, _cmnPrior) = FindCmn(Handle);
    }

    public bool HasPhoneLoop { get; }

    public bool HasLanguageModel { get; }

    /// <summary>Per-utterance cepstral mean handling (see <see cref="CmnMode"/>).</summary>
    public CmnMode Cmn { get; set; } = CmnMode.UtteranceMean;

    private IntPtr Handle => _decoder.DangerousGetHandle();

    /// <summary>Builds the pocketsphinx argument list for <paramref name="options"/>.</summary>
    public static List<string> BuildArguments(SphinxOptions options)
    {
        var args = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["-hmm"] = options.AcousticModelDirectory,
            ["-dict"] = options.DictionaryPath,
            ["-samprate"] = options.SampleRate.ToString(CultureInfo.InvariantCulture),
        };
        if (options.LanguageModelPath is not null)
        {
            args["-lm"] = options.LanguageModelPath;
        }

        if (options.SampleRate == 8000)
        {
            args["-nfft"] = "256";
            args["-upperf"] = options.UpperFrequency8k.ToString("0.###", CultureInfo.InvariantCulture);
        }

        foreach (var (name, value) in options.ExtraArguments)
        {
            args[name.StartsWith('-') ? name : "-" + name] = value;
        }

        // ps_init applies the model's feat.params over the given arguments (e.g. its -upperf 6800 would
        // replace ours and fail at 8 kHz): when we override one of its settings, give it a patched copy.
        if (!args.ContainsKey("-featparams"))
        {
            var patched = FeatureParameters.PatchIfOverridden(options.AcousticModelDirectory, args);
            if (patched is not null)
            {
                args["-featparams"] = patched;
            }
        }

        var list = new List<string>(args.Count * 2);
        foreach (var (name, value) in args)
        {
            list.Add(name);
            list.Add(value);
        }

        return list;
    }

    /// <summary>Loads a decoder; throws <see cref="SpeechEngineException"/> quoting pocketsphinx on failure.</summary>
    public static SphinxDecoder Create(SphinxOptions options)
    {
        SphinxLog.EnsureInstalled();
        using var capture = SphinxLog.Capture();
        var arguments = BuildArguments(options);
        var config = SphinxConfigHandle.Parse(arguments);
        if (config.IsInvalid)
        {
            config.Dispose();
            throw new SpeechEngineException(
                "pocketsphinx rejected its configuration (" + string.Join(' ', arguments) + ")." + capture.Describe());
        }

        SphinxDecoderHandle? decoder = null;
        try
        {
            decoder = SphinxDecoderHandle.Create(config);
            if (decoder.IsInvalid)
            {
                throw new SpeechEngineException(
                    "pocketsphinx could not load its model (acoustic model '" + options.AcousticModelDirectory
                    + "', dictionary '" + options.DictionaryPath + "', language model '" + options.LanguageModelPath
                    + "'); if files are missing, " + SphinxNative.InstallHint + "." + capture.Describe());
            }

            var hasPhoneLoop = false;
            if (options.PhoneLanguageModelPath is not null)
            {
                if (SphinxNative.PsSetAllphoneFile(decoder.DangerousGetHandle(), PhoneLoopSearch, options.PhoneLanguageModelPath) != 0)
                {
                    throw new SpeechEngineException(
                        "pocketsphinx could not load the phone language model '" + options.PhoneLanguageModelPath + "'."
                        + capture.Describe());
                }

                hasPhoneLoop = true;
            }

            return new SphinxDecoder(config, decoder, options, hasPhoneLoop);
        }
        catch
        {
            decoder?.Dispose();
            config.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="word"/> (lower case) is in the pronunciation dictionary.</summary>
    public bool IsInDictionary(string word)
    {
        if (_dictionaryCache.TryGetValue(word, out var known))
        {
            return known;
        }

        var phones = SphinxNative.PsLookupWord(Handle, word);
        known = phones != IntPtr.Zero;
        if (known)
        {
            NativeMemory.Free((void*)phones);
        }

        if (_dictionaryCache.Count < 10_000)
        {
            _dictionaryCache[word] = known;
        }

        return known;
    }

    /// <summary>Registers (once per decoder, LRU-bounded) the JSGF search for <paramref name="grammar"/>.</summary>
    public void EnsureGrammar(SphinxGrammar grammar)
    {
        if (_grammars.TryGetValue(grammar.SearchName, out var node))
        {
            _grammarLru.Remove(node);
            _grammarLru.AddFirst(node);
            return;
        }

        using var capture = SphinxLog.Capture();
        if (SphinxNative.PsSetJsgfString(Handle, grammar.SearchName, grammar.Jsgf) != 0)
        {
            throw new SpeechEngineException(
                "pocketsphinx rejected the grammar for phrases [" + string.Join(", ", grammar.Phrases) + "]."
                + capture.Describe() + " Grammar: " + grammar.Jsgf);
        }

        _grammars[grammar.SearchName] = _grammarLru.AddFirst(grammar.SearchName);
        while (_grammars.Count > _maxGrammars)
        {
            var oldest = _grammarLru.Last!;
            _grammarLru.RemoveLast();
            _grammars.Remove(oldest.Value);
            if (_currentSearch == oldest.Value)
            {
                _currentSearch = null;
            }

            SphinxNative.PsUnsetSearch(Handle, oldest.Value);
        }
    }

    /// <summary>
    /// Decodes a whole utterance with the named search, in chunks; throws
    /// <see cref="OperationCanceledException"/> between chunks after ending the utterance cleanly.
    /// </summary>
    public DecodeResult Decode(ReadOnlySpan<short> samples, string search, CancellationToken cancellationToken, bool wholeUtterance = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var capture = SphinxLog.Capture();
        if (_currentSearch != search)
        {
            if (SphinxNative.PsSetSearch(Handle, search) != 0)
            {
                throw new SpeechEngineException("pocketsphinx could not switch to search '" + search + "'." + capture.Describe());
            }

            _currentSearch = search;
        }

        // Each utterance may come from a different caller: reset the noise/VAD statistics and the cepstral mean.
        SphinxNative.PsStartStream(Handle);
        PrepareCmn(samples);
        if (SphinxNative.PsStartUtt(Handle) != 0)
        {
            throw new SpeechEngineException("pocketsphinx could not start an utterance." + capture.Describe());
        }

        var ended = false;
        try
        {
            fixed (short* start = samples)
            {
                if (wholeUtterance)
                {
                    Check(SphinxNative.PsProcessRaw(Handle, start, (nuint)samples.Length, 0, 1), capture);
                }
                else
                {
                    for (var offset = 0; offset < samples.Length; offset += _chunkSamples)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        var count = Math.Min(_chunkSamples, samples.Length - offset);
                        Check(SphinxNative.PsProcessRaw(Handle, start + offset, (nuint)count, 0, 0), capture);
                    }
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            ended = true;
            if (SphinxNative.PsEndUtt(Handle) != 0)
            {
                throw new SpeechEngineException("pocketsphinx could not end the utterance." + capture.Describe());
            }

            return ReadResult();
        }
        finally
        {
            if (!ended)
            {
                // Cancelled or failed mid-utterance: close the utterance so the decoder is reusable.
                SphinxNative.PsEndUtt(Handle);
            }
        }
    }

    private static void Check(int result, SphinxLog.CaptureScope capture)
    {
        if (result < 0)
        {
            throw new SpeechEngineException("pocketsphinx failed to process audio." + capture.Describe());
        }
    }

    private DecodeResult ReadResult()
    {
        int score;
        var hyp = SphinxNative.PtrToString(SphinxNative.PsGetHyp(Handle, &score));
        var frames = SphinxNative.PsGetFrameCount(Handle);
        var posterior = SphinxNative.LogMathToNaturalLog(_logMath, SphinxNative.PsGetProb(Handle));

        long acoustic = 0, language = 0;
        var words = new List<string>();
        var segment = SphinxNative.PsSegIter(Handle);
        while (segment != IntPtr.Zero)
        {
            int ascr, lscr, lback;
            SphinxNative.PsSegProb(segment, &ascr, &lscr, &lback);
            acoustic += ascr;
            language += lscr;
            var word = SphinxNative.PtrToString(SphinxNative.PsSegWord(segment));
            if (word is not null)
            {
                words.Add(word);
            }

            segment = SphinxNative.PsSegNext(segment);
        }

        return new DecodeResult(hyp ?? string.Empty, frames, score, acoustic, language, posterior, words);
    }

    private void PrepareCmn(ReadOnlySpan<short> samples)
    {
        if (_cmn == IntPtr.Zero || Cmn == CmnMode.Carry)
        {
            return;
        }

        var mean = Cmn == CmnMode.UtteranceMean ? UtteranceMean(samples) : null;
        fixed (float* vector = mean ?? _cmnPrior)
        {
            SphinxNative.CmnLiveSet(_cmn, vector);
        }
    }

    /// <summary>
    /// The mean cepstrum of the utterance, computed with the decoder's own front end (same settings, same
    /// silence removal) before decoding; null when the front end produced no frame.
    /// </summary>
    private float[]? UtteranceMean(ReadOnlySpan<short> samples)
    {
        var fe = SphinxNative.PsGetFe(Handle);
        if (fe == IntPtr.Zero || samples.IsEmpty || SphinxNative.FeGetOutputSize(fe) != _cmnPrior.Length)
        {
            return null;
        }

        var size = _cmnPrior.Length;
        var sum = new double[size];
        var frames = 0;
        SphinxNative.FeStartStream(fe);
        if (SphinxNative.FeStartUtt(fe) < 0)
        {
            return null;
        }

        float** block = null;
        int count = 0;
        fixed (short* start = samples)
        {
            if (SphinxNative.FeProcessUtt(fe, start, (nuint)samples.Length, &block, &count) < 0)
            {
                count = 0;
            }
        }

        if (block != null)
        {
            for (var i = 0; i < count; i++)
            {
                for (var j = 0; j < size; j++)
                {
                    sum[j] += block[i][j];
                }
            }

            frames += count;
            SphinxNative.FeFree2d(block);
        }

        var last = stackalloc float[size];
        int lastCount = 0;
        if (SphinxNative.FeEndUtt(fe, last, &lastCount) >= 0 && lastCount == 1)
        {
            for (var j = 0; j < size; j++)
            {
                sum[j] += last[j];
            }

            frames++;
        }

        if (frames == 0)
        {
            return null;
        }

        var mean = new float[size];
        for (var j = 0; j < size; j++)
        {
            mean[j] = (float)(sum[j] / frames);
        }

        return mean;
    }

    /// <summary>
    /// Finds the decoder's live CMN state (feat_t.cmn_struct, see sphinxbase/feat.h) and its initial mean,
    /// validating the layout; returns zero when anything looks unexpected (then CMN is left alone).
    /// </summary>
    private static (IntPtr Cmn, float[] Prior) FindCmn(IntPtr decoder)
    {
        var feat = (FeatPrefix*)SphinxNative.PsGetFeat(decoder);
        if (feat == null || feat->CmnStruct == IntPtr.Zero || feat->CepSize is <= 0 or > 64)
        {
            return (IntPtr.Zero, []);
        }

        var cmn = (CmnPrefix*)feat->CmnStruct;
        if (cmn->VectorLength != feat->CepSize)
        {
            return (IntPtr.Zero, []);
        }

        var prior = new float[feat->CepSize];
        fixed (float* p = prior)
        {
            SphinxNative.CmnLiveGet(feat->CmnStruct, p);
        }

        return (feat->CmnStruct, prior);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _decoder.Dispose();
        _config.Dispose();
    }

    /// <summary>The leading fields of sphinxbase's <c>struct feat_s</c> (feat.h), up to <c>cmn_struct</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct FeatPrefix
    {
        public int RefCount;
        public IntPtr Name;
        public int CepSize;
        public int StreamCount;
        public IntPtr StreamLengths;
        public int WindowSize;
        public int SubvectorCount;
        public IntPtr SubvectorLengths;
        public IntPtr Subvectors;
        public IntPtr SubvectorBuffer;
        public int SubvectorDimension;
        public int CmnType;
        public int VarNorm;
        public int AgcType;
        public IntPtr ComputeFeat;
        public IntPtr CmnStruct;
    }

    /// <summary><c>cmn_t</c> from sphinxbase/cmn.h.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct CmnPrefix
    {
        public IntPtr Mean;
        public IntPtr Variance;
        public IntPtr Sum;
        public int FrameCount;
        public int VectorLength;
    }
}

/// <summary>How the cepstral mean is initialised for each utterance.</summary>
internal enum CmnMode
{
    /// <summary>pocketsphinx default: the live estimate carries over from the decoder's previous utterances.</summary>
    Carry,

    /// <summary>Reset to the model's initial mean (feat.params -cmninit) so results do not depend on history.</summary>
    ResetToPrior,

    /// <summary>Set to the utterance's own mean cepstrum (what batch CMN does for a whole utterance).</summary>
    UtteranceMean,
}

/// <summary>
/// Raw outcome of one decode. Scores are pocketsphinx's integer log scores (log base 1.0001, acoustic
/// scores additionally scaled down by the senone score shift), comparable only with each other;
/// <see cref="LogPosterior"/> is a natural log.
/// </summary>
internal sealed record DecodeResult(
    string Hypothesis,
    int Frames,
    long PathScore,
    long AcousticScore,
    long LanguageScore,
    double LogPosterior,
    IReadOnlyList<string> Segments);
