namespace AudioFlow.Telephony.Rtp;

/// <summary>
/// Simple packet-loss concealment for decoded PCM16 frames, applied by the caller after decoding: for a frame the
/// jitter buffer reports <see cref="JitterBufferFrameKind.Lost"/>, repeat the last good frame with a linear fade so the
/// output reaches silence after <c>fadeOutFrames</c> frames (3 × 20 ms = 60 ms by default), then stay silent; the first
/// good frame after concealment fades in over 5 ms to avoid a click. Not a pitch-synchronous concealer (G.711 Appendix
/// I would be better); it is enough to hide single lost packets. Per call, not thread-safe.
/// </summary>
public sealed class PacketLossConcealment
{
    private readonly short[] _last;
    private readonly int _fadeSamples;
    private readonly int _fadeInSamples;
    private bool _haveLast;
    private int _concealedSamples;

    /// <summary>Concealment for frames of <paramref name="samplesPerFrame"/> samples (160 = 20 ms at 8 kHz, 320 at 16 kHz).</summary>
    public PacketLossConcealment(int samplesPerFrame = 160, int fadeOutFrames = 3)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samplesPerFrame);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fadeOutFrames);
        _last = new short[samplesPerFrame];
        _fadeSamples = samplesPerFrame * fadeOutFrames;
        _fadeInSamples = Math.Max(1, samplesPerFrame / 4); // 5 ms of a 20 ms frame
    }

    /// <summary>Samples per frame.</summary>
    public int SamplesPerFrame => _last.Length;

    /// <summary>Consecutive frames concealed since the last good frame.</summary>
    public int ConsecutiveLost { get; private set; }

    /// <summary>
    /// A good decoded frame: remembered for concealment. If it follows concealed frames, its start is faded in (in place).
    /// </summary>
    public void OnGoodFrame(Span<short> frame)
    {
        CheckLength(frame.Length);
        if (ConsecutiveLost > 0)
        {
            int n = Math.Min(_fadeInSamples, frame.Length);
            for (int i = 0; i < n; i++)
            {
                frame[i] = (short)(frame[i] * (i + 1) / (n + 1));
            }
        }

        frame.CopyTo(_last);
        _haveLast = true;
        ConsecutiveLost = 0;
        _concealedSamples = 0;
    }

    /// <summary>Fills <paramref name="output"/> with the concealment of one lost frame.</summary>
    public void Conceal(Span<short> output)
    {
        CheckLength(output.Length);
        ConsecutiveLost++;
        if (!_haveLast)
        {
            output.Clear();
            return;
        }

        for (int i = 0; i < output.Length; i++)
        {
            int position = _concealedSamples + i;
            if (position >= _fadeSamples)
            {
                output[i] = 0;
                continue;
            }

            // Gain falls linearly from 1 to 0 over the fade; the repeated frame is the last good one.
            output[i] = (short)((long)_last[i] * (_fadeSamples - position - 1) / _fadeSamples);
        }

        _concealedSamples += output.Length;
    }

    /// <summary>Forgets the last frame (after a clear, a stream change).</summary>
    public void Reset()
    {
        _haveLast = false;
        ConsecutiveLost = 0;
        _concealedSamples = 0;
    }

    private void CheckLength(int length)
    {
        if (length != _last.Length)
        {
            throw new ArgumentException($"Frame of {length} samples, expected {_last.Length}.");
        }
    }
}
