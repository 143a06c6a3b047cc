using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AudioFlow.Audio.Codecs.G722;

/// <summary>
/// ITU-T G.722 decoder: one octet in, two 16 kHz PCM16 samples out (160 bytes = 20 ms → 320 samples). Decodes the
/// 64 kbit/s mode of RTP payload type 9 by default, and optionally the 56 and 48 kbit/s modes.
/// </summary>
/// <remarks>
/// Implements the Recommendation's fixed-point algorithm: a 6-bit (5- or 4-bit in modes 2 and 3) lower-band and a
/// 2-bit higher-band ADPCM decoder followed by the 24-tap receive QMF, whose output is scaled to full 16-bit PCM as
/// the ITU-T reference software (G.191 STL) does; bit-exact with the ITU-T test sequences (all three modes) and with
/// FFmpeg's decoder. Stateful: one instance per call and direction, fed the octets in order. Decoding allocates
/// nothing. Not thread-safe.
/// </remarks>
public sealed class G722Decoder
{
    // Receive QMF delay line, newest first, ring of 24 mirrored to 48 (see G722Encoder).
    private readonly int[] _qmf = new int[48];
    private int _qmfPos;
    private G722Band _low;
    private G722Band _high;

    /// <summary>A decoder for <paramref name="bitRate"/> (default 64 kbit/s, what RTP uses).</summary>
    public G722Decoder(G722BitRate bitRate = G722BitRate.Rate64000)
    {
        if (bitRate is not (G722BitRate.Rate64000 or G722BitRate.Rate56000 or G722BitRate.Rate48000))
        {
            throw new ArgumentOutOfRangeException(nameof(bitRate), bitRate, "G.722 modes are 64000, 56000 and 48000 bit/s");
        }
        BitRate = bitRate;
        Reset();
    }

    /// <summary>The decoding mode.</summary>
    public G722BitRate BitRate { get; }

    /// <summary>Restores the initial state of the Recommendation (as at the start of a call).</summary>
    public void Reset()
    {
        Array.Clear(_qmf);
        _qmfPos = 0;
        _low = G722Band.Initial(32);
        _high = G722Band.Initial(8);
    }

    /// <summary>
    /// Decodes <paramref name="input"/> into <paramref name="pcm16k"/> (16 kHz, mono), two samples per byte. Returns
    /// the number of samples written, <c>2 · input.Length</c>; <paramref name="pcm16k"/> must hold at least that many.
    /// </summary>
    public int Decode(ReadOnlySpan<byte> input, Span<short> pcm16k)
    {
        if (pcm16k.Length < input.Length * 2)
        {
            throw new ArgumentException(
                $"pcm16k holds {pcm16k.Length} samples but {input.Length * 2} are needed", nameof(pcm16k));
        }

        ReadOnlySpan<short> lowerLevels = BitRate switch
        {
            G722BitRate.Rate64000 => G722Tables.Qm6,
            G722BitRate.Rate56000 => G722Tables.Qm5,
            _ => G722Tables.Qm4,
        };
        int lowerShift = (int)BitRate - 1; // 6-bit code >> 0, 1 or 2

        ref byte src = ref MemoryMarshal.GetReference(input);
        ref short dst = ref MemoryMarshal.GetReference(pcm16k);
        for (int i = 0; i < input.Length; i++)
        {
            int code = Unsafe.Add(ref src, i);
            int rl = DecodeLower(code & 0x3F, lowerLevels, lowerShift);
            int rh = DecodeHigher(code >> 6);
            SynthesizePair(rl, rh, ref Unsafe.Add(ref dst, 2 * i));
        }
        return input.Length * 2;
    }

    /// <summary>Lower sub-band ADPCM decoder: INVQBL, RECONS, LIMIT, and the adaptation driven by INVQAL.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int DecodeLower(int il, ReadOnlySpan<short> levels, int shift)
    {
        ref G722Band band = ref _low;
        int det = band.Scale;
        int dl = (det * levels[il >> shift]) >> 15;             // INVQBL (mode-dependent)
        int rl = G722Band.Limit(G722Band.Sat(band.Prediction + dl));
        int code4 = il >> 2;
        int d = (det * G722Tables.Qm4[code4]) >> 15;            // INVQAL (4-bit, as in the encoder)
        band.AdaptLowerScale(code4);
        band.Update(d);
        return rl;
    }

    /// <summary>Higher sub-band ADPCM decoder: INVQAH, RECONS, LIMIT, and the adaptation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int DecodeHigher(int ih)
    {
        ref G722Band band = ref _high;
        int d = (G722Tables.Qm2[ih] * band.Scale) >> 15;       // INVQAH
        band.AdaptHigherScale(ih);
        return G722Band.Limit(band.Update(d));
    }

    /// <summary>Receive QMF: interpolates the two sub-band samples to two 16 kHz output samples.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SynthesizePair(int rl, int rh, ref short output)
    {
        int pos = _qmfPos = (_qmfPos + 22) % 24;
        ref int ring = ref MemoryMarshal.GetArrayDataReference(_qmf);
        int difference = rl - rh, sum = rl + rh;               // both within 16 bits: rl, rh are 15-bit
        Unsafe.Add(ref ring, pos) = difference;
        Unsafe.Add(ref ring, pos + 24) = difference;
        Unsafe.Add(ref ring, pos + 1) = sum;
        Unsafe.Add(ref ring, pos + 25) = sum;

        ref int x = ref Unsafe.Add(ref ring, pos);
        ref int h = ref MemoryMarshal.GetReference(G722Tables.Qmf);
        int even = 0, odd = 0;
        for (int k = 0; k < 24; k += 2)
        {
            even += Unsafe.Add(ref h, k) * Unsafe.Add(ref x, k);
            odd += Unsafe.Add(ref h, k + 1) * Unsafe.Add(ref x, k + 1);
        }
        output = (short)G722Band.Sat(even >> 11);
        Unsafe.Add(ref output, 1) = (short)G722Band.Sat(odd >> 11);
    }
}
