using Akka.Actor;
using Akka.Event;
using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Journal;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// Parent of every call actor on this node. Starts calls, answers "how many are active", and tells whoever started a
/// call when it finished. A call actor that throws is stopped (its PostStop hangs up and reports) and never restarted:
/// a call's state lives in its graph, which a restart would lose; one broken call never affects another.
/// </summary>
public sealed class CallsSupervisor : ReceiveActor
{
    /// <summary>Finished calls kept for <see cref="GetRecentCalls"/> (until the journal serves them).</summary>
    public const int RecentCallsKept = 1000;

    private readonly Dictionary<IActorRef, (string CallId, IActorRef Requester)> _calls = [];
    private readonly LinkedList<CallStats> _recent = new();
    private readonly ILoggingAdapter _log = Context.GetLogger();

    public CallsSupervisor(CallEngines engines, PipelineOptions options)
    {
        Receive<StartCall>(start =>
        {
            var channel = ChaosCallChannel.Applies(options.Chaos) ? new ChaosCallChannel(start.Channel, options.Chaos) : start.Channel;
            var name = Uri.EscapeDataString(start.Channel.CallId);
            // The journal writer is this actor's child, not the call's: it must outlive the call to finish its backlog.
            ICallJournal journal = options.JournalEnabled
                ? new ActorCallJournal(Context.ActorOf(CallJournalWriter.Props(start.Channel.CallId), $"journal-{name}"))
                : DisabledCallJournal.Instance;
            var call = Context.ActorOf(CallActor.Props(channel, engines, options, start.Clock ?? CallClock.RealTime, journal), name);
            Context.Watch(call);
            _calls[call] = (start.Channel.CallId, Sender);
            Sender.Tell(new CallAccepted(start.Channel.CallId, call));
        });
        Receive<CallFinished>(finished =>
        {
            _recent.AddFirst(finished.Stats);
            if (_recent.Count > RecentCallsKept)
            {
                _recent.RemoveLast();
            }

            if (_calls.TryGetValue(Sender, out var entry))
            {
                entry.Requester.Tell(finished);
            }
        });
        Receive<GetRecentCalls>(get => Sender.Tell(new RecentCalls(
            _recent.Where(s => get.CallId is null || s.CallId == get.CallId).Take(get.Limit).ToArray())));
        Receive<Terminated>(terminated => _calls.Remove(terminated.ActorRef));
        Receive<GetActiveCalls>(_ => Sender.Tell(new ActiveCalls(_calls.Values.Select(c => c.CallId).ToArray())));
    }

    public static Props Props(CallEngines engines, PipelineOptions options) =>
        Akka.Actor.Props.Create(() => new CallsSupervisor(engines, options));

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(error =>
    {
        _log.Error(error, "a call actor crashed; stopping that call only");
        return Directive.Stop;
    });
}

/// <summary>Start a call on <paramref name="Channel"/>; the sender gets <see cref="CallAccepted"/>, later <see cref="CallFinished"/>.</summary>
public sealed record StartCall(ICallChannel Channel, CallClock? Clock = null);

public sealed record CallAccepted(string CallId, IActorRef Call);

public sealed record GetActiveCalls;

public sealed record ActiveCalls(IReadOnlyList<string> CallIds);

/// <summary>The most recently finished calls (newest first), optionally only the one with <paramref name="CallId"/>.</summary>
public sealed record GetRecentCalls(int Limit = 100, string? CallId = null);

public sealed record RecentCalls(IReadOnlyList<CallStats> Calls);
