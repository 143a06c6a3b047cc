using System.Collections.ObjectModel;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace AudioFlow.Engines.Vad;

/// <summary>
/// Silero VAD v5 (ONNX) on ONNX Runtime. One instance per process: it owns the
/// <see cref="InferenceSession"/> (the weights), which every <see cref="SileroVadSession"/> and every
/// <see cref="ProcessBatch"/> call share. ORT's Run is thread-safe, so sessions may be driven from
/// different threads at once, and batches may run concurrently with single-session calls.
/// </summary>
/// <remarks>
/// The model is fed <c>context + window</c> samples: 64 + 512 at 16 kHz, 32 + 256 at 8 kHz, where the
/// context is the tail of the previous window (zeros at the start). Its recurrent state is a
/// <c>[2, batch, 128]</c> float tensor. Both are carried per session.
/// Dispose the model only once no call is using it any more.
/// </remarks>
public sealed class SileroVadModel : IVadModel
{
    internal const int StateLayers = 2;
    internal const int StateUnits = 128;
    internal const int StateLength = StateLayers * StateUnits;

    private const string InputName = "input";
    private const string StateName = "state";
    private const string SampleRateName = "sr";
    private const string OutputName = "output";
    private const string StateOutName = "stateN";

    private static readonly string[] InputNames = [InputName, StateName, SampleRateName];
    private static readonly string[] OutputNames = [OutputName, StateOutName];
    private static readonly ReadOnlyCollection<int> Rates = Array.AsReadOnly(new[] { 8000, 16000 });

    /// <summary>Reused gather/scatter buffers for <see cref="ProcessBatch"/>; one set per thread.</summary>
    [ThreadStatic]
    private static BatchBuffers? t_batchBuffers;

    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions;
    private readonly long[] _sampleRateShape;
    private readonly long[] _sr8k;
    private readonly long[] _sr16k;
    private readonly OrtValue _sr8kValue;
    private readonly OrtValue _sr16kValue;
    private long _batchStamp;
    private volatile bool _disposed;

