using AudioFlow.Audio.Internal;

namespace AudioFlow.Audio.Resampling;

/// <summary>
/// 1:2 interpolation with <see cref="HalfBandFilter"/>: z[2n] = x[n - J] (a plain delayed copy, the centre tap),
/// z[2n+1] = 2·Σ odd taps · x[n-2J+1 … n]. Every input sample yields exactly two output samples; delay 2J output samples.
/// </summary>
internal sealed class HalfBandUpsampler : Resampler
{
    private const int BlockSize = 1024;

    private readonly int _j = HalfBandFilter.J;
    private readonly int _history = 2 * HalfBandFilter.J - 1;
    private readonly float[] _buffer;   // [history | block] as floats
    private readonly float[] _odd = new float[BlockSize];
    private readonly short[] _oddPcm = new short[BlockSize];

    public HalfBandUpsampler(int fromRate)
        : base(fromRate, 2 * fromRate)
    {
        _buffer = new float[_history + BlockSize];
    }

    public override double DelaySamples => 2 * _j;

    public override int OutputSamplesFor(int inputSamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputSamples);
        return checked(2 * inputSamples);
    }

    public override void Reset() => Array.Clear(_buffer);

    private protected override int ProcessCore(ReadOnlySpan<short> input, Span<short> output)
    {
        int written = 0;
        float[] taps = HalfBandFilter.InterpolatorTaps;
        while (!input.IsEmpty)
        {
            int n = Math.Min(input.Length, BlockSize);
            SampleConversion.ToFloat(input[..n], _buffer.AsSpan(_history, n), 1f);
            Fir.Convolve(_buffer, taps, default, 0f, _odd, n);

            SampleConversion.Saturate(_odd.AsSpan(0, n), _oddPcm);

            // Interleave: even outputs are the input delayed by J (the centre tap, exact), odd outputs the filtered ones.
            Span<short> dst = output.Slice(written, 2 * n);
            ReadOnlySpan<float> even = _buffer.AsSpan(_j - 1, n);
            ReadOnlySpan<short> odd = _oddPcm.AsSpan(0, n);
            for (int k = 0; k < n; k++)
            {
                dst[2 * k] = (short)even[k];
                dst[2 * k + 1] = odd[k];
            }

            _buffer.AsSpan(n, _history).CopyTo(_buffer);
            written += 2 * n;
            input = input[n..];
        }
        return written;
    }
}
