namespace AudioFlow.Engines.Tts;

/// <summary>
/// Remembers synthesised sentences (least recently used first out, bounded by total samples): a voice agent says the
/// same prompts over and over (greetings, menus, reprompts), and with many calls the speech engine, serialised per
/// process, would otherwise synthesise each one again for every call. The cached arrays are shared: callers must not
/// modify what <see cref="Synthesize"/> returns (the pipeline never does). Thread-safe.
/// </summary>
public sealed class CachingSynthesizer(ISpeechSynthesizer inner, long maxSamples) : ISpeechSynthesizer
{
    private readonly object _gate = new();
    private readonly Dictionary<string, LinkedListNode<(string Text, short[] Pcm)>> _index = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Text, short[] Pcm)> _recency = new();
    private long _samples;

    public string Name => inner.Name;

    public int SampleRate => inner.SampleRate;

    public long Hits { get; private set; }

    public long Misses { get; private set; }

    public short[] Synthesize(string sentence, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_index.TryGetValue(sentence, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                Hits++;
                return node.Value.Pcm;
            }

            Misses++;
        }

        var pcm = inner.Synthesize(sentence, cancellationToken);
        if (pcm.Length == 0 || pcm.Length > maxSamples / 4)
        {
            return pcm;
        }

        lock (_gate)
        {
            if (!_index.ContainsKey(sentence))
            {
                _index[sentence] = _recency.AddFirst((sentence, pcm));
                _samples += pcm.Length;
                while (_samples > maxSamples && _recency.Last is { } oldest)
                {
                    _recency.RemoveLast();
                    _index.Remove(oldest.Value.Text);
                    _samples -= oldest.Value.Pcm.Length;
                }
            }
        }

        return pcm;
    }

    public void Dispose() => inner.Dispose();
}
