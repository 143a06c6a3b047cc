using AudioFlow.Pipeline.Configuration;

namespace AudioFlow.Pipeline.Supervision;

/// <summary>What happens to one element: nothing, a delay, or a stall (a thrown fault is thrown by <see cref="FaultInjector.Next"/>).</summary>
public readonly record struct FaultAction(FaultKind? Kind, TimeSpan Latency)
{
    public static readonly FaultAction None = new(null, TimeSpan.Zero);
}

/// <summary>
/// Injects faults into one stage (or the transport) of one call, as chaos configuration says: exceptions, latency,
/// stalls; for the transport, lost, duplicated and reordered packets and abrupt closes. Its counters and random source
/// are its own, so calls never share state. With no fault configured, <see cref="Next"/> costs a branch.
/// </summary>
public sealed class FaultInjector
{
    public static readonly FaultInjector None = new("none", [], 0);

    private readonly string _stage;
    private readonly FaultSpec[] _faults;
    private readonly Random _random;
    private long _elements;

    private FaultInjector(string stage, FaultSpec[] faults, int seed)
    {
        _stage = stage;
        _faults = faults;
        _random = new Random(seed);
    }

    public static FaultInjector For(string stage, ChaosOptions chaos, string callId)
    {
        if (!chaos.Enabled)
        {
            return None;
        }

        var faults = chaos.Faults.Where(f => f.Stage == stage).ToArray();
        return faults.Length == 0 ? None : new FaultInjector(stage, faults, HashCode.Combine(callId, stage));
    }

    public bool Active => _faults.Length > 0;

    /// <summary>Counts one element and decides its fate; throws <see cref="InjectedFaultException"/> for an exception fault.</summary>
    public FaultAction Next()
    {
        if (_faults.Length == 0)
        {
            return FaultAction.None;
        }

        var n = Interlocked.Increment(ref _elements);
        foreach (var fault in _faults)
        {
            var hit = fault.EveryNth > 0 ? n % fault.EveryNth == 0 : _random.NextDouble() < fault.Probability;
            if (!hit)
            {
                continue;
            }

            if (fault.Kind == FaultKind.Exception)
            {
                throw new InjectedFaultException(_stage, n);
            }

            return new FaultAction(fault.Kind, fault.Latency);
        }

        return FaultAction.None;
    }

    /// <summary>For stages that only know how to fail: throws on exception faults, ignores the others.</summary>
    public void MaybeFail() => Next();
}

/// <summary>A fault injected by chaos configuration (never a real defect).</summary>
public sealed class InjectedFaultException(string stage, long element)
    : Exception($"injected fault in stage '{stage}' at element {element}")
{
    public string Stage { get; } = stage;
}

/// <summary>A stage held an element longer than its stall timeout; the watchdog restarts it.</summary>
public sealed class StageStalledException(string stage, TimeSpan timeout)
    : Exception($"stage '{stage}' emitted nothing for {timeout.TotalSeconds:F1} s (stalled)")
{
    public string Stage { get; } = stage;
}

/// <summary>A stage failed more times in a row than the supervision policy allows; the call cannot go on.</summary>
public sealed class StageFailedException(string stage, int failures, Exception lastError)
    : Exception($"stage '{stage}' failed {failures} times in a row: {lastError.Message}", lastError)
{
    public string Stage { get; } = stage;
}
