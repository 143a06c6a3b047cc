using Microsoft.ML.OnnxRuntime;

namespace AudioFlow.Engines.Vad;

/// <summary>
/// One call's Silero VAD state: the recurrent state (<c>[2, 1, 128]</c> floats) and the context (the last
/// 64 samples at 16 kHz / 32 at 8 kHz of the previous window). Created by
/// <see cref="SileroVadModel.CreateSession"/>. Not thread-safe: one call drives it at a time.
/// </summary>
/// <remarks>
/// <see cref="Process"/> runs through an ORT I/O binding over buffers the session owns, so the hot path
/// allocates nothing. Those ORT handles are created on the first <see cref="Process"/> call (a session only
/// ever used through <see cref="SileroVadModel.ProcessBatch"/> holds none). Dispose the session when the
/// call ends to release them at once; if it is not disposed the finalizers release them.
/// </remarks>
public sealed class SileroVadSession : IVadSession, IDisposable
{
    private OrtIoBinding? _binding;
    private OrtValue? _inputValue;
    private OrtValue? _stateValue;
    private OrtValue? _outputValue;
    private OrtValue? _stateOutValue;
    private readonly float[] _stateOut;
    private readonly float[] _output;
    private bool _disposed;

    internal SileroVadSession(SileroVadModel model, int sampleRate, int windowSamples, int contextSamples)
    {
        Model = model;
        SampleRate = sampleRate;
        WindowSamples = windowSamples;
        ContextSamples = contextSamples;
        // Pinned (pinned object heap) because ORT reads and writes them through raw pointers.
        Input = GC.AllocateArray<float>(contextSamples + windowSamples, pinned: true);
        State = GC.AllocateArray<float>(SileroVadModel.StateLength, pinned: true);
        _stateOut = GC.AllocateArray<float>(SileroVadModel.StateLength, pinned: true);
        _output = GC.AllocateArray<float>(1, pinned: true);
    }

    public int SampleRate { get; }

    public int WindowSamples { get; }

    /// <summary>Samples of the previous window prepended to each window (64 at 16 kHz, 32 at 8 kHz).</summary>
    public int ContextSamples { get; }

    internal SileroVadModel Model { get; }

    /// <summary>The model's input row: <c>[context | window]</c>. Between calls only the context part is meaningful.</summary>
    internal float[] Input { get; }

    /// <summary>Recurrent state, layout <c>[2, 128]</c> (the model's <c>[2, 1, 128]</c>).</summary>
    internal float[] State { get; }

    /// <summary>Marks membership of the batch being validated (see <see cref="SileroVadModel.ProcessBatch"/>).</summary>
    internal long BatchStamp { get; set; }

    public float Process(ReadOnlySpan<float> window)
    {
        if (window.Length != WindowSamples)
        {
            throw new ArgumentException(
                $"Silero VAD at {SampleRate} Hz takes windows of exactly {WindowSamples} samples; got {window.Length}.",
                nameof(window));
        }
        ThrowIfDisposed();
        Model.ThrowIfDisposed();

        var binding = _binding ?? Bind();
        window.CopyTo(Input.AsSpan(ContextSamples));
        Model.Run(binding);
        // Only after a successful run: a failed inference leaves state and context as they were.
        _stateOut.AsSpan().CopyTo(State);
        Input.AsSpan(WindowSamples, ContextSamples).CopyTo(Input);
        return _output[0];
    }

    public void Reset()
    {
        ThrowIfDisposed();
        Array.Clear(State);
        Array.Clear(Input);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _binding?.Dispose();
        _inputValue?.Dispose();
        _stateValue?.Dispose();
        _outputValue?.Dispose();
        _stateOutValue?.Dispose();
    }

    internal void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private OrtIoBinding Bind()
    {
        _inputValue = OrtValue.CreateTensorValueFromMemory(Input, [1, Input.Length]);
        _stateValue = OrtValue.CreateTensorValueFromMemory(State, [SileroVadModel.StateLayers, 1, SileroVadModel.StateUnits]);
        _outputValue = OrtValue.CreateTensorValueFromMemory(_output, [1, 1]);
        _stateOutValue = OrtValue.CreateTensorValueFromMemory(_stateOut, [SileroVadModel.StateLayers, 1, SileroVadModel.StateUnits]);
        _binding = Model.CreateBinding(_inputValue, _stateValue, SampleRate, _outputValue, _stateOutValue);
        return _binding;
    }
}
