namespace AudioFlow.Engines.Vad;

/// <summary>
/// Cuts a stream of PCM16 frames of any length (typically 20 ms: 320 samples at 16 kHz, 160 at 8 kHz) into
/// the fixed windows a VAD model takes (512 / 256 samples for Silero v5), converting to float in [-1, 1).
/// Samples that do not fill a window yet are kept for the next <see cref="Write"/>. Not thread-safe.
/// </summary>
/// <example>
/// <code>
/// windowing.Write(frame);
/// while (windowing.TryRead(window)) { var p = session.Process(window); ... }
/// </code>
/// </example>
public sealed class VadWindowing
{
    private float[] _buffer;
    private int _start;
    private int _end;

    /// <param name="windowSamples">Window length, e.g. <see cref="IVadSession.WindowSamples"/>.</param>
    public VadWindowing(int windowSamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowSamples);
        WindowSamples = windowSamples;
        _buffer = new float[windowSamples * 2];
    }

    /// <summary>Windowing matched to <paramref name="session"/>'s window length.</summary>
    public VadWindowing(IVadSession session)
        : this((session ?? throw new ArgumentNullException(nameof(session))).WindowSamples)
    {
    }

    public int WindowSamples { get; }

    /// <summary>Samples written but not yet returned as part of a window.</summary>
    public int BufferedSamples => _end - _start;

    /// <summary>Whole windows ready to be read.</summary>
    public int AvailableWindows => BufferedSamples / WindowSamples;

    /// <summary>Appends PCM16 samples (converted to float by dividing by 32768).</summary>
    public void Write(ReadOnlySpan<short> pcm)
    {
        if (pcm.IsEmpty)
        {
            return;
        }
        int needed = BufferedSamples + pcm.Length;
        if (_end + pcm.Length > _buffer.Length)
        {
            if (needed <= _buffer.Length)
            {
                // Enough room once the consumed prefix is dropped.
                _buffer.AsSpan(_start, BufferedSamples).CopyTo(_buffer);
            }
            else
            {
                var bigger = new float[Math.Max(needed, _buffer.Length * 2)];
                _buffer.AsSpan(_start, BufferedSamples).CopyTo(bigger);
                _buffer = bigger;
            }
            _end = BufferedSamples;
            _start = 0;
        }
        ToFloat(pcm, _buffer.AsSpan(_end, pcm.Length));
        _end += pcm.Length;
    }

    /// <summary>
    /// Copies the next whole window into <paramref name="window"/> (exactly <see cref="WindowSamples"/> long)
    /// and drops it from the buffer; false, leaving <paramref name="window"/> untouched, if less than a window is buffered.
    /// </summary>
    public bool TryRead(Span<float> window)
    {
        if (window.Length != WindowSamples)
        {
            throw new ArgumentException($"The window buffer must hold exactly {WindowSamples} samples; it holds {window.Length}.", nameof(window));
        }
        if (BufferedSamples < WindowSamples)
        {
            return false;
        }
        _buffer.AsSpan(_start, WindowSamples).CopyTo(window);
        _start += WindowSamples;
        if (_start == _end)
        {
            _start = _end = 0;
        }
        return true;
    }

    /// <summary>Drops any buffered samples.</summary>
    public void Reset() => _start = _end = 0;

    /// <summary>PCM16 to float in [-1, 1): each sample divided by 32768.</summary>
    public static void ToFloat(ReadOnlySpan<short> pcm, Span<float> destination)
    {
        if (destination.Length < pcm.Length)
        {
            throw new ArgumentException($"Destination holds {destination.Length} samples, source has {pcm.Length}.", nameof(destination));
        }
        const float scale = 1f / 32768f;
        for (int i = 0; i < pcm.Length; i++)
        {
            destination[i] = pcm[i] * scale;
        }
    }
}
