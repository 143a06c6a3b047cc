namespace AudioFlow.Telephony.Streams;

/// <summary>
/// The messages waiting for a stream's WebSocket. Media is bounded (<see cref="MediaCapacity"/> chunks: the sender
/// waits, which backpressures the call's playout) so a client that stops reading cannot make the server buffer
/// without bound. A clear drops every queued media chunk and goes out first; control messages never wait.
/// Thread-safe: any number of producers, one consumer.
/// </summary>
public sealed class OutboundMessageQueue(int mediaCapacity)
{
    private readonly LinkedList<(string Text, bool IsMedia)> _items = new();
    private readonly SemaphoreSlim _queued = new(0);
    private readonly SemaphoreSlim _mediaSlots = new(mediaCapacity, mediaCapacity);
    private readonly object _gate = new();

    public int MediaCapacity => mediaCapacity;

    public int Count
    {
        get { lock (_gate) { return _items.Count; } }
    }

    public async ValueTask EnqueueMediaAsync(string text, CancellationToken cancellationToken)
    {
        await _mediaSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
        Add(text, isMedia: true, first: false);
    }

    public void EnqueueControl(string text) => Add(text, isMedia: false, first: false);

    /// <summary>Drops all queued media and puts <paramref name="clear"/> at the head of the queue; returns how many chunks were dropped.</summary>
    public int EnqueueClearAhead(string clear)
    {
        var dropped = 0;
        lock (_gate)
        {
            var node = _items.First;
            while (node is not null)
            {
                var next = node.Next;
                if (node.Value.IsMedia)
                {
                    _items.Remove(node);
                    dropped++;
                }

                node = next;
            }

            _items.AddFirst((clear, false));
        }

        // Dropped chunks no longer count against the capacity, and no longer wait for the consumer.
        for (var i = 0; i < dropped; i++)
        {
            _mediaSlots.Release();
            _queued.Wait(0);
        }

        _queued.Release();
        return dropped;
    }

    /// <summary>The next message, waiting for one.</summary>
    public async ValueTask<string> DequeueAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _queued.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                if (_items.First is { } first)
                {
                    _items.RemoveFirst();
                    if (first.Value.IsMedia)
                    {
                        _mediaSlots.Release();
                    }

                    return first.Value.Text;
                }
            }
        }
    }

    private void Add(string text, bool isMedia, bool first)
    {
        lock (_gate)
        {
            if (first)
            {
                _items.AddFirst((text, isMedia));
            }
            else
            {
                _items.AddLast((text, isMedia));
            }
        }

        _queued.Release();
    }
}
