using Akka.Actor;
using Akka.Event;
using AudioFlow.Pipeline.Metrics;

namespace AudioFlow.Pipeline.Journal;

/// <summary>
/// Keeps one call's journal events until the database has them: a queue in memory, handed in batches to a
/// <see cref="CallJournalPersistence"/> child. If the database is unreachable (the child stops on a persist or
/// recovery failure), the writer waits with exponential backoff and starts a new child with the same backlog, so the
/// call goes on and nothing is lost; every retry is logged and counted. The writer outlives its call: it stops once
/// <see cref="CallEnded"/> is stored. (Only a node crash loses a backlog that was never stored; the node-restart
/// recovery then closes the call.)
/// </summary>
public sealed class CallJournalWriter : ReceiveActor, IWithTimers
{
    private const int BatchSize = 50;
    private const int BacklogWarning = 1000;
    private static readonly TimeSpan MinBackoff = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly string _callId;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Queue<(long Id, CallEvent Event, TaskCompletionSource? Ack)> _pending = new();
    private IActorRef? _persistence;
    private long _nextId;
    private long _inFlightUpTo;
    private int _failures;
    private bool _ended;

    public CallJournalWriter(string callId)
    {
        _callId = callId;
        Receive<Append>(OnAppend);
        Receive<CallJournalPersistence.BatchPersisted>(OnPersisted);
        Receive<Terminated>(OnPersistenceStopped);
        Receive<Retry>(_ => StartPersistence());
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props Props(string callId) => Akka.Actor.Props.Create(() => new CallJournalWriter(callId));

    protected override void PreStart() => StartPersistence();

    protected override void PostStop()
    {
        if (_pending.Count > 0)
        {
            _log.Error("[call {0}] journal writer stopped with {1} events never stored (node shutting down?)", _callId, _pending.Count);
            foreach (var (_, _, ack) in _pending)
            {
                ack?.TrySetException(new InvalidOperationException("the journal writer stopped before the event was stored"));
            }
        }
    }

    private void OnAppend(Append append)
    {
        _pending.Enqueue((++_nextId, append.Event, append.Ack));
        _ended |= append.Event is CallEnded;
        if (_pending.Count == BacklogWarning)
        {
            _log.Warning("[call {0}] journal backlog reached {1} events: the database is not keeping up or is down", _callId, BacklogWarning);
        }

        SendNextBatch();
    }

    private void OnPersisted(CallJournalPersistence.BatchPersisted persisted)
    {
        if (_failures > 0)
        {
            _log.Info("[call {0}] journal writes resumed after {1} failed attempts", _callId, _failures);
            _failures = 0;
        }

        while (_pending.TryPeek(out var head) && head.Id <= persisted.LastId)
        {
            _pending.Dequeue();
            head.Ack?.TrySetResult();
        }

        _inFlightUpTo = 0;
        if (_pending.Count == 0 && _ended)
        {
            Context.Stop(Self);
            return;
        }

        SendNextBatch();
    }

    private void OnPersistenceStopped(Terminated terminated)
    {
        if (!terminated.ActorRef.Equals(_persistence))
        {
            return;
        }

        _persistence = null;
        _inFlightUpTo = 0;
        _failures++;
        var backoff = TimeSpan.FromMilliseconds(Math.Min(MaxBackoff.TotalMilliseconds, MinBackoff.TotalMilliseconds * Math.Pow(2, _failures - 1)));
        AudioFlowMetrics.JournalRetries.Add(1);
        _log.Warning("[call {0}] journal write failed ({1} in a row); {2} events kept, retrying in {3:F1} s",
            _callId, _failures, _pending.Count, backoff.TotalSeconds);
        Timers.StartSingleTimer("retry", new Retry(), backoff);
    }

    private void StartPersistence()
    {
        _persistence = Context.ActorOf(CallJournalPersistence.Props(_callId), $"persistence-{_failures}-{_nextId}");
        Context.Watch(_persistence);
        SendNextBatch();
    }

    private void SendNextBatch()
    {
        if (_persistence is null || _inFlightUpTo != 0 || _pending.Count == 0)
        {
            return;
        }

        var batch = _pending.Take(BatchSize).Select(p => (p.Id, p.Event)).ToArray();
        _inFlightUpTo = batch[^1].Id;
        _persistence.Tell(new CallJournalPersistence.PersistBatch(batch));
    }

    /// <summary>Store <see cref="Event"/>; <see cref="Ack"/> (if any) completes once it is stored.</summary>
    public sealed record Append(CallEvent Event, TaskCompletionSource? Ack = null);

    private sealed record Retry;
}
