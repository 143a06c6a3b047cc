using AudioFlow.Pipeline.Elements;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// The call's out-of-band control plane, shared by its stages (the pattern of Akka's KillSwitch/Valve: a handle
/// that reaches into running stages instead of queueing behind audio).
/// <list type="bullet">
/// <item>Interruption epoch: every reply carries the epoch it started in; <see cref="Interrupt"/> moves the epoch on and
/// stages drop older items, cancel synthesis, flush playout.</item>
/// <item>Playout feedback: which reply finished playing, and what was actually heard of one cut short.</item>
/// <item>Transport acks of playout marks.</item>
/// </list>
/// Stages subscribe in PreStart with an Akka async callback (so the handler runs on the stage's own thread) and
/// unsubscribe in PostStop. Publishing is thread-safe and never blocks.
/// </summary>
public sealed class CallSignals
{
    private long _epoch;
    private readonly Topic<InterruptSignal> _interrupts = new();
    private readonly Topic<ReplyPlayed> _replyPlayed = new();
    private readonly Topic<ReplyCutShort> _replyCutShort = new();
    private readonly Topic<string> _marks = new();

    /// <summary>The current interruption epoch.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    /// <summary>Moves the epoch on (barge-in); returns the new epoch.</summary>
    public long Interrupt(string reason)
    {
        var epoch = Interlocked.Increment(ref _epoch);
        _interrupts.Publish(new InterruptSignal(epoch, reason));
        return epoch;
    }

    public IDisposable OnInterrupt(Action<InterruptSignal> handler) => _interrupts.Subscribe(handler);

    public void PublishReplyPlayed(ReplyPlayed played) => _replyPlayed.Publish(played);

    public IDisposable OnReplyPlayed(Action<ReplyPlayed> handler) => _replyPlayed.Subscribe(handler);

    public void PublishReplyCutShort(ReplyCutShort cut) => _replyCutShort.Publish(cut);

    public IDisposable OnReplyCutShort(Action<ReplyCutShort> handler) => _replyCutShort.Subscribe(handler);

    public void PublishMarkReached(string name) => _marks.Publish(name);

    public IDisposable OnMarkReached(Action<string> handler) => _marks.Subscribe(handler);

    /// <summary>A tiny copy-on-write subscriber list.</summary>
    private sealed class Topic<T>
    {
        private ImmutableHandlers _handlers = new([]);

        public void Publish(T value)
        {
            foreach (var handler in Volatile.Read(ref _handlers).Items)
            {
                handler(value);
            }
        }

        public IDisposable Subscribe(Action<T> handler)
        {
            Update(items => [.. items, handler]);
            return new Subscription(() => Update(items => items.Where(h => h != handler).ToArray()));
        }

        private void Update(Func<Action<T>[], Action<T>[]> change)
        {
            while (true)
            {
                var current = Volatile.Read(ref _handlers);
                var next = new ImmutableHandlers(change(current.Items));
                if (Interlocked.CompareExchange(ref _handlers, next, current) == current)
                {
                    return;
                }
            }
        }

        private sealed record ImmutableHandlers(Action<T>[] Items);
    }

    private sealed class Subscription(Action dispose) : IDisposable
    {
        private Action? _dispose = dispose;

        public void Dispose() => Interlocked.Exchange(ref _dispose, null)?.Invoke();
    }
}

/// <summary>The caller barged in (or pressed a key) and the epoch moved to <see cref="Epoch"/>.</summary>
public sealed record InterruptSignal(long Epoch, string Reason);

/// <summary>Every frame of a reply was played.</summary>
public sealed record ReplyPlayed(ReplyTag Reply);

/// <summary>A reply was cut short by barge-in: only <see cref="HeardText"/> reached the caller (empty if none of it played).</summary>
public sealed record ReplyCutShort(ReplyTag Reply, string HeardText);
