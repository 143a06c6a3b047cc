namespace AudioFlow.Engines.Vad;

/// <summary>
/// A voice-activity model loaded once per process (the weights), from which each call takes a small
/// <see cref="IVadSession"/> holding its own recurrent state. Implementations are thread-safe.
/// </summary>
public interface IVadModel : IDisposable
{
    /// <summary>Sample rates the model accepts (Silero v5: 8000 and 16000).</summary>
    IReadOnlyList<int> SupportedSampleRates { get; }

    /// <summary>Samples per inference window at <paramref name="sampleRate"/> (Silero v5: 256 at 8 kHz, 512 at 16 kHz).</summary>
    int WindowSamples(int sampleRate);

    /// <summary>A fresh per-call session. Throws <see cref="ArgumentException"/> for an unsupported rate.</summary>
    IVadSession CreateSession(int sampleRate);

    /// <summary>
    /// Runs one window for each of several sessions (calls) in a single inference, writing each speech
    /// probability into <paramref name="probabilities"/>. All sessions must share one sample rate; every
    /// window is <see cref="WindowSamples"/> long, PCM scaled to [-1, 1]. Each session's state advances
    /// exactly as if <see cref="IVadSession.Process"/> had been called on it.
    /// </summary>
    void ProcessBatch(IReadOnlyList<IVadSession> sessions, IReadOnlyList<float[]> windows, Span<float> probabilities);
}

/// <summary>One call's VAD state (it may hold native buffers: dispose it when the call ends). Not thread-safe: one call drives it at a time.</summary>
public interface IVadSession : IDisposable
{
    int SampleRate { get; }

    int WindowSamples { get; }

    /// <summary>Speech probability (0..1) of one window of <see cref="WindowSamples"/> samples scaled to [-1, 1].</summary>
    float Process(ReadOnlySpan<float> window);

    /// <summary>Forgets the recurrent state and context (e.g. after a long silence).</summary>
    void Reset();
}
