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
    private readonly Dictionary<string, IActorRef> _byProviderCallId = [];

    /// <summary>Provider callbacks that arrived before their call was registered (the stream's start races the webhook).</summary>
    private readonly List<(DateTime At, ProviderCallbackReceived Callback)> _early = [];
    private static readonly TimeSpan EarlyCallbackWindow = TimeSpan.FromSeconds(10);
    private const int MaxEarlyCallbacks = 1000;
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
            if (start.Channel.ProviderCallId is { } providerCallId)
            {
                _byProviderCallId[providerCallId] = call;
                foreach (var early in _early.Where(e => e.Callback.ProviderCallId == providerCallId).ToArray())
                {
                    call.Tell(early.Callback);
                    _early.Remove(early);
                }
            }
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
        Receive<Terminated>(terminated =>
        {
            _calls.Remove(terminated.ActorRef);
            foreach (var id in _byProviderCallId.Where(p => p.Value.Equals(terminated.ActorRef)).Select(p => p.Key).ToArray())
            {
                _byProviderCallId.Remove(id);
            }
        });
        Receive<ProviderCallbackReceived>(callback =>
        {
            if (_byProviderCallId.TryGetValue(callback.ProviderCallId, out var call))
            {
                call.Forward(callback);
            }
            else
            {
                _early.RemoveAll(e => DateTime.UtcNow - e.At > EarlyCallbackWindow);
                if (_early.Count < MaxEarlyCallbacks)
                {
                    _early.Add((DateTime.UtcNow, callback));
                }
            }

            Sender.Tell(new ProviderCallbackRouted(call is not null));
        });
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

/// <summary>A provider's status/hang-up callback for the call it knows as <paramref name="ProviderCallId"/>: journaled on that call if it is running here.</summary>
public sealed record ProviderCallbackReceived(string ProviderCallId, string Kind, IReadOnlyDictionary<string, string> Fields);

public sealed record ProviderCallbackRouted(bool ToActiveCall);

/// <summary>The most recently finished calls (newest first), optionally only the one with <paramref name="CallId"/>.</summary>
public sealed record GetRecentCalls(int Limit = 100, string? CallId = null);

public sealed record RecentCalls(IReadOnlyList<CallStats> Calls);
