namespace AudioFlow.Telephony.Tests.Sip.Transactions;

/// <summary>
/// A <see cref="TimeProvider"/> whose clock only moves when a test calls <see cref="Advance"/>: due timers fire
/// on the caller's thread, in due-time order (creation order for ties), each with the clock set to its due time;
/// timers created by a callback fire in the same call when they fall due before its end.
/// </summary>
internal sealed class VirtualTimeProvider : TimeProvider
{
    private static readonly DateTimeOffset Origin = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly object _lock = new();
    private readonly List<VirtualTimer> _timers = [];
    private DateTimeOffset _now = Origin;
    private long _sequence;

    /// <summary>Virtual time since creation.</summary>
    public TimeSpan Elapsed
    {
        get
        {
            lock (_lock)
            {
                return _now - Origin;
            }
        }
    }

    public int ActiveTimers
    {
        get
        {
            lock (_lock)
            {
                return _timers.Count;
            }
        }
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + by;
        }

        for (var guard = 0; guard < 1_000_000; guard++)
        {
            VirtualTimer? next = null;
            lock (_lock)
            {
                foreach (var t in _timers)
                {
                    if (t.Due <= target && (next is null || t.Due < next.Due || (t.Due == next.Due && t.Sequence < next.Sequence)))
                    {
                        next = t;
                    }
                }

                if (next is null)
                {
                    break;
                }

                _now = next.Due;
                if (next.Period > TimeSpan.Zero && next.Period != Timeout.InfiniteTimeSpan)
                {
                    next.Due += next.Period;
                    next.Sequence = ++_sequence;
                }
                else
                {
                    _timers.Remove(next);
                }
            }

            next.Callback(next.State);
        }

        lock (_lock)
        {
            if (_now < target)
            {
                _now = target;
            }
        }
    }

    /// <summary>Advances to an absolute virtual time since creation.</summary>
    public void AdvanceTo(TimeSpan elapsed) => Advance(elapsed - Elapsed);

    private sealed class VirtualTimer(VirtualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public TimerCallback Callback { get; } = callback;

        public object? State { get; } = state;

        public DateTimeOffset Due { get; set; }

        public TimeSpan Period { get; private set; }

        public long Sequence { get; set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                Period = period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                Due = owner._now + dueTime;
                Sequence = ++owner._sequence;
                owner._timers.Add(this);
                return true;
            }
        }

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
