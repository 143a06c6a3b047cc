using Akka.Actor;

namespace AudioFlow.Pipeline.Journal;

/// <summary>Where a call's events go. Recording never blocks the media path; <see cref="RecordAndWaitAsync"/> is for
/// events something must not act on before they are stored (a transfer, the end of the call).</summary>
public interface ICallJournal
{
    void Record(CallEvent callEvent);

    /// <summary>Completes when the event is stored (or throws if the writer gave up at shutdown).</summary>
    Task RecordAndWaitAsync(CallEvent callEvent);
}

/// <summary>The journal of one call, written through its <see cref="CallJournalWriter"/>.</summary>
public sealed class ActorCallJournal(IActorRef writer) : ICallJournal
{
    public void Record(CallEvent callEvent) => writer.Tell(new CallJournalWriter.Append(callEvent));

    public Task RecordAndWaitAsync(CallEvent callEvent)
    {
        var ack = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        writer.Tell(new CallJournalWriter.Append(callEvent, ack));
        return ack.Task;
    }
}

/// <summary>Journaling switched off (<c>audioflow.journal.enabled = off</c>): events are not kept.</summary>
public sealed class DisabledCallJournal : ICallJournal
{
    public static readonly DisabledCallJournal Instance = new();

    public void Record(CallEvent callEvent)
    {
    }

    public Task RecordAndWaitAsync(CallEvent callEvent) => Task.CompletedTask;
}
