using Akka.Actor;
using Akka.Persistence.Query;
using Akka.Persistence.Sql.Query;
using Akka.Streams;
using Akka.Streams.Dsl;

namespace AudioFlow.Pipeline.Journal;

/// <summary>One call as the journal has it: its events in order, and a summary of them.</summary>
public sealed record JournaledCall(string CallId, IReadOnlyList<CallEvent> Events)
{
    public CallStarted? Started => Events.OfType<CallStarted>().FirstOrDefault();

    public CallEnded? Ended => Events.OfType<CallEnded>().LastOrDefault();

    public DateTimeOffset StartedAt => Started?.At ?? Events.FirstOrDefault()?.At ?? DateTimeOffset.MinValue;
}

/// <summary>
/// Reads call journals back from the database (Akka.Persistence.Query over Akka.Persistence.Sql): the calls that
/// started (by tag), one call's events, and the calls that never ended.
/// </summary>
public sealed class CallJournalReader(ActorSystem system)
{
    private readonly SqlReadJournal _journal = PersistenceQuery.Get(system).ReadJournalFor<SqlReadJournal>(JournalConfig.QueryPluginId);
    private readonly IMaterializer _materializer = system.Materializer();

    /// <summary>Calls that started at or after <paramref name="since"/>, oldest first, each with all its events.</summary>
    public async Task<IReadOnlyList<JournaledCall>> ListAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var started = await _journal.CurrentEventsByTag(CallJournalPersistence.StartedTag, Offset.NoOffset())
            .RunWith(Sink.Seq<EventEnvelope>(), _materializer).WaitAsync(cancellationToken).ConfigureAwait(false);
        var calls = new List<JournaledCall>();
        foreach (var envelope in started)
        {
            if (envelope.Event is CallStarted start && (since is null || start.At >= since))
            {
                calls.Add(await ShowAsync(start.CallId, cancellationToken).ConfigureAwait(false)
                    ?? new JournaledCall(start.CallId, [start]));
            }
        }

        return calls.OrderBy(c => c.StartedAt).ToArray();
    }

    /// <summary>All events of one call, or null if the journal has none.</summary>
    public async Task<JournaledCall?> ShowAsync(string callId, CancellationToken cancellationToken)
    {
        var events = await _journal.CurrentEventsByPersistenceId(CallJournalPersistence.PersistenceIdFor(callId), 0, long.MaxValue)
            .Select(e => e.Event)
            .RunWith(Sink.Seq<object>(), _materializer).WaitAsync(cancellationToken).ConfigureAwait(false);
        return events.Count == 0 ? null : new JournaledCall(callId, events.OfType<CallEvent>().ToArray());
    }

    /// <summary>Ids of calls that started before <paramref name="startedBefore"/> and whose journal has no CallEnded.</summary>
    public async Task<IReadOnlyList<string>> OpenCallsAsync(DateTimeOffset startedBefore, CancellationToken cancellationToken)
    {
        var started = await Tagged(CallJournalPersistence.StartedTag, cancellationToken).ConfigureAwait(false);
        var ended = (await Tagged(CallJournalPersistence.EndedTag, cancellationToken).ConfigureAwait(false))
            .Select(e => e.PersistenceId).ToHashSet();
        return started.Where(e => e.Event is CallStarted s && s.At < startedBefore && !ended.Contains(e.PersistenceId))
            .Select(e => ((CallStarted)e.Event).CallId)
            .Distinct()
            .ToArray();
    }

    private async Task<IReadOnlyList<EventEnvelope>> Tagged(string tag, CancellationToken cancellationToken) =>
        await _journal.CurrentEventsByTag(tag, Offset.NoOffset())
            .RunWith(Sink.Seq<EventEnvelope>(), _materializer).WaitAsync(cancellationToken).ConfigureAwait(false);
}
