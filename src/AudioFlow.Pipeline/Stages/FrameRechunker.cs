namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// Turns a stream of variable-length sample runs into exactly one fixed-size frame per run, by keeping a small FIFO:
/// when the FIFO is short (start-up of a filter with delay) the frame is padded at the front with silence, so frame
/// count in = frame count out and media time stays aligned with frame numbers.
/// </summary>
public sealed class FrameRechunker(int frameSamples)
{
    private readonly Queue<short> _fifo = new();
    private bool _primed;

    public short[] Next(ReadOnlySpan<short> samples)
    {
        foreach (var s in samples)
        {
            _fifo.Enqueue(s);
        }

        var frame = new short[frameSamples];
        var available = Math.Min(_fifo.Count, frameSamples);
        var offset = _primed ? 0 : frameSamples - available;
        for (var i = 0; i < available; i++)
        {
            frame[offset + i] = _fifo.Dequeue();
        }

        _primed |= available == frameSamples;
        return frame;
    }
}
