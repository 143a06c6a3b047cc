using Akka.Actor;
using Akka.Event;

namespace AudioFlow.Pipeline.Journal;

/// <summary>
/// At node start: every call whose journal has no CallEnded was cut off by a crash or a kill; it gets
/// <c>CallEnded("node restarted")</c>, so every call in the journal has an end reason.
/// </summary>
public static class JournalRecovery
{
    public const string Reason = "node restarted";

    /// <summary>
    /// Closes the calls that started before <paramref name="nodeStartedAt"/> and never ended (calls of this node's own
    /// life are left alone); returns their ids.
    /// </summary>
    public static async Task<IReadOnlyList<string>> CloseOpenCallsAsync(ActorSystem system, DateTimeOffset nodeStartedAt, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var reader = new CallJournalReader(system);
        var open = await reader.OpenCallsAsync(nodeStartedAt, cancellationToken).ConfigureAwait(false);
        var log = Logging.GetLogger(system, typeof(JournalRecovery));
        foreach (var callId in open)
        {
            var writer = system.ActorOf(CallJournalWriter.Props(callId), $"recovery-{Uri.EscapeDataString(callId)}");
            var stored = new ActorCallJournal(writer).RecordAndWaitAsync(new CallEnded(Reason, 0, 0, 0, 0, 0));
            await stored.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            log.Warning("[call {0}] had no end in the journal: closed as '{1}'", callId, Reason);
        }

        return open;
    }
}
