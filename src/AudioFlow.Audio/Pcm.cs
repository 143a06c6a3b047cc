using System.Numerics;
using System.Runtime.InteropServices;
using AudioFlow.Audio.Internal;

namespace AudioFlow.Audio;

/// <summary>
/// Helpers for signed 16-bit PCM. Float samples use the [-1, 1) convention: float = short / 32768.
/// Levels are RMS relative to full scale (a full-scale square wave is 0 dBFS, a full-scale sine −3.01 dBFS).
/// </summary>
public static class Pcm
{
    /// <summary>Level reported for digital silence (all zeros or an empty span).</summary>
    public const double SilenceDbfs = double.NegativeInfinity;

    /// <summary>Scales samples to [-1, 1): destination[i] = source[i] / 32768 (exact).</summary>
    public static void ToFloat(ReadOnlySpan<short> source, Span<float> destination)
    {
        CheckLength(source.Length, destination.Length);
        SampleConversion.ToFloat(source, destination, 1f / 32768f);
    }

    /// <summary>
    /// Scales float samples back to PCM16: round(source[i]·32768), saturated to [-32768, 32767]; NaN becomes 0.
    /// The inverse of <see cref="ToFloat"/> for values it produced.
    /// </summary>
    public static void ToPcm16(ReadOnlySpan<float> source, Span<short> destination)
    {
        CheckLength(source.Length, destination.Length);
        SampleConversion.ToPcm16(source, destination, 32768f);
    }

    /// <summary>Root-mean-square level as a fraction of full scale (0 … 1); 0 for an empty span.</summary>
    public static double Rms(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty)
        {
            return 0;
        }
        return Math.Sqrt((double)SumOfSquares(samples) / samples.Length) / 32768.0;
    }

    /// <summary>RMS level in dBFS (≤ 0); <see cref="SilenceDbfs"/> (−∞) for silence or an empty span.</summary>
    public static double Dbfs(ReadOnlySpan<short> samples)
    {
        double rms = Rms(samples);
        return rms > 0 ? 20 * Math.Log10(rms) : SilenceDbfs;
    }

    /// <summary>Largest absolute sample value (0 … 32768).</summary>
    public static int Peak(ReadOnlySpan<short> samples)
    {
        int peak = 0;
        foreach (short s in samples)
        {
            peak = Math.Max(peak, Math.Abs((int)s));
        }
        return peak;
    }

    /// <summary>Σ s² as an exact integer (vectorised).</summary>
    public static long SumOfSquares(ReadOnlySpan<short> samples)
    {
        long total = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && samples.Length >= Vector<short>.Count)
        {
            ref short src = ref MemoryMarshal.GetReference(samples);
            var acc = Vector<long>.Zero;
            for (; i <= samples.Length - Vector<short>.Count; i += Vector<short>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref src, (nuint)i), out Vector<int> lo, out Vector<int> hi);
                // Each square is at most 2^30 and fits an int; sums are taken in long.
                Vector.Widen(lo * lo, out Vector<long> a, out Vector<long> b);
                Vector.Widen(hi * hi, out Vector<long> c, out Vector<long> d);
                acc += (a + b) + (c + d);
            }
            total = Vector.Sum(acc);
        }
        for (; i < samples.Length; i++)
        {
            total += samples[i] * samples[i];
        }
        return total;
    }

    /// <summary>
    /// Averages interleaved multi-channel frames into mono (rounded to nearest): destination[f] = mean of frame f.
    /// <paramref name="destination"/> needs interleaved.Length / channels elements; a trailing partial frame is ignored.
    /// </summary>
    public static void MixToMono(ReadOnlySpan<short> interleaved, int channels, Span<short> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        int frames = interleaved.Length / channels;
        CheckLength(frames, destination.Length);
        if (channels == 1)
        {
            interleaved[..frames].CopyTo(destination);
            return;
        }
        for (int f = 0; f < frames; f++)
        {
            ReadOnlySpan<short> frame = interleaved.Slice(f * channels, channels);
            int sum = 0;
            foreach (short s in frame)
            {
                sum += s;
            }
            destination[f] = (short)Math.Round((double)sum / channels, MidpointRounding.AwayFromZero);
        }
    }

    private static void CheckLength(int sourceLength, int destinationLength)
    {
        if (destinationLength < sourceLength)
        {
            throw new ArgumentException($"destination holds {destinationLength} elements but {sourceLength} are needed", "destination");
        }
    }
}
