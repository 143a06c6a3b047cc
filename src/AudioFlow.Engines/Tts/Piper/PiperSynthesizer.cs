using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AudioFlow.Engines.Tts.Piper;

/// <summary>
/// Neural speech with a Piper voice (VITS exported to ONNX) on ONNX Runtime, phonemised by eSpeak NG.
/// A voice is <c>&lt;name&gt;.onnx</c> + <c>&lt;name&gt;.onnx.json</c> (see <see cref="PiperVoiceConfig"/>).
/// <para>
/// Per sentence: eSpeak NG gives IPA phonemes (one list per sentence it finds, see <see cref="Phonemize"/>),
/// the phonemes become ids Piper's way (<see cref="PiperPhonemeIds"/>; unknown phonemes are skipped and
/// logged once each), and each id sequence is one inference with inputs <c>input</c> int64 [1, n],
/// <c>input_lengths</c> int64 [1], <c>scales</c> float [3] = (noise_scale, length_scale, noise_w) and, for
/// multi-speaker voices, <c>sid</c> int64 [1]; the output <c>output</c> float [1, 1, samples] is peak-normalised
/// as Piper does (scaled by 32767 / max(0.01, max |x|), clipped to 16 bits). The result is PCM16 mono at the
/// voice's own rate (<see cref="SampleRate"/>, usually 22050 Hz); the pipeline resamples.
/// </para>
/// <para>
/// The ONNX session (the weights) is shared by all calls and inference runs concurrently; phonemisation goes
/// through the process-global eSpeak NG engine and is serialised with every other eSpeak use (it takes well
/// under a millisecond per sentence). Thread-safe; <see cref="Synthesize"/> blocks for the inference.
/// </para>
/// </summary>
public sealed class PiperSynthesizer : ISpeechSynthesizer
{
    private const string InputName = "input";
    private const string LengthsName = "input_lengths";
    private const string ScalesName = "scales";
    private const string SpeakerName = "sid";
    private const string OutputName = "output";
    private static readonly string[] OutputNames = [OutputName];

    private readonly PiperOptions _options;
    private readonly ILogger _logger;
    private readonly InferenceSession _session;
    private readonly float[] _scales;
    private readonly ConcurrentDictionary<string, int> _unknownPhonemes = new(StringComparer.Ordinal);
    private volatile bool _disposed;

    /// <summary>Loads the voice: config, model, and (for espeak voices) eSpeak NG with the config's voice.</summary>
    /// <exception cref="SpeechSynthesisException">
    /// A file is missing or invalid, the model's inputs/outputs are not Piper's or disagree with the config (the
    /// message names the file), the speaker is unknown, or eSpeak NG or its voice is missing.
    /// </exception>
    public PiperSynthesizer(PiperOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _logger = logger ?? NullLogger.Instance;

        ModelPath = Path.GetFullPath(options.ModelPath);
        string configPath = Path.GetFullPath(options.ResolvedConfigPath);
        if (!File.Exists(ModelPath))
        {
            throw new SpeechSynthesisException(
                $"piper: the voice model '{ModelPath}' was not found. A Piper voice is two files, <name>.onnx and " +
                "<name>.onnx.json, downloaded together.");
        }

        Voice = PiperVoiceConfig.Load(configPath);
        SpeakerId = Voice.ResolveSpeaker(options.Speaker);
        _scales =
        [
            options.NoiseScale ?? Voice.NoiseScale,
            options.LengthScale ?? Voice.LengthScale,
            options.NoiseW ?? Voice.NoiseW,
        ];

        _session = LoadSession(ModelPath, options.IntraOpThreads);
        try
        {
            CheckSignature(configPath);
            if (Voice.PhonemeType == PiperPhonemeType.Espeak)
            {
                EspeakPhonemizer.Prepare(Voice.EspeakVoice, options.EspeakDataPath);
            }
        }
        catch
        {
            _session.Dispose();
            throw;
        }

        Name = "piper/" + Path.GetFileNameWithoutExtension(ModelPath);
    }

    public string Name { get; }

    /// <summary>The voice's rate (<c>audio.sample_rate</c>).</summary>
    public int SampleRate => Voice.SampleRate;

    /// <summary>Full path of the model file.</summary>
    public string ModelPath { get; }

    /// <summary>The voice's config.</summary>
    public PiperVoiceConfig Voice { get; }

    /// <summary>The <c>sid</c> passed to the model; null for single-speaker voices.</summary>
    public long? SpeakerId { get; }

    /// <summary>The scales passed to the model: noise_scale, length_scale, noise_w.</summary>
    public IReadOnlyList<float> Scales => _scales;

    public PiperOptions Options => _options;