    /// <summary>
    /// Loads the model and checks that it has Silero v5's inputs and outputs, then runs one warm-up
    /// inference at each sample rate (so the first real window does not pay for ORT's lazy set-up).
    /// </summary>
    /// <param name="modelPath">Path of <c>silero_vad.onnx</c> (v5).</param>
    /// <param name="intraOpThreads">ORT threads used inside one inference. 1 (default) runs the
    /// inference on the calling thread, which is what many concurrent small calls want; 0 lets ORT pick.</param>
    /// <param name="interOpThreads">ORT threads used across graph nodes (execution is sequential, so 1).</param>
    /// <exception cref="VadModelException">The file is missing, not a loadable ONNX model, or not Silero v5.</exception>
    public SileroVadModel(string modelPath, int intraOpThreads = 1, int interOpThreads = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        ArgumentOutOfRangeException.ThrowIfNegative(intraOpThreads);
        ArgumentOutOfRangeException.ThrowIfNegative(interOpThreads);

        ModelPath = Path.GetFullPath(modelPath);
        if (!File.Exists(ModelPath))
        {
            throw new VadModelException(ModelPath, $"Silero VAD model file not found: '{ModelPath}'.");
        }

        using (var options = new SessionOptions())
        {
            options.IntraOpNumThreads = intraOpThreads;
            options.InterOpNumThreads = interOpThreads;
            options.ExecutionMode = ExecutionMode.ORT_SEQUENTIAL;
            options.GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL;
            options.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
            // Busy-waiting worker threads (only relevant with more than one thread) would burn the CPU
            // that other calls' inferences need on a shared telephony box.
            options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
            options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
            try
            {
                _session = new InferenceSession(ModelPath, options);
            }
            catch (OnnxRuntimeException e)
            {
                throw new VadModelException(ModelPath, $"Could not load the Silero VAD model '{ModelPath}': {e.Message}", e);
            }
        }

        _runOptions = new RunOptions();
        try
        {
            _sampleRateShape = CheckSignature(_session, ModelPath);
            _sr8k = GC.AllocateArray<long>(1, pinned: true);
            _sr8k[0] = 8000;
            _sr16k = GC.AllocateArray<long>(1, pinned: true);
            _sr16k[0] = 16000;
            _sr8kValue = OrtValue.CreateTensorValueFromMemory(_sr8k, _sampleRateShape);
            _sr16kValue = OrtValue.CreateTensorValueFromMemory(_sr16k, _sampleRateShape);
            foreach (var rate in Rates)
            {
                CheckByTestRun(rate);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Full path of the loaded model file.</summary>
    public string ModelPath { get; }

    public IReadOnlyList<int> SupportedSampleRates => Rates;

    public int WindowSamples(int sampleRate) => Geometry(sampleRate).Window;

    /// <summary>Samples of the previous window prepended to each window at <paramref name="sampleRate"/> (64 at 16 kHz, 32 at 8 kHz).</summary>
    public static int ContextSamples(int sampleRate) => Geometry(sampleRate).Context;

    /// <summary>A fresh per-call session (zero state, zero context).</summary>
    /// <exception cref="ArgumentException">Unsupported sample rate.</exception>
    public SileroVadSession CreateSession(int sampleRate)
    {
        var (window, context) = Geometry(sampleRate);
        ThrowIfDisposed();
        return new SileroVadSession(this, sampleRate, window, context);
    }

    IVadSession IVadModel.CreateSession(int sampleRate) => CreateSession(sampleRate);

    /// <summary>
    /// Runs one window for each session in one inference: the sessions' <c>context + window</c> rows
    /// are stacked into a <c>[N, context + window]</c> input and their states into <c>[2, N, 128]</c>;
    /// the probabilities and new states are scattered back. Every session must come from this model,
    /// appear once, and share one sample rate. On failure no session's state changes.
    /// </summary>
    public void ProcessBatch(IReadOnlyList<IVadSession> sessions, IReadOnlyList<float[]> windows, Span<float> probabilities)
    {
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(windows);
        ThrowIfDisposed();
        int n = sessions.Count;
        if (windows.Count != n)
        {
            throw new ArgumentException($"Got {n} sessions but {windows.Count} windows; pass one window per session.", nameof(windows));
        }
        if (probabilities.Length < n)
        {
            throw new ArgumentException($"Room for {probabilities.Length} probabilities but {n} sessions.", nameof(probabilities));
        }
        if (n == 0)
        {
            return;
        }

        // Validate everything before touching any state, so a bad argument leaves all sessions as they were.
        long stamp = Interlocked.Increment(ref _batchStamp);
        int sampleRate = 0, windowSamples = 0, contextSamples = 0;
        for (int i = 0; i < n; i++)
        {
            if (sessions[i] is not SileroVadSession s || !ReferenceEquals(s.Model, this))
            {
                throw new ArgumentException($"sessions[{i}] was not created by this SileroVadModel.", nameof(sessions));
            }
            s.ThrowIfDisposed();
            if (i == 0)
            {
                sampleRate = s.SampleRate;
                windowSamples = s.WindowSamples;
                contextSamples = s.ContextSamples;
            }
            else if (s.SampleRate != sampleRate)
            {
                throw new ArgumentException(
                    $"All sessions in a batch must share one sample rate: sessions[0] is {sampleRate} Hz, sessions[{i}] is {s.SampleRate} Hz.",
                    nameof(sessions));
            }
            if (s.BatchStamp == stamp)
            {
                throw new ArgumentException($"sessions[{i}] appears more than once in the batch; a session takes one window per inference.", nameof(sessions));
            }
            s.BatchStamp = stamp;

            var w = windows[i] ?? throw new ArgumentException($"windows[{i}] is null.", nameof(windows));
            if (w.Length != windowSamples)
            {
                throw new ArgumentException(
                    $"Silero VAD at {sampleRate} Hz takes windows of exactly {windowSamples} samples; windows[{i}] has {w.Length}.",
                    nameof(windows));
            }
        }

        int fed = contextSamples + windowSamples;
        var buffers = t_batchBuffers ??= new BatchBuffers();
        buffers.Ensure(n, fed);
        var input = buffers.Input;
        var state = buffers.State;
        var output = buffers.Output;
        var stateOut = buffers.StateOut;
        int layerStride = n * StateUnits;

        for (int i = 0; i < n; i++)
        {
            var s = (SileroVadSession)sessions[i];
            var row = input.AsSpan(i * fed, fed);
            s.Input.AsSpan(0, contextSamples).CopyTo(row);
            windows[i].CopyTo(row[contextSamples..]);
            for (int layer = 0; layer < StateLayers; layer++)
            {
                s.State.AsSpan(layer * StateUnits, StateUnits).CopyTo(state.AsSpan(layer * layerStride + i * StateUnits, StateUnits));
            }
        }

        var memoryInfo = OrtMemoryInfo.DefaultInstance;
        using (var inputValue = OrtValue.CreateTensorValueFromMemory(memoryInfo, input.AsMemory(0, n * fed), [n, fed]))
        using (var stateValue = OrtValue.CreateTensorValueFromMemory(memoryInfo, state.AsMemory(0, StateLayers * layerStride), [StateLayers, n, StateUnits]))
        using (var outputValue = OrtValue.CreateTensorValueFromMemory(memoryInfo, output.AsMemory(0, n), [n, 1]))
        using (var stateOutValue = OrtValue.CreateTensorValueFromMemory(memoryInfo, stateOut.AsMemory(0, StateLayers * layerStride), [StateLayers, n, StateUnits]))
        {
            buffers.Inputs[0] = inputValue;
            buffers.Inputs[1] = stateValue;
            buffers.Inputs[2] = SampleRateValue(sampleRate);
            buffers.Outputs[0] = outputValue;
            buffers.Outputs[1] = stateOutValue;
            try
            {
                _session.Run(_runOptions, InputNames, buffers.Inputs, OutputNames, buffers.Outputs);
            }
            finally
            {
                Array.Clear(buffers.Inputs);
                Array.Clear(buffers.Outputs);
            }
        }

        for (int i = 0; i < n; i++)
        {
            var s = (SileroVadSession)sessions[i];
            probabilities[i] = output[i];
            for (int layer = 0; layer < StateLayers; layer++)
            {
                stateOut.AsSpan(layer * layerStride + i * StateUnits, StateUnits).CopyTo(s.State.AsSpan(layer * StateUnits, StateUnits));
            }
            windows[i].AsSpan(windowSamples - contextSamples, contextSamples).CopyTo(s.Input);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _sr8kValue?.Dispose();
        _sr16kValue?.Dispose();
        _runOptions?.Dispose();
        _session?.Dispose();
    }

    internal static (int Window, int Context) Geometry(int sampleRate) => sampleRate switch
    {
        16000 => (512, 64),
        8000 => (256, 32),
        _ => throw new ArgumentException(
            $"Silero VAD supports 8000 and 16000 Hz; got {sampleRate} Hz. Resample the audio first.", nameof(sampleRate)),
    };

    internal OrtValue SampleRateValue(int sampleRate) => sampleRate == 8000 ? _sr8kValue : _sr16kValue;

    internal OrtIoBinding CreateBinding(OrtValue input, OrtValue state, int sampleRate, OrtValue output, OrtValue stateOut)
    {
        var binding = _session.CreateIoBinding();
        try
        {
            binding.BindInput(InputName, input);
            binding.BindInput(StateName, state);
            binding.BindInput(SampleRateName, SampleRateValue(sampleRate));
            binding.BindOutput(OutputName, output);
            binding.BindOutput(StateOutName, stateOut);
            return binding;
        }
        catch
        {
            binding.Dispose();
            throw;
        }
    }

    internal void Run(OrtIoBinding binding) => _session.RunWithBinding(_runOptions, binding);

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Checks names, element types and ranks; returns the shape to give the <c>sr</c> tensor.</summary>
    private static long[] CheckSignature(InferenceSession session, string path)
    {
        var problems = new List<string>();
        var inputs = session.InputMetadata;
        var outputs = session.OutputMetadata;

        CheckTensor(inputs, "input", InputName, TensorElementType.Float, problems, rank: 2);
        CheckTensor(inputs, "input", StateName, TensorElementType.Float, problems, rank: 3, fixedDims: [StateLayers, -1, StateUnits]);
        CheckTensor(outputs, "output", OutputName, TensorElementType.Float, problems, rank: 2);
        CheckTensor(outputs, "output", StateOutName, TensorElementType.Float, problems, rank: 3);

        long[] srShape = [];
        if (CheckTensor(inputs, "input", SampleRateName, TensorElementType.Int64, problems, rank: null) is { } sr)
        {
            var dims = sr.Dimensions;
            if (dims.Length == 1 && dims[0] is 1 or -1)
            {
                srShape = [1];
            }
            else if (dims.Length != 0)
            {
                problems.Add($"input '{SampleRateName}' should be an int64 scalar but has shape [{string.Join(", ", dims)}]");
            }
        }

        if (problems.Count > 0)
        {
            throw new VadModelException(path,
                $"'{path}' is not a Silero VAD v5 model: {string.Join("; ", problems)}. " +
                $"Expected inputs input float[batch, samples], state float[2, batch, 128], sr int64 scalar and outputs " +
                $"output float[batch, 1], stateN float[2, batch, 128]. The model has inputs {Describe(inputs)} and outputs {Describe(outputs)}.");
        }
        return srShape;
    }

    private static NodeMetadata? CheckTensor(
        IReadOnlyDictionary<string, NodeMetadata> nodes, string kind, string name, TensorElementType type,
        List<string> problems, int? rank, int[]? fixedDims = null)
    {
        if (!nodes.TryGetValue(name, out var meta))
        {
            problems.Add($"no {kind} named '{name}'");
            return null;
        }
        if (meta.OnnxValueType != OnnxValueType.ONNX_TYPE_TENSOR || meta.ElementDataType != type)
        {
            problems.Add($"{kind} '{name}' should be a {type} tensor but is {meta.OnnxValueType}/{meta.ElementDataType}");
            return null;
        }
        var dims = meta.Dimensions;
        if (rank is { } r && dims.Length != r)
        {
            problems.Add($"{kind} '{name}' should have rank {r} but has shape [{string.Join(", ", dims)}]");
            return null;
        }
        if (fixedDims is not null)
        {
            for (int d = 0; d < fixedDims.Length; d++)
            {
                if (fixedDims[d] >= 0 && dims[d] >= 0 && dims[d] != fixedDims[d])
                {
                    problems.Add($"{kind} '{name}' has dimension {d} = {dims[d]}, expected {fixedDims[d]}");
                    return null;
                }
            }
        }
        return meta;
    }

    private static string Describe(IReadOnlyDictionary<string, NodeMetadata> nodes) =>
        "(" + string.Join(", ", nodes.Select(kv =>
            kv.Value.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR
                ? $"{kv.Key} {kv.Value.ElementDataType}[{string.Join(", ", kv.Value.Dimensions)}]"
                : $"{kv.Key} {kv.Value.OnnxValueType}")) + ")";

    /// <summary>
    /// One inference with a batch of two (checks the output shapes and that the batch axis works),
    /// then one through a session's bound buffers (warms the single-window path).
    /// </summary>
    private void CheckByTestRun(int sampleRate)
    {
        var (window, context) = Geometry(sampleRate);
        int fed = window + context;
        try
        {
            using var input = OrtValue.CreateTensorValueFromMemory(new float[2 * fed], [2, fed]);
            using var state = OrtValue.CreateTensorValueFromMemory(new float[2 * StateLength], [StateLayers, 2, StateUnits]);
            using var results = _session.Run(_runOptions, InputNames, [input, state, SampleRateValue(sampleRate)], OutputNames);
            var outShape = results[0].GetTensorTypeAndShape().Shape;
            var stateShape = results[1].GetTensorTypeAndShape().Shape;
            if (!outShape.SequenceEqual([2L, 1L]) || !stateShape.SequenceEqual([(long)StateLayers, 2L, StateUnits]))
            {
                throw new VadModelException(ModelPath,
                    $"'{ModelPath}' does not behave like Silero VAD v5 at {sampleRate} Hz: for a batch of 2 it returned " +
                    $"output [{string.Join(", ", outShape)}] and stateN [{string.Join(", ", stateShape)}], expected [2, 1] and [2, 2, 128].");
            }

            using var session = CreateSession(sampleRate);
            session.Process(new float[window]);
        }
        catch (OnnxRuntimeException e)
        {
            throw new VadModelException(ModelPath,
                $"'{ModelPath}' failed a test inference at {sampleRate} Hz with {fed} samples: {e.Message}", e);
        }
    }

    private sealed class BatchBuffers
    {
        public float[] Input = [];
        public float[] State = [];
        public float[] Output = [];
        public float[] StateOut = [];
        public readonly OrtValue[] Inputs = new OrtValue[3];
        public readonly OrtValue[] Outputs = new OrtValue[2];

        public void Ensure(int n, int fed)
        {
            if (Output.Length < n)
            {
                int capacity = (int)Math.Max(8, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)n));
                State = GC.AllocateUninitializedArray<float>(capacity * StateLength, pinned: true);
                Output = GC.AllocateUninitializedArray<float>(capacity, pinned: true);
                StateOut = GC.AllocateUninitializedArray<float>(capacity * StateLength, pinned: true);
                Input = [];
            }
            if (Input.Length < Output.Length * fed)
            {
                Input = GC.AllocateUninitializedArray<float>(Output.Length * fed, pinned: true);
            }
        }
    }
}
