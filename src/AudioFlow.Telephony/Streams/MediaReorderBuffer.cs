namespace AudioFlow.Telephony.Streams;

/// <summary>
/// Puts caller media back in order for dialects that do not guarantee it (Telnyx): chunks are released in order of
/// their number; a chunk that is missing is waited for until <c>window</c> later chunks have arrived, then skipped.
/// Chunks without a number, or older than what was released, pass straight through (the latter counted as late).
/// Single-threaded (the stream's receive loop).
/// </summary>
public sealed class MediaReorderBuffer(int window)
{
    private readonly SortedDictionary<long, StreamMedia> _held = [];
    private long? _next;

    /// <summary>Chunks that arrived ahead of a missing one (held back).</summary>
    public long OutOfOrder { get; private set; }

    public long Late { get; private set; }

    public long Skipped { get; private set; }

    /// <summary>Accepts one chunk and returns the chunks now ready, in order.</summary>
    public IReadOnlyList<StreamMedia> Add(StreamMedia media)
    {
        var number = media.Chunk ?? media.Sequence;
        if (number is null || window <= 0)
        {
            return [media];
        }

        _next ??= number;
        if (number < _next)
        {
            Late++;
            return [media];
        }

        if (number > _next)
        {
            OutOfOrder++;
        }

        _held[number.Value] = media;
        var ready = new List<StreamMedia>();
        while (_held.Count > 0)
        {
            var (first, chunk) = _held.First();
            if (first == _next || _held.Count > window)
            {
                if (first != _next)
                {
                    Skipped += first - _next!.Value;
                }

                _held.Remove(first);
                ready.Add(chunk);
                _next = first + 1;
                continue;
            }

            break;
        }

        return ready;
    }

    /// <summary>Whatever is still held, in order (end of stream).</summary>
    public IReadOnlyList<StreamMedia> Drain()
    {
        var rest = _held.Values.ToArray();
        _held.Clear();
        return rest;
    }
}
