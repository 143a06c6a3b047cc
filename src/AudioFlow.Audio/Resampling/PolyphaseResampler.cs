using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AudioFlow.Audio.Internal;

namespace AudioFlow.Audio.Resampling;

/// <summary>
/// General rational resampler. Output n sits at virtual time n·M (units of 1/(L·from) s); with n·M = i·L + p it is
/// the dot product of phase p with input samples i-K+1 … i. State: the last K-1 inputs and the virtual time of the
/// next output relative to the next input sample.
/// </summary>
internal sealed class PolyphaseResampler : Resampler
{
    private const int BlockSize = 1024;

    private readonly PolyphaseFilterBank _bank;
    private readonly float[] _buffer;  // [K-1 history | block]
    private readonly float[] _out;     // one block's outputs before conversion to PCM16
    private readonly int _history;
    private readonly int _stepWhole;   // M / L
    private readonly int _stepPhase;   // M % L
    private long _time;                // virtual time of the next output, relative to the next input sample (0 ≤ _time < M)

    public PolyphaseResampler(int fromRate, int toRate, PolyphaseFilterBank bank)
        : base(fromRate, toRate)
    {
        _bank = bank;
        _history = bank.K - 1;
        _buffer = new float[_history + BlockSize];
        _out = new float[(int)(((long)BlockSize * bank.L + bank.M - 1) / bank.M) + 1];
        _stepWhole = bank.M / bank.L;
        _stepPhase = bank.M % bank.L;
    }

    public override double DelaySamples => _bank.DelayOutputSamples;

    public override int OutputSamplesFor(int inputSamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputSamples);
        long end = (long)inputSamples * _bank.L;
        return end <= _time ? 0 : (int)((end - _time + _bank.M - 1) / _bank.M);
    }

    public override void Reset()
    {
        Array.Clear(_buffer);
        _time = 0;
    }

    private protected override int ProcessCore(ReadOnlySpan<short> input, Span<short> output)
    {
        int l = _bank.L, k = _bank.K;
        ref float coefficients = ref MemoryMarshal.GetArrayDataReference(_bank.Coefficients);
        ref float buffer = ref MemoryMarshal.GetArrayDataReference(_buffer);
        int written = 0;
        while (!input.IsEmpty)
        {
            int n = Math.Min(input.Length, BlockSize);
            SampleConversion.ToFloat(input[..n], _buffer.AsSpan(_history, n), 1f);

            int i = (int)(_time / l);
            int p = (int)(_time % l);
            int produced = 0;
            while (i < n)
            {
                _out[produced++] = Fir.Dot(ref Unsafe.Add(ref coefficients, p * k), ref Unsafe.Add(ref buffer, i), k);
                i += _stepWhole;
                p += _stepPhase;
                if (p >= l)
                {
                    p -= l;
                    i++;
                }
            }
            _time = (long)(i - n) * l + p;
            SampleConversion.Saturate(_out.AsSpan(0, produced), output.Slice(written, produced));
            written += produced;

            _buffer.AsSpan(n, _history).CopyTo(_buffer);
            input = input[n..];
        }
        return written;
    }
}
