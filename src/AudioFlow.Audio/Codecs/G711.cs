using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AudioFlow.Audio.Codecs;

/// <summary>
/// ITU-T G.711 µ-law (PCMU) and A-law (PCMA) companding between signed 16-bit PCM and 8-bit codes.
/// </summary>
/// <remarks>
/// Bit-exact with SoX (with dithering off, <c>sox -D</c>; SoX otherwise adds random dither when it reduces bit depth).
/// Like SoX, the 16-bit sample is first rounded to the codec's uniform input: 14 bits for µ-law
/// (<c>(pcm + 2) &gt;&gt; 2</c>), 13 bits for A-law (<c>(pcm + 4) &gt;&gt; 3</c>), saturating at the top; the G.711
/// segment arithmetic then produces the code. (Implementations that truncate with a plain shift instead differ
/// by one step for some inputs, e.g. µ-law of −1 is 0x7E there, 0xFF here.) Decoding yields the G.711 reconstruction
/// levels scaled to 16 bits (µ-law ±32124, A-law ±32256). Encoding is one lookup in a 16 KiB (µ-law) / 8 KiB (A-law)
/// table, decoding one lookup in a 256-entry table; no allocation. All methods are thread-safe.
/// </remarks>
public static class G711
{
    /// <summary>µ-law code of a zero sample (positive zero).</summary>
    public const byte MuLawSilence = 0xFF;

    /// <summary>A-law code of a zero sample.</summary>
    public const byte ALawSilence = 0xD5;

    private const int MuLawBias = 0x84;       // 132, in 16-bit units (33 in 14-bit units)
    private const int MuLawClip14 = 8159;     // largest 14-bit magnitude before the bias is added

    // Encode tables indexed by the rounded sample: ((pcm + 2) >> 2) + 8192 for µ-law (0 … 16384), ((pcm + 4) >> 3) + 4096
    // for A-law (0 … 8192). The last entry is the positive full-scale code (rounding 32766/32767 up overflows 14/13 bits).
    private static readonly byte[] MuLawEncodeTable = BuildMuLawEncodeTable();
    private static readonly byte[] ALawEncodeTable = BuildALawEncodeTable();
    private static readonly short[] MuLawDecodeTable = BuildMuLawDecodeTable();
    private static readonly short[] ALawDecodeTable = BuildALawDecodeTable();

    /// <summary>Encodes one sample to µ-law.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte MuLawEncode(short pcm) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(MuLawEncodeTable), ((pcm + 2) >> 2) + 8192);

    /// <summary>Decodes one µ-law code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short MuLawDecode(byte code) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(MuLawDecodeTable), code);

    /// <summary>Encodes one sample to A-law.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static byte ALawEncode(short pcm) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ALawEncodeTable), ((pcm + 4) >> 3) + 4096);

