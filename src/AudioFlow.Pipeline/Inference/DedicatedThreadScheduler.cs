using System.Collections.Concurrent;

namespace AudioFlow.Pipeline.Inference;

/// <summary>
/// A TaskScheduler with its own fixed set of background threads: blocking and native inference (ONNX, pocketsphinx,
/// espeak-ng, flite) runs here, never on the stream's threads nor on the .NET thread pool, so a slow decode cannot
/// starve timers or other calls' audio. Work is taken in FIFO order.
/// </summary>
public sealed class DedicatedThreadScheduler : TaskScheduler, IDisposable
{
    private readonly BlockingCollection<Task> _queue = new();
    private readonly Thread[] _threads;

    public DedicatedThreadScheduler(string name, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Name = name;
        _threads = new Thread[threads];
        for (var i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = $"{name}-{i}" };
            _threads[i].Start();
        }
    }

    public string Name { get; }

    public override int MaximumConcurrencyLevel => _threads.Length;

    /// <summary>Work items waiting for a thread (a saturation signal).</summary>
    public int QueueLength => _queue.Count;

    /// <summary>Runs <paramref name="work"/> on one of this scheduler's threads.</summary>
    public Task<T> Run<T>(Func<T> work, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(work, cancellationToken, TaskCreationOptions.DenyChildAttach, this);

    protected override void QueueTask(Task task) => _queue.Add(task);

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        _threads.Contains(Thread.CurrentThread) && TryExecuteTask(task);

    protected override IEnumerable<Task> GetScheduledTasks() => _queue.ToArray();

    private void Run()
    {
        try
        {
            foreach (var task in _queue.GetConsumingEnumerable())
            {
                TryExecuteTask(task);
            }
        }
        catch (ObjectDisposedException)
        {
            // disposed while waiting: the process is shutting down
        }
    }

    public void Dispose() => _queue.CompleteAdding();
}

/// <summary>The process's two inference pools: realtime (VAD, tiny and latency-critical) and heavy (STT, TTS).</summary>
public sealed class InferenceSchedulers(int realtimeThreads, int heavyThreads) : IDisposable
{
    public DedicatedThreadScheduler Realtime { get; } = new("inference-rt", realtimeThreads);

    public DedicatedThreadScheduler Heavy { get; } = new("inference-heavy", heavyThreads);

    public void Dispose()
    {
        Realtime.Dispose();
        Heavy.Dispose();
    }
}
