using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AudioFlow.Audio.Internal;

/// <summary>
/// FIR inner loops. Every output is computed with the same sequence of fused multiply-adds whether it falls in a
/// vector lane or the scalar tail, so results do not depend on how a stream is split into calls.
/// </summary>
internal static class Fir
{
    /// <summary>
    /// y[k] = initScale * init[k] + Σ_t taps[t] * x[k + t] for k in [0, count), vectorised across outputs.
    /// x must hold count + taps.Length - 1 values; init (if not empty) count values.
    /// </summary>
    public static void Convolve(ReadOnlySpan<float> x, ReadOnlySpan<float> taps, ReadOnlySpan<float> init, float initScale, Span<float> y, int count)
    {
        ref float xr = ref MemoryMarshal.GetReference(x);
        ref float tr = ref MemoryMarshal.GetReference(taps);
        ref float ir = ref MemoryMarshal.GetReference(init);
        ref float yr = ref MemoryMarshal.GetReference(y);
        bool hasInit = !init.IsEmpty;
        int tapCount = taps.Length;
        int k = 0;
        if (Vector.IsHardwareAccelerated)
        {
            int width = Vector<float>.Count;
            var vScale = new Vector<float>(initScale);
            // Two output vectors per pass so each broadcast tap feeds two independent FMA chains.
            for (; k <= count - 2 * width; k += 2 * width)
            {
                Vector<float> a0 = hasInit ? Vector.LoadUnsafe(ref ir, (nuint)k) * vScale : Vector<float>.Zero;
                Vector<float> a1 = hasInit ? Vector.LoadUnsafe(ref ir, (nuint)(k + width)) * vScale : Vector<float>.Zero;
                for (int t = 0; t < tapCount; t++)
                {
                    var c = new Vector<float>(Unsafe.Add(ref tr, t));
                    a0 = Vector.FusedMultiplyAdd(c, Vector.LoadUnsafe(ref xr, (nuint)(k + t)), a0);
                    a1 = Vector.FusedMultiplyAdd(c, Vector.LoadUnsafe(ref xr, (nuint)(k + width + t)), a1);
                }
                a0.StoreUnsafe(ref yr, (nuint)k);
                a1.StoreUnsafe(ref yr, (nuint)(k + width));
            }
            for (; k <= count - width; k += width)
            {
                Vector<float> a0 = hasInit ? Vector.LoadUnsafe(ref ir, (nuint)k) * vScale : Vector<float>.Zero;
                for (int t = 0; t < tapCount; t++)
                {
                    a0 = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref tr, t)), Vector.LoadUnsafe(ref xr, (nuint)(k + t)), a0);
                }
                a0.StoreUnsafe(ref yr, (nuint)k);
            }
        }
        for (; k < count; k++)
        {
            float acc = hasInit ? Unsafe.Add(ref ir, k) * initScale : 0f;
            for (int t = 0; t < tapCount; t++)
            {
                acc = MathF.FusedMultiplyAdd(Unsafe.Add(ref tr, t), Unsafe.Add(ref xr, k + t), acc);
            }
            Unsafe.Add(ref yr, k) = acc;
        }
    }

    /// <summary>Σ a[i] * b[i] over <paramref name="length"/> values (vectorised, two accumulators).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Dot(ref float a, ref float b, int length)
    {
        int i = 0;
        float sum = 0f;
        if (Vector.IsHardwareAccelerated && length >= Vector<float>.Count)
        {
            int width = Vector<float>.Count;
            Vector<float> acc0 = Vector<float>.Zero;
            Vector<float> acc1 = Vector<float>.Zero;
            for (; i <= length - 2 * width; i += 2 * width)
            {
                acc0 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref a, (nuint)i), Vector.LoadUnsafe(ref b, (nuint)i), acc0);
                acc1 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref a, (nuint)(i + width)), Vector.LoadUnsafe(ref b, (nuint)(i + width)), acc1);
            }
            if (i <= length - width)
            {
                acc0 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref a, (nuint)i), Vector.LoadUnsafe(ref b, (nuint)i), acc0);
                i += width;
            }
            sum = Vector.Sum(acc0 + acc1);
        }
        for (; i < length; i++)
        {
            sum = MathF.FusedMultiplyAdd(Unsafe.Add(ref a, i), Unsafe.Add(ref b, i), sum);
        }
        return sum;
    }
}
