using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AudioFlow.Engines.Stt.Whisper;

/// <summary>
/// The two ONNX Runtime sessions of a Hugging Face Optimum Whisper export and their checked signature:
/// <list type="bullet">
/// <item><c>encoder_model.onnx</c>: <c>input_features</c> float [batch, n_mels, 3000] →
/// <c>last_hidden_state</c> float [batch, 1500, d_model].</item>
/// <item><c>decoder_model_merged.onnx</c>: <c>input_ids</c> int64 [batch, seq], <c>encoder_hidden_states</c>,
/// <c>past_key_values.{i}.decoder.key/value</c> and <c>past_key_values.{i}.encoder.key/value</c> float
/// [batch, heads, past, head_dim], <c>use_cache_branch</c> bool [1] → <c>logits</c> [batch, seq, vocab],
/// <c>present.{i}.decoder.key/value</c>, <c>present.{i}.encoder.key/value</c>. With
/// <c>use_cache_branch=false</c> the past is ignored and the cross-attention keys/values are computed from
/// the encoder output; with true they are taken from the past (the encoder presents are then dummies).</item>
/// </list>
/// Layers, heads and head size come from the decoder's inputs and are checked against config.json.
/// Sessions are shared by all calls (ORT's Run is thread-safe).
/// </summary>
internal sealed class WhisperOnnxModel : IDisposable
{
    public const string InputFeatures = "input_features";
    public const string LastHiddenState = "last_hidden_state";
    public const string InputIds = "input_ids";
    public const string EncoderHiddenStates = "encoder_hidden_states";
    public const string UseCacheBranch = "use_cache_branch";
    public const string Logits = "logits";

    private static readonly Regex PastName = new(@"^past_key_values\.(\d+)\.(decoder|encoder)\.(key|value)$", RegexOptions.CultureInvariant);

    private readonly InferenceSession _encoder;
    private readonly InferenceSession _decoder;
    private readonly bool[] _true = GC.AllocateArray<bool>(1, pinned: true);
    private readonly bool[] _false = GC.AllocateArray<bool>(1, pinned: true);

