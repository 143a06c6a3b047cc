using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AudioFlow.Audio.Internal;

/// <summary>Vectorised short↔float conversions shared by the resamplers and <see cref="Pcm"/>. Callers check lengths.</summary>
internal static class SampleConversion
{
    /// <summary>destination[i] = source[i] * scale. Exact for power-of-two scales.</summary>
    public static void ToFloat(ReadOnlySpan<short> source, Span<float> destination, float scale)
    {
        ref short src = ref MemoryMarshal.GetReference(source);
        ref float dst = ref MemoryMarshal.GetReference(destination);
        int n = source.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated && n >= Vector<short>.Count)
        {
            var vScale = new Vector<float>(scale);
            for (; i <= n - Vector<short>.Count; i += Vector<short>.Count)
            {
                Vector.Widen(Vector.LoadUnsafe(ref src, (nuint)i), out Vector<int> lo, out Vector<int> hi);
                (Vector.ConvertToSingle(lo) * vScale).StoreUnsafe(ref dst, (nuint)i);
                (Vector.ConvertToSingle(hi) * vScale).StoreUnsafe(ref dst, (nuint)(i + Vector<int>.Count));
            }
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref dst, i) = Unsafe.Add(ref src, i) * scale;
        }
    }

    /// <summary>Rounds (half to even) and saturates a float in 16-bit units to a sample.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short Saturate(float value) => (short)MathF.Round(Math.Clamp(value, -32768f, 32767f));

    /// <summary>destination[i] = Saturate(source[i]) for values already in 16-bit units (vectorised; identical to the scalar form).</summary>
    public static void Saturate(ReadOnlySpan<float> source, Span<short> destination)
    {
        ref float src = ref MemoryMarshal.GetReference(source);
        ref short dst = ref MemoryMarshal.GetReference(destination);
        int n = source.Length;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var min = new Vector<float>(-32768f);
            var max = new Vector<float>(32767f);
            int width = Vector<float>.Count;
            for (; i <= n - 2 * width; i += 2 * width)
            {
                // Clamp (NaN-free inputs), round half to even like MathF.Round, then convert exactly and narrow.
                Vector<int> lo = Vector.ConvertToInt32(Vector.Round(Vector.Clamp(Vector.LoadUnsafe(ref src, (nuint)i), min, max)));
                Vector<int> hi = Vector.ConvertToInt32(Vector.Round(Vector.Clamp(Vector.LoadUnsafe(ref src, (nuint)(i + width)), min, max)));
                Vector.Narrow(lo, hi).StoreUnsafe(ref dst, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            Unsafe.Add(ref dst, i) = Saturate(Unsafe.Add(ref src, i));
        }
    }

    /// <summary>destination[i] = Saturate(source[i] * scale).</summary>
    public static void ToPcm16(ReadOnlySpan<float> source, Span<short> destination, float scale)
    {
        ref float src = ref MemoryMarshal.GetReference(source);
        ref short dst = ref MemoryMarshal.GetReference(destination);
        for (int i = 0; i < source.Length; i++)
        {
            float v = Unsafe.Add(ref src, i) * scale;
            // NaN would saturate unpredictably; map it to silence.
            Unsafe.Add(ref dst, i) = float.IsNaN(v) ? (short)0 : Saturate(v);
        }
    }
}
