using AudioFlow.Pipeline.Configuration;

namespace AudioFlow.Pipeline.Supervision;

/// <summary>
/// Makes a stage throw on purpose (chaos testing). One injector per stage per call; its counter and random
/// source are its own, so calls never share state. With no fault configured, <see cref="MaybeFail"/> costs a branch.
/// </summary>
public sealed class FaultInjector
{
    public static readonly FaultInjector None = new("none", null, 0);

    private readonly string _stage;
    private readonly FaultSpec? _fault;
    private readonly Random _random;
    private long _elements;

    private FaultInjector(string stage, FaultSpec? fault, int seed)
    {
        _stage = stage;
        _fault = fault;
        _random = new Random(seed);
    }

    public static FaultInjector For(string stage, ChaosOptions chaos, string callId)
    {
        if (!chaos.Enabled)
        {
            return None;
        }

        var fault = chaos.Faults.FirstOrDefault(f => f.Stage == stage);
        return fault is null ? None : new FaultInjector(stage, fault, HashCode.Combine(callId, stage));
    }

    public bool Active => _fault is not null;

    /// <summary>Counts one element and throws <see cref="InjectedFaultException"/> when the fault says so.</summary>
    public void MaybeFail()
    {
        if (_fault is null)
        {
            return;
        }

        var n = Interlocked.Increment(ref _elements);
        var fail = _fault.EveryNth > 0 ? n % _fault.EveryNth == 0 : _random.NextDouble() < _fault.Probability;
        if (fail)
        {
            throw new InjectedFaultException(_stage, n);
        }
    }
}

/// <summary>A fault injected by chaos configuration (never a real defect).</summary>
public sealed class InjectedFaultException(string stage, long element)
    : Exception($"injected fault in stage '{stage}' at element {element}")
{
    public string Stage { get; } = stage;
}

/// <summary>A stage failed more times in a row than the supervision policy allows; the call cannot go on.</summary>
public sealed class StageFailedException(string stage, int failures, Exception lastError)
    : Exception($"stage '{stage}' failed {failures} times in a row: {lastError.Message}", lastError)
{
    public string Stage { get; } = stage;
}