    public WhisperOnnxModel(string modelDirectory, WhisperOptions options, WhisperModelConfig config)
    {
        EncoderPath = Path.Combine(modelDirectory, options.EncoderFileName);
        DecoderPath = Path.Combine(modelDirectory, options.DecoderFileName);
        foreach (var path in new[] { EncoderPath, DecoderPath })
        {
            if (!File.Exists(path))
            {
                throw new SpeechEngineException(
                    $"Whisper model file missing: '{path}' (see src/AudioFlow.Engines/Stt/Whisper/README.md for the files a model folder needs).");
            }
        }

        try
        {
            _encoder = Open(EncoderPath, options);
            _decoder = Open(DecoderPath, options);
            (Layers, Heads, HeadDim, VocabularySize) = CheckSignature(config);
            DecoderInputNames = BuildDecoderInputNames(Layers);
            FirstStepOutputNames = [Logits, .. PresentNames(Layers, includeEncoder: true)];
            NextStepOutputNames = [Logits, .. PresentNames(Layers, includeEncoder: false)];
            _true[0] = true;
            UseCacheTrue = OrtValue.CreateTensorValueFromMemory(_true, [1]);
            UseCacheFalse = OrtValue.CreateTensorValueFromMemory(_false, [1]);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string EncoderPath { get; }

    public string DecoderPath { get; }

    public int Layers { get; }

    public int Heads { get; }

    public int HeadDim { get; }

    /// <summary>Logits per position (from the decoder's output shape, else config.json's vocab_size; 0 if neither says).</summary>
    public int VocabularySize { get; }

    /// <summary>input_ids, encoder_hidden_states, use_cache_branch, then per layer: decoder key, decoder value, encoder key, encoder value.</summary>
    public string[] DecoderInputNames { get; }

    /// <summary>logits, then per layer: present decoder key, value, encoder key, value.</summary>
    public string[] FirstStepOutputNames { get; }

    /// <summary>logits, then per layer: present decoder key, value.</summary>
    public string[] NextStepOutputNames { get; }

    public OrtValue UseCacheTrue { get; } = null!;

    public OrtValue UseCacheFalse { get; } = null!;

    public InferenceSession Encoder => _encoder;

    public InferenceSession Decoder => _decoder;

    public void Dispose()
    {
        UseCacheTrue?.Dispose();
        UseCacheFalse?.Dispose();
        _encoder?.Dispose();
        _decoder?.Dispose();
    }

    private static InferenceSession Open(string path, WhisperOptions options)
    {
        using var sessionOptions = new SessionOptions();
        sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        sessionOptions.InterOpNumThreads = options.InterOpThreads;
        sessionOptions.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
        sessionOptions.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
        sessionOptions.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        sessionOptions.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        try
        {
            return new InferenceSession(path, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new SpeechEngineException($"Could not load the Whisper model '{path}': {e.Message}", e);
        }
    }

    private static string[] BuildDecoderInputNames(int layers)
    {
        var names = new List<string> { InputIds, EncoderHiddenStates, UseCacheBranch };
        for (var i = 0; i < layers; i++)
        {
            names.Add(Past(i, "decoder", "key"));
            names.Add(Past(i, "decoder", "value"));
            names.Add(Past(i, "encoder", "key"));
            names.Add(Past(i, "encoder", "value"));
        }

        return [.. names];
    }

    private static IEnumerable<string> PresentNames(int layers, bool includeEncoder)
    {
        for (var i = 0; i < layers; i++)
        {
            yield return Present(i, "decoder", "key");
            yield return Present(i, "decoder", "value");
            if (includeEncoder)
            {
                yield return Present(i, "encoder", "key");
                yield return Present(i, "encoder", "value");
            }
        }
    }

    private static string Past(int layer, string side, string kind) =>
        string.Create(CultureInfo.InvariantCulture, $"past_key_values.{layer}.{side}.{kind}");

    private static string Present(int layer, string side, string kind) =>
        string.Create(CultureInfo.InvariantCulture, $"present.{layer}.{side}.{kind}");

    private (int Layers, int Heads, int HeadDim, int Vocabulary) CheckSignature(WhisperModelConfig config)
    {
        // Encoder.
        var encoderInputs = _encoder.InputMetadata;
        Require(encoderInputs, InputFeatures, TensorElementType.Float, 3, EncoderPath, "input");
        var features = encoderInputs[InputFeatures].Dimensions;
        CheckDim(features, 1, config.MelBins, InputFeatures, EncoderPath, "n_mels (num_mel_bins in config.json)");
        CheckDim(features, 2, WhisperLogMel.Frames, InputFeatures, EncoderPath, "frames");
        RejectUnknown(encoderInputs.Keys, [InputFeatures], EncoderPath);
        Require(_encoder.OutputMetadata, LastHiddenState, TensorElementType.Float, 3, EncoderPath, "output");
        CheckDim(_encoder.OutputMetadata[LastHiddenState].Dimensions, 2, config.DModel, LastHiddenState, EncoderPath, "d_model (config.json)");

        // Decoder: the layer count is the number of past_key_values.{i} groups.
        var inputs = _decoder.InputMetadata;
        Require(inputs, InputIds, TensorElementType.Int64, 2, DecoderPath, "input");
        Require(inputs, EncoderHiddenStates, TensorElementType.Float, 3, DecoderPath, "input");
        Require(inputs, UseCacheBranch, TensorElementType.Bool, 1, DecoderPath,
            "input (this must be the merged decoder, decoder_model_merged.onnx, not decoder_model.onnx or decoder_with_past_model.onnx)");
        var layerIndices = inputs.Keys.Select(k => PastName.Match(k)).Where(m => m.Success)
            .Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).Distinct().ToArray();
        if (layerIndices.Length == 0)
        {
            throw new SpeechEngineException($"Whisper decoder '{DecoderPath}' has no past_key_values.* inputs: it is not a KV-cache (merged) export.");
        }

        var layers = layerIndices.Max() + 1;
        if (layers != config.DecoderLayers)
        {
            throw new SpeechEngineException(
                $"Whisper decoder '{DecoderPath}' has past_key_values for {layers} layers but config.json says decoder_layers = {config.DecoderLayers}.");
        }

        var expected = BuildDecoderInputNames(layers);
        foreach (var name in expected.Skip(3))
        {
            Require(inputs, name, TensorElementType.Float, 4, DecoderPath, "input");
        }

        RejectUnknown(inputs.Keys, expected, DecoderPath);

        var first = inputs[Past(0, "decoder", "key")].Dimensions;
        var heads = first[1];
        var headDim = first[3];
        if (heads <= 0 || headDim <= 0)
        {
            throw new SpeechEngineException(
                $"Whisper decoder '{DecoderPath}': {Past(0, "decoder", "key")} has no fixed heads/head size (dims [{string.Join(", ", first)}]).");
        }

        foreach (var name in expected.Skip(3))
        {
            var dims = inputs[name].Dimensions;
            if (dims[1] != heads || dims[3] != headDim)
            {
                throw new SpeechEngineException(
                    $"Whisper decoder '{DecoderPath}': input {name} has dims [{string.Join(", ", dims)}], expected [batch, {heads}, past, {headDim}] like {Past(0, "decoder", "key")}.");
            }
        }

        if (heads != config.DecoderAttentionHeads || heads * headDim != config.DModel)
        {
            throw new SpeechEngineException(
                $"Whisper decoder '{DecoderPath}' has {heads} heads of {headDim} but config.json says decoder_attention_heads = {config.DecoderAttentionHeads}, d_model = {config.DModel}.");
        }

        var outputs = _decoder.OutputMetadata;
        Require(outputs, Logits, TensorElementType.Float, 3, DecoderPath, "output");
        foreach (var name in PresentNames(layers, includeEncoder: true))
        {
            Require(outputs, name, TensorElementType.Float, 4, DecoderPath, "output");
        }

        var vocabulary = outputs[Logits].Dimensions[2];
        if (vocabulary <= 0)
        {
            vocabulary = config.VocabularySize ?? 0;
        }
        else if (config.VocabularySize is { } configured && configured != vocabulary)
        {
            throw new SpeechEngineException(
                $"Whisper decoder '{DecoderPath}' has {vocabulary} logits but config.json says vocab_size = {configured}.");
        }

        return (layers, heads, headDim, vocabulary);
    }

    private static void Require(IReadOnlyDictionary<string, NodeMetadata> nodes, string name, TensorElementType type, int rank, string path, string what)
    {
        if (!nodes.TryGetValue(name, out var node))
        {
            throw new SpeechEngineException(
                $"Whisper model '{path}' lacks the {what} '{name}' (has: {string.Join(", ", nodes.Keys.Take(12))}{(nodes.Count > 12 ? ", ..." : string.Empty)}).");
        }

        if (!node.IsTensor || node.ElementDataType != type)
        {
            var hint = node.IsTensor && node.ElementDataType == TensorElementType.Float16
                ? " This is a float16 export; use the float32 or the int8-quantized files (float inputs and outputs)."
                : string.Empty;
            throw new SpeechEngineException(
                $"Whisper model '{path}': '{name}' is {(node.IsTensor ? node.ElementDataType.ToString() : node.OnnxValueType.ToString())}, expected {type}.{hint}");
        }

        if (node.Dimensions.Length != rank)
        {
            throw new SpeechEngineException(
                $"Whisper model '{path}': '{name}' has rank {node.Dimensions.Length} (dims [{string.Join(", ", node.Dimensions)}]), expected {rank}.");
        }
    }

    private static void CheckDim(int[] dims, int axis, int expected, string name, string path, string what)
    {
        if (dims[axis] > 0 && dims[axis] != expected)
        {
            throw new SpeechEngineException(
                $"Whisper model '{path}': '{name}' dimension {axis} ({what}) is {dims[axis]}, expected {expected}.");
        }
    }

    private static void RejectUnknown(IEnumerable<string> names, IEnumerable<string> known, string path)
    {
        var unknown = names.Except(known, StringComparer.Ordinal).ToArray();
        if (unknown.Length > 0)
        {
            throw new SpeechEngineException(
                $"Whisper model '{path}' has inputs this engine does not provide: {string.Join(", ", unknown)} (expected the Optimum export layout).");
        }
    }
}