    /// <summary>Decodes one A-law code.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static short ALawDecode(byte code) =>
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(ALawDecodeTable), code);

    /// <summary>Encodes <paramref name="pcm"/> to µ-law; <paramref name="destination"/> must hold at least as many bytes as there are samples.</summary>
    public static void MuLawEncode(ReadOnlySpan<short> pcm, Span<byte> destination)
    {
        CheckLength(pcm.Length, destination.Length);
        EncodeWithTable(pcm, destination, MuLawEncodeTable, shift: 2, round: 2, offset: 8192);
    }

    /// <summary>Decodes µ-law <paramref name="codes"/>; <paramref name="destination"/> must hold at least as many samples as there are codes.</summary>
    public static void MuLawDecode(ReadOnlySpan<byte> codes, Span<short> destination)
    {
        CheckLength(codes.Length, destination.Length);
        DecodeWithTable(codes, destination, MuLawDecodeTable);
    }

    /// <summary>Encodes <paramref name="pcm"/> to A-law; <paramref name="destination"/> must hold at least as many bytes as there are samples.</summary>
    public static void ALawEncode(ReadOnlySpan<short> pcm, Span<byte> destination)
    {
        CheckLength(pcm.Length, destination.Length);
        EncodeWithTable(pcm, destination, ALawEncodeTable, shift: 3, round: 4, offset: 4096);
    }

    /// <summary>Decodes A-law <paramref name="codes"/>; <paramref name="destination"/> must hold at least as many samples as there are codes.</summary>
    public static void ALawDecode(ReadOnlySpan<byte> codes, Span<short> destination)
    {
        CheckLength(codes.Length, destination.Length);
        DecodeWithTable(codes, destination, ALawDecodeTable);
    }

    private static void CheckLength(int sourceLength, int destinationLength)
    {
        if (destinationLength < sourceLength)
        {
            throw new ArgumentException(
                $"destination holds {destinationLength} elements but {sourceLength} are needed", "destination");
        }
    }

    // Lengths are checked by the callers; the loops index through refs to skip per-element bounds checks.
    private static void EncodeWithTable(ReadOnlySpan<short> pcm, Span<byte> destination, byte[] table, int shift, int round, int offset)
    {
        ref byte tableRef = ref MemoryMarshal.GetArrayDataReference(table);
        ref short src = ref MemoryMarshal.GetReference(pcm);
        ref byte dst = ref MemoryMarshal.GetReference(destination);
        for (int i = 0; i < pcm.Length; i++)
        {
            Unsafe.Add(ref dst, i) = Unsafe.Add(ref tableRef, ((Unsafe.Add(ref src, i) + round) >> shift) + offset);
        }
    }

    private static void DecodeWithTable(ReadOnlySpan<byte> codes, Span<short> destination, short[] table)
    {
        ref short tableRef = ref MemoryMarshal.GetArrayDataReference(table);
        ref byte src = ref MemoryMarshal.GetReference(codes);
        ref short dst = ref MemoryMarshal.GetReference(destination);
        for (int i = 0; i < codes.Length; i++)
        {
            Unsafe.Add(ref dst, i) = Unsafe.Add(ref tableRef, Unsafe.Add(ref src, i));
        }
    }

    // ---- Table construction: the G.711 segment arithmetic, run once per process. ----

    /// <summary>Index (0-7) of the first segment whose upper end is at least <paramref name="magnitude"/>, 8 if none.</summary>
    private static int Segment(int magnitude, int firstSegmentEnd)
    {
        int segment = 0;
        int end = firstSegmentEnd;
        while (segment < 8 && magnitude > end)
        {
            segment++;
            end = (end << 1) | 1;
        }
        return segment;
    }

    private static byte[] BuildMuLawEncodeTable()
    {
        var table = new byte[(1 << 14) + 1];
        for (int index = 0; index < table.Length; index++)
        {
            int magnitude = Math.Min(index - 8192, 8191);
            int mask = 0xFF;
            if (magnitude < 0)
            {
                magnitude = -magnitude;
                mask = 0x7F;
            }
            magnitude = Math.Min(magnitude, MuLawClip14) + (MuLawBias >> 2);
            int segment = Segment(magnitude, 0x3F); // segment ends 0x3F, 0x7F, ... 0x1FFF
            int code = segment >= 8 ? 0x7F : (segment << 4) | ((magnitude >> (segment + 1)) & 0x0F);
            table[index] = (byte)(code ^ mask);
        }
        return table;
    }

    private static byte[] BuildALawEncodeTable()
    {
        var table = new byte[(1 << 13) + 1];
        for (int index = 0; index < table.Length; index++)
        {
            int magnitude = Math.Min(index - 4096, 4095);
            int mask = 0xD5; // sign bit set for non-negative samples, even bits inverted
            if (magnitude < 0)
            {
                magnitude = -magnitude - 1;
                mask = 0x55;
            }
            int segment = Segment(magnitude, 0x1F); // segment ends 0x1F, 0x3F, ... 0xFFF
            int code;
            if (segment >= 8)
            {
                code = 0x7F;
            }
            else
            {
                int quantShift = segment < 2 ? 1 : segment;
                code = (segment << 4) | ((magnitude >> quantShift) & 0x0F);
            }
            table[index] = (byte)(code ^ mask);
        }
        return table;
    }

    private static short[] BuildMuLawDecodeTable()
    {
        var table = new short[256];
        for (int code = 0; code < 256; code++)
        {
            int inverted = ~code;
            int t = (((inverted & 0x0F) << 3) + MuLawBias) << ((inverted & 0x70) >> 4);
            table[code] = (short)((inverted & 0x80) != 0 ? MuLawBias - t : t - MuLawBias);
        }
        return table;
    }

    private static short[] BuildALawDecodeTable()
    {
        var table = new short[256];
        for (int code = 0; code < 256; code++)
        {
            int value = code ^ 0x55;
            int t = (value & 0x0F) << 4;
            int segment = (value & 0x70) >> 4;
            t = segment switch
            {
                0 => t + 8,
                1 => t + 0x108,
                _ => (t + 0x108) << (segment - 1),
            };
            table[code] = (short)((value & 0x80) != 0 ? t : -t);
        }
        return table;
    }
}
