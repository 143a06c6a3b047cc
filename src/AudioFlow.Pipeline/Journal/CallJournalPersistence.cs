using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace AudioFlow.Pipeline.Journal;

/// <summary>
/// The event-sourced journal of one call (persistence id <c>call-{callId}</c>). It only persists what its
/// <see cref="CallJournalWriter"/> hands it, in batches, and acks each batch after the database has it. When the
/// database fails, Akka.Persistence stops this actor; the writer keeps the batch and starts a new one later.
/// CallStarted and CallEnded are tagged so open and finished calls can be found without reading every journal.
/// </summary>
public sealed class CallJournalPersistence : ReceivePersistentActor
{
    public const string StartedTag = "call-started";
    public const string EndedTag = "call-ended";

    private readonly ILoggingAdapter _log = Context.GetLogger();

    public CallJournalPersistence(string callId)
    {
        PersistenceId = PersistenceIdFor(callId);
        Recover<CallEvent>(_ => { });
        Command<PersistBatch>(batch =>
        {
            var remaining = batch.Events.Count;
            var sender = Sender;
            PersistAll(batch.Events.Select(e => Tag(e.Event)), _ =>
            {
                if (--remaining == 0)
                {
                    sender.Tell(new BatchPersisted(batch.Events[^1].Id));
                }
            });
        });
    }

    public override string PersistenceId { get; }

    public static string PersistenceIdFor(string callId) => $"call-{callId}";

    public static Props Props(string callId) => Akka.Actor.Props.Create(() => new CallJournalPersistence(callId));

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        // The store refused the event itself (not the connection): retrying cannot help. Say so loudly.
        _log.Error(cause, "journal {0} rejected event {1} (seq {2}); it is not stored", PersistenceId, @event.GetType().Name, sequenceNr);
        Metrics.AudioFlowMetrics.JournalRejected.Add(1);
    }

    private static object Tag(CallEvent e) => e switch
    {
        CallStarted => new Tagged(e, [StartedTag]),
        CallEnded => new Tagged(e, [EndedTag]),
        _ => e,
    };

    /// <summary>Events to persist, in order, each with the writer's id for it.</summary>
    public sealed record PersistBatch(IReadOnlyList<(long Id, CallEvent Event)> Events);

    /// <summary>Everything up to and including <paramref name="LastId"/> is stored.</summary>
    public sealed record BatchPersisted(long LastId);
}
