using AudioFlow.Engines.Vad;
using BenchmarkDotNet.Attributes;

namespace AudioFlow.Bench;

/// <summary>
/// Silero VAD v5 cost per 32 ms (16 kHz) / 32 ms (8 kHz) window: one session calling Process, and one
/// ProcessBatch over 8, 32 or 64 sessions. Every benchmark reports the cost of ONE window (OperationsPerInvoke),
/// so the batched rows compare directly with the single rows. ORT runs with one intra-op thread, as in production.
/// The model is found at models/silero-vad/silero_vad.onnx under the folder holding AudioFlow.sln
/// (or at the path in AUDIOFLOW_SILERO_VAD_MODEL).
/// </summary>
[MemoryDiagnoser]
public class VadBenchmarks
{
    private const int SingleWindowsPerInvoke = 16;

    private SileroVadModel _model = null!;
    private SileroVadSession _single16k = null!;
    private SileroVadSession _single8k = null!;
    private float[][] _windows16k = [];
    private float[][] _windows8k = [];
    private readonly Dictionary<int, (IVadSession[] Sessions, float[][] Windows, float[] Probabilities)> _batches = [];

    [GlobalSetup]
    public void Setup()
    {
        _model = new SileroVadModel(FindModel());
        _single16k = _model.CreateSession(16000);
        _single8k = _model.CreateSession(8000);
        _windows16k = MakeWindows(16000, SingleWindowsPerInvoke, seed: 1);
        _windows8k = MakeWindows(8000, SingleWindowsPerInvoke, seed: 2);
        foreach (int n in new[] { 8, 32, 64 })
        {
            var sessions = Enumerable.Range(0, n).Select(_ => (IVadSession)_model.CreateSession(16000)).ToArray();
            _batches[n] = (sessions, MakeWindows(16000, n, seed: 100 + n), new float[n]);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _single16k.Dispose();
        _single8k.Dispose();
        foreach (var (sessions, _, _) in _batches.Values)
        {
            foreach (var s in sessions)
            {
                ((IDisposable)s).Dispose();
            }
        }
        _model.Dispose();
    }

    [Benchmark(OperationsPerInvoke = SingleWindowsPerInvoke, Description = "Single session, 16 kHz (per window)")]
    public float Single16k()
    {
        float sum = 0;
        foreach (var w in _windows16k)
        {
            sum += _single16k.Process(w);
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = SingleWindowsPerInvoke, Description = "Single session, 8 kHz (per window)")]
    public float Single8k()
    {
        float sum = 0;
        foreach (var w in _windows8k)
        {
            sum += _single8k.Process(w);
        }
        return sum;
    }

    [Benchmark(OperationsPerInvoke = 8, Description = "Batch of 8, 16 kHz (per window)")]
    public float Batch8() => RunBatch(8);

    [Benchmark(OperationsPerInvoke = 32, Description = "Batch of 32, 16 kHz (per window)")]
    public float Batch32() => RunBatch(32);

    [Benchmark(OperationsPerInvoke = 64, Description = "Batch of 64, 16 kHz (per window)")]
    public float Batch64() => RunBatch(64);

    private float RunBatch(int n)
    {
        var (sessions, windows, probabilities) = _batches[n];
        _model.ProcessBatch(sessions, windows, probabilities);
        return probabilities[0];
    }

    /// <summary>Speech-band test signal (harmonics on a moving pitch plus noise); the cost does not depend on content.</summary>
    private static float[][] MakeWindows(int sampleRate, int count, int seed)
    {
        var rnd = new Random(seed);
        int window = sampleRate == 16000 ? 512 : 256;
        var windows = new float[count][];
        double phase = 0;
        for (int k = 0; k < count; k++)
        {
            windows[k] = new float[window];
            for (int i = 0; i < window; i++)
            {
                double t = (double)(k * window + i) / sampleRate;
                phase += 2 * Math.PI * (120 + 30 * Math.Sin(2 * Math.PI * 2 * t)) / sampleRate;
                double v = 0.2 * Math.Sin(phase) + 0.1 * Math.Sin(2 * phase) + 0.05 * Math.Sin(3 * phase);
                windows[k][i] = (float)(v * Math.Abs(Math.Sin(Math.PI * 4 * t)) + 0.01 * (rnd.NextDouble() - 0.5));
            }
        }
        return windows;
    }

    private static string FindModel()
    {
        if (Environment.GetEnvironmentVariable("AUDIOFLOW_SILERO_VAD_MODEL") is { Length: > 0 } configured)
        {
            return configured;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AudioFlow.sln")))
            {
                return Path.Combine(dir.FullName, "models", "silero-vad", "silero_vad.onnx");
            }
        }
        throw new FileNotFoundException(
            $"No AudioFlow.sln above {AppContext.BaseDirectory}; set AUDIOFLOW_SILERO_VAD_MODEL to the model path (run models/fetch.sh to fetch it).");
    }
}
