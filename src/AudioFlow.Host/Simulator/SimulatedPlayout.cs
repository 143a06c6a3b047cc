using AudioFlow.Audio;

namespace AudioFlow.Host.Simulator;

/// <summary>
/// The provider's playout buffer, as the simulator models it: agent audio is queued as it arrives and played one
/// 20 ms frame per tick; a mark is acknowledged when everything before it has played; a clear empties the queue.
/// What was played is recorded on the call's timeline (silence where nothing played). Thread-safe.
/// </summary>
public sealed class SimulatedPlayout(int frameBytes)
{
    private readonly object _gate = new();
    private readonly Queue<object> _queue = new(); // byte[] frame or string mark
    private readonly List<byte[]?> _timeline = [];
    private readonly List<byte> _partial = [];

    public long FramesPlayed { get; private set; }

    /// <summary>Queues agent audio of any length (split into frames; a short tail waits for more).</summary>
    public void Enqueue(ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            _partial.AddRange(payload.ToArray());
            while (_partial.Count >= frameBytes)
            {
                _queue.Enqueue(_partial.GetRange(0, frameBytes).ToArray());
                _partial.RemoveRange(0, frameBytes);
            }
        }
    }

    public void EnqueueMark(string name)
    {
        lock (_gate)
        {
            _queue.Enqueue(name);
        }
    }

    /// <summary>Empties the queue; returns the marks that were pending in it.</summary>
    public IReadOnlyList<string> Clear()
    {
        lock (_gate)
        {
            var marks = _queue.OfType<string>().ToArray();
            _queue.Clear();
            _partial.Clear();
            return marks;
        }
    }

    /// <summary>Plays one frame; returns the marks reached (everything before them has played).</summary>
    public IReadOnlyList<string> Tick()
    {
        lock (_gate)
        {
            var reached = new List<string>();
            while (_queue.TryPeek(out var head) && head is string mark)
            {
                _queue.Dequeue();
                reached.Add(mark);
            }

            if (_queue.TryDequeue(out var frame))
            {
                _timeline.Add((byte[])frame);
                FramesPlayed++;
                while (_queue.TryPeek(out var after) && after is string next)
                {
                    _queue.Dequeue();
                    reached.Add(next);
                }
            }
            else
            {
                _timeline.Add(null);
            }

            return reached;
        }
    }

    /// <summary>The played audio on the call's timeline, one entry per tick (null: silence).</summary>
    public IReadOnlyList<byte[]?> Timeline
    {
        get { lock (_gate) { return _timeline.ToArray(); } }
    }
}