    /// <summary>Phonemes seen so far that the voice's id map lacks (each was skipped), with how often.</summary>
    public IReadOnlyDictionary<string, int> UnknownPhonemes => new Dictionary<string, int>(_unknownPhonemes, StringComparer.Ordinal);

    /// <summary>
    /// Synthesises one sentence (eSpeak may find several in it: each is inferred separately and they are joined
    /// with <see cref="PiperOptions.SentenceSilence"/>). Empty text, or text without a known phoneme, gives an
    /// empty array. Cancellation is observed before each inference and aborts a running one.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="SpeechSynthesisException">The inference failed.</exception>
    public short[] Synthesize(string sentence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();

        IReadOnlyList<long[]> sequences = PhonemeIds(sentence, cancellationToken);
        var parts = new List<short[]>(sequences.Count);
        foreach (long[] ids in sequences)
        {
            cancellationToken.ThrowIfCancellationRequested();
            parts.Add(Infer(ids, cancellationToken));
        }

        short[] samples = Join(parts, (int)Math.Round(_options.SentenceSilence.TotalSeconds * SampleRate));
        return _options.TrimSilence is { } trimming && samples.Length > 0
            ? SilenceTrimmer.Trim(samples, SampleRate, trimming)
            : samples;
    }

    /// <summary>The phonemes of <paramref name="text"/> as the voice sees them, one string per sentence.</summary>
    public IReadOnlyList<string> Phonemize(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        return PhonemeSentences(text, cancellationToken)
            .Select(s => string.Concat(s.Select(r => r.ToString())))
            .ToArray();
    }

    /// <summary>The model input ids for <paramref name="text"/>, one sequence per sentence (unknown phonemes skipped and logged).</summary>
    public IReadOnlyList<long[]> PhonemeIds(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<long[]>();
        foreach (List<Rune> phonemes in PhonemeSentences(text, cancellationToken))
        {
            var missing = new Dictionary<Rune, int>();
            long[] ids = PiperPhonemeIds.ToIds(phonemes, Voice.PhonemeIdMap, missing);
            foreach (var (phoneme, count) in missing)
            {
                string key = phoneme.ToString();
                int total = _unknownPhonemes.AddOrUpdate(key, count, (_, seen) => seen + count);
                if (total == count)
                {
                    _logger.LogWarning(
                        "piper: phoneme \"{Phoneme}\" (U+{CodePoint:X4}) is not in the id map of {Voice}; it is skipped",
                        key, phoneme.Value, Name);
                }
            }

            if (missing.Values.Sum() < phonemes.Count)
            {
                result.Add(ids);
            }
        }

        return result;
    }

