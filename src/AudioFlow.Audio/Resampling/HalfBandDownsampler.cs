using AudioFlow.Audio.Internal;

namespace AudioFlow.Audio.Resampling;

/// <summary>
/// 2:1 decimation with <see cref="HalfBandFilter"/> in polyphase form. The input is split into its even and odd
/// samples; output n = 0.5·x_even[n - J] + Σ odd taps · x_odd[n-2J … n-1], emitted when input sample 2n arrives.
/// Delay J output samples.
/// </summary>
internal sealed class HalfBandDownsampler : Resampler
{
    private const int BlockSize = 1024; // input samples per inner pass (even)

    private readonly int _j = HalfBandFilter.J;
    private readonly float[] _even;     // [J history | new even samples]
    private readonly float[] _odd;      // [2J history | new odd samples]
    private readonly float[] _out = new float[BlockSize / 2 + 1];
    private bool _nextIsOdd;            // parity of the next input sample's global index

    public HalfBandDownsampler(int fromRate)
        : base(fromRate, fromRate / 2)
    {
        _even = new float[_j + BlockSize / 2 + 1];
        _odd = new float[2 * _j + BlockSize / 2 + 1];
    }

    public override double DelaySamples => _j;

    public override int OutputSamplesFor(int inputSamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputSamples);
        return _nextIsOdd ? inputSamples / 2 : (inputSamples + 1) / 2;
    }

    public override void Reset()
    {
        Array.Clear(_even);
        Array.Clear(_odd);
        _nextIsOdd = false;
    }

    private protected override int ProcessCore(ReadOnlySpan<short> input, Span<short> output)
    {
        int written = 0;
        while (!input.IsEmpty)
        {
            int n = Math.Min(input.Length, BlockSize);
            ReadOnlySpan<short> block = input[..n];
            int shift = _nextIsOdd ? 1 : 0; // 1 when the block starts with an odd sample
            int evens = 0, odds = 0;
            for (int i = shift; i < n; i += 2)
            {
                _even[_j + evens++] = block[i];
            }
            for (int i = 1 - shift; i < n; i += 2)
            {
                _odd[2 * _j + odds++] = block[i];
            }

            Fir.Convolve(_odd.AsSpan(shift), HalfBandFilter.Taps, _even, 0.5f, _out, evens);
            SampleConversion.Saturate(_out.AsSpan(0, evens), output.Slice(written, evens));

            _even.AsSpan(evens, _j).CopyTo(_even);
            _odd.AsSpan(odds, 2 * _j).CopyTo(_odd);
            _nextIsOdd ^= (n & 1) == 1;
            written += evens;
            input = input[n..];
        }
        return written;
    }
}
