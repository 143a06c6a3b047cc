namespace AudioFlow.Audio.Resampling;

/// <summary>
/// A streaming sample-rate converter for one mono PCM16 stream (one per call and direction; not thread-safe).
/// </summary>
/// <remarks>
/// <para>
/// Output is a linear-phase FIR low-pass (Kaiser-windowed sinc, 80 dB design stopband) applied at the rational ratio
/// <c>ToRate/FromRate</c>. State carries across <see cref="Process"/> calls, so feeding a signal in 20 ms frames
/// yields exactly the same samples as one call over the whole signal. The output lags the input by
/// <see cref="DelaySamples"/> output samples; the first samples are the filter filling up from silence.
/// </para>
/// <para>
/// Exact 2:1 and 1:2 ratios (8 kHz ↔ 16 kHz, the hot path) use a half-band filter: passband to 0.9× the lower
/// Nyquist frequency (3.6 kHz for 8 kHz), stopband from 1.1× (4.4 kHz), so only 4.0-4.4 kHz content can fold back,
/// into 3.6-4.0 kHz. Other ratios use a polyphase filter bank with passband to 0.9× and stopband from 1.0× the lower
/// Nyquist frequency, so nothing above the new Nyquist frequency aliases.
/// Filter coefficients are designed once per ratio and shared by all instances. <see cref="Process"/> does not
/// allocate.
/// </para>
/// </remarks>
public abstract class Resampler
{
    /// <summary>Largest supported sample rate (Hz).</summary>
    public const int MaxSampleRate = 768_000;

    private protected Resampler(int fromRate, int toRate)
    {
        FromRate = fromRate;
        ToRate = toRate;
    }

    /// <summary>Input sample rate (Hz).</summary>
    public int FromRate { get; }

    /// <summary>Output sample rate (Hz).</summary>
    public int ToRate { get; }

    /// <summary>
    /// Group delay of the filter in output samples (may be fractional): an input event at time t appears in the
    /// output at t + <see cref="DelaySamples"/>/<see cref="ToRate"/>. Drop that many leading output samples to align.
    /// </summary>
    public abstract double DelaySamples { get; }

    /// <summary>The group delay as a duration.</summary>
    public TimeSpan Delay => TimeSpan.FromSeconds(DelaySamples / ToRate);

    /// <summary>
    /// Creates a converter from <paramref name="fromRate"/> to <paramref name="toRate"/> Hz. Equal rates give a copying pass-through.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not in 1…<see cref="MaxSampleRate"/>.</exception>
    /// <exception cref="NotSupportedException">The reduced ratio needs an unreasonably large filter bank (e.g. 44100→44099).</exception>
    public static Resampler Create(int fromRate, int toRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fromRate, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(toRate, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(fromRate, MaxSampleRate);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(toRate, MaxSampleRate);

        if (fromRate == toRate)
        {
            return new PassThroughResampler(fromRate);
        }
        if (toRate == 2 * fromRate)
        {
            return new HalfBandUpsampler(fromRate);
        }
        if (fromRate == 2 * toRate)
        {
            return new HalfBandDownsampler(fromRate);
        }
        return new PolyphaseResampler(fromRate, toRate, PolyphaseFilterBank.Get(fromRate, toRate));
    }

    /// <summary>
    /// Converts <paramref name="input"/> and writes the output samples now available, returning how many were written
    /// (exactly <see cref="OutputSamplesFor"/>(input.Length)). <paramref name="output"/> must have room for them;
    /// <see cref="MaxOutputSamples"/> gives a size that always suffices.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is too small; nothing is consumed.</exception>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        int needed = OutputSamplesFor(input.Length);
        if (output.Length < needed)
        {
            throw new ArgumentException(
                $"output holds {output.Length} samples but {needed} are produced from {input.Length} input samples", nameof(output));
        }
        return needed == 0 && input.IsEmpty ? 0 : ProcessCore(input, output);
    }

    /// <summary>Exactly how many samples the next <see cref="Process"/> call with <paramref name="inputSamples"/> input samples writes.</summary>
    public abstract int OutputSamplesFor(int inputSamples);

    /// <summary>An upper bound on the samples <see cref="Process"/> writes for <paramref name="inputSamples"/> input samples, whatever the state (⌈n·to/from⌉).</summary>
    public int MaxOutputSamples(int inputSamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputSamples);
        return (int)(((long)inputSamples * ToRate + FromRate - 1) / FromRate);
    }

    /// <summary>Input samples of silence <see cref="Flush"/> pushes through the filter (covers the group delay).</summary>
    public int FlushInputSamples => (int)Math.Ceiling(DelaySamples * FromRate / ToRate) + 1;

    /// <summary>Room <see cref="Flush"/> needs in its output span.</summary>
    public int MaxFlushSamples => MaxOutputSamples(FlushInputSamples);

    /// <summary>
    /// Ends the stream: pushes silence through the filter so the last <see cref="DelaySamples"/> of signal come out,
    /// writes them (at most <see cref="MaxFlushSamples"/>) and resets the state for a new stream.
    /// </summary>
    public int Flush(Span<short> output)
    {
        Span<short> zeros = stackalloc short[256];
        zeros.Clear();
        int remaining = FlushInputSamples;
        int written = 0;
        while (remaining > 0)
        {
            int n = Math.Min(remaining, zeros.Length);
            written += Process(zeros[..n], output[written..]);
            remaining -= n;
        }
        Reset();
        return written;
    }

    /// <summary>Forgets all history (as if newly created), e.g. after barge-in.</summary>
    public abstract void Reset();

    private protected abstract int ProcessCore(ReadOnlySpan<short> input, Span<short> output);

    public override string ToString() => $"{GetType().Name} {FromRate}→{ToRate} Hz (delay {DelaySamples:0.##} samples)";
}