    /// <summary>Releases the model. Do it only once no call is synthesising with it any more.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _session.Dispose();
    }

    private List<List<Rune>> PhonemeSentences(string text, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Voice.PhonemeType == PiperPhonemeType.Espeak)
        {
            return EspeakPhonemizer.Phonemize(text, Voice.EspeakVoice, Voice.PhonemeMap, cancellationToken);
        }

        // "text" voices: the case-folded, decomposed characters, one sentence (as piper-phonemize's codepoints mode).
        string clean = TtsText.CleanControlCharacters(text).ToLowerInvariant();
        List<Rune> phonemes = EspeakPhonemizer.Map(PiperText.Decompose(clean), Voice.PhonemeMap).ToList();
        return phonemes.Count == 0 ? [] : [phonemes];
    }

    private short[] Infer(long[] ids, CancellationToken cancellationToken)
    {
        var inputNames = new List<string>(4) { InputName, LengthsName, ScalesName };
        var inputs = new List<OrtValue>(4);
        try
        {
            inputs.Add(OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length]));
            inputs.Add(OrtValue.CreateTensorValueFromMemory(new long[] { ids.Length }, [1]));
            inputs.Add(OrtValue.CreateTensorValueFromMemory((float[])_scales.Clone(), [3]));
            if (SpeakerId is { } sid)
            {
                inputNames.Add(SpeakerName);
                inputs.Add(OrtValue.CreateTensorValueFromMemory(new long[] { sid }, [1]));
            }

            using var runOptions = new RunOptions();
            using CancellationTokenRegistration registration = cancellationToken.Register(
                static state => ((RunOptions)state!).Terminate = true, runOptions);
            IDisposableReadOnlyCollection<OrtValue> outputs;
            try
            {
                outputs = _session.Run(runOptions, inputNames, inputs, OutputNames);
            }
            catch (OnnxRuntimeException) when (cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("Speech synthesis was cancelled.", cancellationToken);
            }
            catch (OnnxRuntimeException e)
            {
                throw new SpeechSynthesisException($"piper: inference with '{ModelPath}' failed: {e.Message}", e);
            }

            using (outputs)
            {
                OrtValue output = outputs[0];
                if (output.GetTensorTypeAndShape().ElementDataType != TensorElementType.Float)
                {
                    throw new SpeechSynthesisException($"piper: the model '{ModelPath}' returned a non-float '{OutputName}'.");
                }

                return ToPcm16(output.GetTensorDataAsSpan<float>());
            }
        }
        finally
        {
            foreach (OrtValue value in inputs)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>Piper's conversion: scale so the peak reaches full scale (never amplifying by more than 100×), clip, truncate.</summary>
    internal static short[] ToPcm16(ReadOnlySpan<float> audio)
    {
        float peak = 0.01f;
        foreach (float x in audio)
        {
            float magnitude = MathF.Abs(x);
            if (magnitude > peak)
            {
                peak = magnitude;
            }
        }

        float scale = 32767f / peak;
        var samples = new short[audio.Length];
        for (int i = 0; i < audio.Length; i++)
        {
            float scaled = audio[i] * scale;
            samples[i] = float.IsNaN(scaled) ? (short)0 : (short)Math.Clamp(scaled, short.MinValue, short.MaxValue);
        }

        return samples;
    }

    private static short[] Join(List<short[]> parts, int silence)
    {
        if (parts.Count == 1)
        {
            return parts[0];
        }

        int total = parts.Sum(p => p.Length) + (Math.Max(0, parts.Count - 1) * silence);
        var joined = new short[total];
        int offset = 0;
        for (int i = 0; i < parts.Count; i++)
        {
            if (i > 0)
            {
                offset += silence;
            }

            parts[i].CopyTo(joined, offset);
            offset += parts[i].Length;
        }

        return joined;
    }

    private static InferenceSession LoadSession(string modelPath, int intraOpThreads)
    {
        using var options = new SessionOptions();
        options.IntraOpNumThreads = intraOpThreads;
        options.InterOpNumThreads = 1;
        options.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
        options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        try
        {
            return new InferenceSession(modelPath, options);
        }
        catch (OnnxRuntimeException e)
        {
            throw new SpeechSynthesisException($"piper: the voice model '{modelPath}' could not be loaded as ONNX: {e.Message}", e);
        }
    }

    /// <summary>Checks the model's inputs and outputs against Piper's export and the config.</summary>
    private void CheckSignature(string configPath)
    {
        var inputs = _session.InputMetadata;
        Require(inputs, InputName, typeof(long), rank: 2);
        Require(inputs, LengthsName, typeof(long), rank: 1);
        Require(inputs, ScalesName, typeof(float), rank: 1);
        bool hasSid = inputs.ContainsKey(SpeakerName);
        if (hasSid)
        {
            Require(inputs, SpeakerName, typeof(long), rank: 1);
        }

        if (Voice.IsMultiSpeaker && !hasSid)
        {
            throw new SpeechSynthesisException(
                $"piper: '{configPath}' describes {Voice.NumSpeakers} speakers but the model '{ModelPath}' has no '{SpeakerName}' input: " +
                "the two files are not from the same voice.");
        }

        if (!Voice.IsMultiSpeaker && hasSid)
        {
            throw new SpeechSynthesisException(
                $"piper: the model '{ModelPath}' takes a speaker id ('{SpeakerName}') but '{configPath}' describes a single speaker: " +
                "the two files are not from the same voice.");
        }

        string[] unexpected = inputs.Keys.Except([InputName, LengthsName, ScalesName, SpeakerName], StringComparer.Ordinal).ToArray();
        if (unexpected.Length > 0)
        {
            throw NotPiper($"it has inputs Piper does not provide ({string.Join(", ", unexpected)})");
        }

        if (!_session.OutputMetadata.TryGetValue(OutputName, out NodeMetadata? output) || output.ElementType != typeof(float))
        {
            throw NotPiper($"it has no float output '{OutputName}' (outputs: {string.Join(", ", _session.OutputMetadata.Keys)})");
        }

        void Require(IReadOnlyDictionary<string, NodeMetadata> metadata, string name, Type type, int rank)
        {
            if (!metadata.TryGetValue(name, out NodeMetadata? node))
            {
                throw NotPiper($"it has no input '{name}' (inputs: {string.Join(", ", metadata.Keys)})");
            }

            if (node.ElementType != type || node.Dimensions.Length != rank)
            {
                throw NotPiper(
                    $"input '{name}' is {node.ElementType.Name}[{node.Dimensions.Length}-D], expected {type.Name}[{rank}-D]");
            }
        }
    }

    private SpeechSynthesisException NotPiper(string why) =>
        new($"piper: the model '{ModelPath}' is not a Piper voice model: {why}.");
}
