using System.Diagnostics.CodeAnalysis;

namespace AudioFlow.Audio;

/// <summary>
/// Re-chunks a stream of arbitrary-length pieces into fixed-size frames, keeping the remainder for the next write
/// (e.g. TTS output of any length → 20 ms frames; 160 µ-law bytes per RTP packet). One instance per stream; not thread-safe.
/// </summary>
/// <typeparam name="T">Sample type: <see cref="short"/> for PCM16, <see cref="byte"/> for G.711 codes.</typeparam>
/// <remarks>
/// Backed by one growable linear buffer that is compacted in place; steady-state use does not allocate except
/// in <see cref="TryReadFrame(out T[])"/>, which hands out a fresh array (as <see cref="AudioFrame"/> requires).
/// </remarks>
public sealed class FrameAssembler<T> where T : unmanaged
{
    private T[] _buffer;
    private int _start;
    private int _count;

    /// <param name="frameSize">Elements per frame (e.g. <see cref="FrameDuration.Samples"/>(16000) = 320).</param>
    public FrameAssembler(int frameSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frameSize, 1);
        FrameSize = frameSize;
        _buffer = new T[frameSize * 4];
    }

    /// <summary>Elements per frame.</summary>
    public int FrameSize { get; }

    /// <summary>Elements written but not yet read.</summary>
    public int Buffered => _count;

    /// <summary>Complete frames ready to read.</summary>
    public int AvailableFrames => _count / FrameSize;

    /// <summary>Appends <paramref name="samples"/>.</summary>
    public void Write(ReadOnlySpan<T> samples)
    {
        if (samples.IsEmpty)
        {
            return;
        }
        if (_start + _count + samples.Length > _buffer.Length)
        {
            int required = _count + samples.Length;
            if (required <= _buffer.Length)
            {
                _buffer.AsSpan(_start, _count).CopyTo(_buffer); // compact
            }
            else
            {
                var bigger = new T[Math.Max(required, checked(_buffer.Length * 2))];
                _buffer.AsSpan(_start, _count).CopyTo(bigger);
                _buffer = bigger;
            }
            _start = 0;
        }
        samples.CopyTo(_buffer.AsSpan(_start + _count));
        _count += samples.Length;
    }

    /// <summary>Copies the next complete frame into <paramref name="destination"/> (at least <see cref="FrameSize"/> long).</summary>
    /// <returns>False, copying nothing, while less than a frame is buffered.</returns>
    public bool TryReadFrame(Span<T> destination)
    {
        if (destination.Length < FrameSize)
        {
            throw new ArgumentException($"destination holds {destination.Length} elements, a frame is {FrameSize}", nameof(destination));
        }
        if (_count < FrameSize)
        {
            return false;
        }
        _buffer.AsSpan(_start, FrameSize).CopyTo(destination);
        Consume(FrameSize);
        return true;
    }

    /// <summary>Returns the next complete frame as a new array, or false while less than a frame is buffered.</summary>
    public bool TryReadFrame([NotNullWhen(true)] out T[]? frame)
    {
        if (_count < FrameSize)
        {
            frame = null;
            return false;
        }
        frame = _buffer.AsSpan(_start, FrameSize).ToArray();
        Consume(FrameSize);
        return true;
    }

    /// <summary>
    /// Like <see cref="TryReadFrame(Span{T})"/>, but when less than a frame is buffered (the end of a stream) it still
    /// returns what is left, filled up to <see cref="FrameSize"/> with <paramref name="padding"/> (e.g. 0 for PCM16,
    /// <see cref="Codecs.G711.MuLawSilence"/> for µ-law). Returns false only when nothing is buffered.
    /// </summary>
    public bool TryReadPaddedFrame(Span<T> destination, T padding = default)
    {
        if (destination.Length < FrameSize)
        {
            throw new ArgumentException($"destination holds {destination.Length} elements, a frame is {FrameSize}", nameof(destination));
        }
        if (_count == 0)
        {
            return false;
        }
        int n = Math.Min(_count, FrameSize);
        _buffer.AsSpan(_start, n).CopyTo(destination);
        destination[n..FrameSize].Fill(padding);
        Consume(n);
        return true;
    }

    /// <summary>Drops everything buffered (e.g. on barge-in).</summary>
    public void Clear()
    {
        _start = 0;
        _count = 0;
    }

    private void Consume(int n)
    {
        _start += n;
        _count -= n;
        if (_count == 0)
        {
            _start = 0;
        }
    }
}
