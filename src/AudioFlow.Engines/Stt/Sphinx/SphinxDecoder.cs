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

    /// <summary>Our phone-loop search, the reference model for confidence / out-of-grammar rejection.</summary>
    public const string PhoneLoopSearch = "af_phone_loop";

    /// <summary>
    /// Beam and phone beam of the phone-loop search. It activates every phone in every frame, so with the
    /// decoder's default beams (1e-48) it costs about three times the grammar pass; 1e-10 roughly halves
    /// that and, with <see cref="PhoneLoopLanguageWeight"/>, separated in- from out-of-grammar speech best
    /// in our measurements (see <see cref="SphinxConfidence"/>).
    /// </summary>
    internal const double PhoneLoopBeam = 1e-10;

    /// <summary>
    /// Language weight of the phone loop's phone bigram (the decoder default 6.5 makes the loop prefer a few
    /// long phones, a weak acoustic reference; 3 lets the acoustics decide).
    /// </summary>
    internal const double PhoneLoopLanguageWeight = 3;

    /// <summary>
    /// Serialises model loading and grammar compilation across decoders: both run rarely, and the
    /// 5prealpha sources make no thread-safety promise for them (JSGF parser, file readers).
    /// Decoding itself runs fully in parallel on separate decoders.
    /// </summary>
    private static readonly Lock SetupLock = new();

    private readonly SphinxConfigHandle _config;
    private readonly SphinxDecoderHandle _decoder;
    private readonly IntPtr _frontEnd;
    private readonly IntPtr _cmn;
    private readonly float[] _cmnPrior;
    private readonly int _chunkSamples;
    private readonly int _maxGrammars;
    private readonly LinkedList<string> _grammarLru = new();
    private readonly Dictionary<string, LinkedListNode<string>> _grammars = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _dictionaryCache = new(StringComparer.Ordinal);
    private string? _currentSearch;
    private bool _disposed;

    private SphinxDecoder(SphinxConfigHandle config, SphinxDecoderHandle decoder, IntPtr frontEnd, SphinxOptions options, bool hasPhoneLoop)
    {
        _config = config;
        _decoder = decoder;
        _frontEnd = frontEnd;
        _chunkSamples = Math.Max(160, options.SampleRate * Math.Max(10, options.ChunkMilliseconds) / 1000);
        _maxGrammars = Math.Max(1, options.MaxGrammarsPerDecoder);
        HasPhoneLoop = hasPhoneLoop;
        (_cmn, _cmnPrior) = FindCmn(Handle);
    }

    public bool HasPhoneLoop { get; }

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

        if (options.PhoneLanguageModelPath is not null)
        {
            // Context-independent phones: the phone loop is a cheap reference model, not a transcription.
            args["-allphone_ci"] = "yes";
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
        lock (SetupLock)
        {
            return CreateLocked(options);
        }
    }

    private static SphinxDecoder CreateLocked(SphinxOptions options)
    {
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
        var frontEnd = IntPtr.Zero;
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

            var ps = decoder.DangerousGetHandle();
            var hasPhoneLoop = false;
            if (options.PhoneLanguageModelPath is not null)
            {
                // Searches read beams and weights from the config when they are created: narrow them just
                // for the phone loop (see PhoneLoopBeam), then restore them for the grammars created later.
                var live = SphinxNative.PsGetConfig(ps);
                var saved = new[] { "-beam", "-pbeam", "-lw" }.ToDictionary(n => n, n => SphinxNative.CmdLnFloat(live, n));
                SphinxNative.CmdLnSetFloat(live, "-beam", PhoneLoopBeam);
                SphinxNative.CmdLnSetFloat(live, "-pbeam", PhoneLoopBeam);
                SphinxNative.CmdLnSetFloat(live, "-lw", PhoneLoopLanguageWeight);
                var added = SphinxNative.PsSetAllphoneFile(ps, PhoneLoopSearch, options.PhoneLanguageModelPath);
                foreach (var (name, value) in saved)
                {
                    SphinxNative.CmdLnSetFloat(live, name, value);
                }

                if (added != 0)
                {
                    throw new SpeechEngineException(
                        "pocketsphinx could not load the phone language model '" + options.PhoneLanguageModelPath + "'."
                        + capture.Describe());
                }

                hasPhoneLoop = true;
            }

            // A separate front end with the decoder's settings computes each utterance's cepstral mean
            // before decoding (see CepstralMean); using the decoder's own would disturb its frame counters.
            frontEnd = SphinxNative.FeInit(SphinxNative.CmdLnRetain(SphinxNative.PsGetConfig(ps)));
            if (frontEnd == IntPtr.Zero)
            {
                throw new SpeechEngineException("pocketsphinx could not create a feature extractor." + capture.Describe());
            }

            return new SphinxDecoder(config, decoder, frontEnd, options, hasPhoneLoop);
        }
        catch
        {
            if (frontEnd != IntPtr.Zero)
            {
                SphinxNative.FeFree(frontEnd);
            }

            decoder?.Dispose();
            config.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="word"/> (lower case) is in the pronunciation dictionary.</summary>
    public bool IsInDictionary(string word)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
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
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_grammars.TryGetValue(grammar.SearchName, out var node))
        {
            _grammarLru.Remove(node);
            _grammarLru.AddFirst(node);
            return;
        }

        using var capture = SphinxLog.Capture();
        int compiled;
        lock (SetupLock)
        {
            compiled = SphinxNative.PsSetJsgfString(Handle, grammar.SearchName, grammar.Jsgf);
        }

        if (compiled != 0)
        {
            throw new SpeechEngineException(
                "pocketsphinx rejected the grammar for phrases [" + string.Join(", ", grammar.Phrases) + "]."
                + capture.Describe() + " Grammar: " + grammar.Jsgf);
        }

        _grammars[grammar.SearchName] = _grammarLru.AddFirst(grammar.SearchName);
        while (_grammars.Count > _maxGrammars)
        {
            var oldest = _grammarLru.Last!.Value;
            _grammarLru.RemoveLast();
            _grammars.Remove(oldest);
            if (_currentSearch == oldest)
            {
                SphinxNative.PsSetSearch(Handle, grammar.SearchName);
                _currentSearch = grammar.SearchName;
            }

            SphinxNative.PsUnsetSearch(Handle, oldest);
        }
    }

    /// <summary>
    /// The utterance's mean cepstrum, computed with a separate front end with the decoder's settings;
    /// null when it yields no frame. Decoding with this mean reproduces pocketsphinx's batch CMN (what the
    /// model was trained with, feat.params <c>-cmn batch</c>) while still feeding the search in chunks.
    /// </summary>
    public float[]? CepstralMean(ReadOnlySpan<short> samples)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var size = _cmnPrior.Length;
        if (_cmn == IntPtr.Zero || samples.IsEmpty || SphinxNative.FeGetOutputSize(_frontEnd) != size)
        {
            return null;
        }

        var sum = new double[size];
        var frames = 0;
        SphinxNative.FeStartStream(_frontEnd);
        if (SphinxNative.FeStartUtt(_frontEnd) < 0)
        {
            return null;
        }

        float** block = null;
        var count = 0;
        fixed (short* start = samples)
        {
            if (SphinxNative.FeProcessUtt(_frontEnd, start, (nuint)samples.Length, &block, &count) < 0)
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
        var lastCount = 0;
        if (SphinxNative.FeEndUtt(_frontEnd, last, &lastCount) >= 0 && lastCount == 1)
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
    /// Decodes a whole utterance with the named search, feeding it in chunks; throws
    /// <see cref="OperationCanceledException"/> between chunks after ending the utterance cleanly.
    /// </summary>
    /// <param name="cepstralMean">From <see cref="CepstralMean"/>; null uses the model's initial mean.</param>
    public DecodeResult Decode(ReadOnlySpan<short> samples, string search, float[]? cepstralMean, CancellationToken cancellationToken)
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

        // Each utterance may come from a different caller: reset the noise/VAD statistics (ps_start_stream)
        // and set the cepstral mean, so the result depends neither on history nor on the pooled decoder used.
        SphinxNative.PsStartStream(Handle);
        if (_cmn != IntPtr.Zero)
        {
            fixed (float* vector = cepstralMean is { Length: > 0 } && cepstralMean.Length == _cmnPrior.Length ? cepstralMean : _cmnPrior)
            {
                SphinxNative.CmnLiveSet(_cmn, vector);
            }
        }

        if (SphinxNative.PsStartUtt(Handle) != 0)
        {
            throw new SpeechEngineException("pocketsphinx could not start an utterance." + capture.Describe());
        }

        var ended = false;
        try
        {
            fixed (short* start = samples)
            {
                for (var offset = 0; offset < samples.Length; offset += _chunkSamples)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var count = Math.Min(_chunkSamples, samples.Length - offset);
                    if (SphinxNative.PsProcessRaw(Handle, start + offset, (nuint)count, 0, 0) < 0)
                    {
                        throw new SpeechEngineException("pocketsphinx failed to process audio." + capture.Describe());
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
                // Cancelled or failed mid-utterance: close the utterance so the decoder can be reused.
                SphinxNative.PsEndUtt(Handle);
            }
        }
    }

    private DecodeResult ReadResult()
    {
        int score;
        var hyp = SphinxNative.PtrToString(SphinxNative.PsGetHyp(Handle, &score));
        var frames = SphinxNative.PsGetFrameCount(Handle);
        var segments = new List<Segment>();
        var segment = SphinxNative.PsSegIter(Handle);
        while (segment != IntPtr.Zero)
        {
            int ascr, lscr, lback, startFrame, endFrame;
            SphinxNative.PsSegProb(segment, &ascr, &lscr, &lback);
            SphinxNative.PsSegFrames(segment, &startFrame, &endFrame);
            var word = SphinxNative.PtrToString(SphinxNative.PsSegWord(segment)) ?? string.Empty;
            segments.Add(new Segment(word, startFrame, endFrame, ascr));
            segment = SphinxNative.PsSegNext(segment);
        }

        return new DecodeResult(hyp?.Trim() ?? string.Empty, frames, score, segments);
    }

    /// <summary>
    /// Finds the decoder's live CMN state (feat_t.cmn_struct, see sphinxbase/feat.h) and its initial mean,
    /// validating the layout; returns zero when anything looks unexpected (CMN is then left to pocketsphinx).
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
        SphinxNative.FeFree(_frontEnd);
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

/// <summary>
/// Raw outcome of one decode. <see cref="PathScore"/> and the segments' acoustic scores are pocketsphinx's
/// integer log scores (log base 1.0001, acoustic scores scaled down by the senone score shift), comparable
/// only with each other.
/// </summary>
internal sealed record DecodeResult(string Hypothesis, int Frames, long PathScore, IReadOnlyList<Segment> Segments);

/// <summary>One word, filler or (phone loop) phone of a hypothesis: frames inclusive, acoustic score.</summary>
internal readonly record struct Segment(string Word, int StartFrame, int EndFrame, int AcousticScore)
{
    public int FrameCount => EndFrame - StartFrame + 1;

    /// <summary>Silence and noise fillers (&lt;s&gt;, &lt;/s&gt;, &lt;sil&gt;, [NOISE], [SPEECH]) and the phone loop's SIL / +NSN+ units.</summary>
    public bool IsFiller => Word.Length == 0 || Word[0] is '<' or '[' or '+' || Word == "SIL";
}
