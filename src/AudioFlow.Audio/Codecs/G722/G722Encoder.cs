using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AudioFlow.Audio.Codecs.G722;

/// <summary>
/// ITU-T G.722 encoder, 64 kbit/s (mode 1, RTP payload type 9): 16 kHz PCM16 in, one octet per two samples out
/// (320 samples = 20 ms → 160 bytes).
/// </summary>
/// <remarks>
/// <para>
/// Implements the Recommendation's fixed-point algorithm: the 24-tap transmit QMF splits each pair of 16 kHz samples
/// into a lower and a higher sub-band sample at 8 kHz, which a 6-bit and a 2-bit ADPCM coder code; the octet is
/// <c>IH &lt;&lt; 6 | IL</c>, as RTP payload type 9 and raw <c>.g722</c> files carry it. Full 16-bit PCM is fed to the
/// QMF, whose output is scaled to the coders' 15-bit range, as the ITU-T reference software (G.191 STL) and common
/// implementations do; the result is bit-exact with the ITU-T test sequences. FFmpeg's (non-trellis) encoder gives the
/// same bytes except where a sub-band signal exceeds 15 bits (overdriven near-full-scale input): it omits the
/// Recommendation's LIMIT there.
/// </para>
/// <para>
/// Stateful: use one instance per call and direction, and feed it the audio in order. Chunks may have any length; an
/// odd trailing sample is held back and paired with the first sample of the next call, so encoding in 20 ms frames
/// gives the same bytes as encoding everything at once. Encoding allocates nothing. Not thread-safe.
/// </para>
/// </remarks>
public sealed class G722Encoder
{
    // Transmit QMF delay line, newest first, stored twice (ring of 24 mirrored to 48) so that the 24 most recent
    // samples are always contiguous at _qmf[_qmfPos .. _qmfPos + 24).
    private readonly int[] _qmf = new int[48];
    private int _qmfPos;
    private G722Band _low;
    private G722Band _high;
    private short _pending;
    private bool _hasPending;
    private readonly bool _limitSubbands;

    /// <summary>A 64 kbit/s encoder in its initial state.</summary>
    public G722Encoder()
        : this(limitSubbands: true)
    {
    }

    /// <summary>
    /// Test hook. <paramref name="limitSubbands"/> = false skips the Recommendation's LIMIT of the transmit QMF outputs
    /// to 15 bits, which is what FFmpeg's encoder does; the two then differ only for input that drives a sub-band
    /// beyond ±16384 (overdriven, near-full-scale square-like signals).
    /// </summary>
    internal G722Encoder(bool limitSubbands)
    {
        _limitSubbands = limitSubbands;
        Reset();
    }

    /// <summary>Whether a sample is held back from an odd-length call, waiting for its pair.</summary>
    public bool HasPendingSample => _hasPending;

    /// <summary>Bytes that encoding <paramref name="samples"/> more samples will write (taking a held-back sample into account).</summary>
    public int BytesFor(int samples) => (samples + (_hasPending ? 1 : 0)) / 2;

    /// <summary>Restores the initial state of the Recommendation (as at the start of a call).</summary>
    public void Reset()
    {
        Array.Clear(_qmf);
        _qmfPos = 0;
        _low = G722Band.Initial(32);
        _high = G722Band.Initial(8);
        _pending = 0;
        _hasPending = false;
    }

    /// <summary>
    /// Encodes <paramref name="pcm16k"/> (16 kHz, mono) into <paramref name="output"/>, one byte per two samples.
    /// Returns the number of bytes written (see <see cref="BytesFor"/>; <paramref name="output"/> must hold at least
    /// that many).
    /// </summary>
    public int Encode(ReadOnlySpan<short> pcm16k, Span<byte> output)
    {
        int bytes = BytesFor(pcm16k.Length);
        if (output.Length < bytes)
        {
            throw new ArgumentException($"output holds {output.Length} bytes but {bytes} are needed", nameof(output));
        }

        int written = 0;
        int i = 0;
        if (_hasPending && pcm16k.Length > 0)
        {
            output[0] = EncodePair(_pending, pcm16k[0]);
            _hasPending = false;
            written = 1;
            i = 1;
        }

        ref short src = ref MemoryMarshal.GetReference(pcm16k);
        ref byte dst = ref MemoryMarshal.GetReference(output);
        for (; i + 1 < pcm16k.Length; i += 2)
        {
            Unsafe.Add(ref dst, written++) = EncodePair(Unsafe.Add(ref src, i), Unsafe.Add(ref src, i + 1));
        }

        if (i < pcm16k.Length)
        {
            _pending = pcm16k[i];
            _hasPending = true;
        }
        return written;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte EncodePair(int first, int second)
    {
        // Transmit QMF: the even taps weight the newer samples of each pair, the odd taps the older ones.
        int pos = _qmfPos = (_qmfPos + 22) % 24; // two back in the ring
        ref int ring = ref MemoryMarshal.GetArrayDataReference(_qmf);
        Unsafe.Add(ref ring, pos) = second;
        Unsafe.Add(ref ring, pos + 24) = second;
        Unsafe.Add(ref ring, pos + 1) = first;
        Unsafe.Add(ref ring, pos + 25) = first;

        ref int x = ref Unsafe.Add(ref ring, pos);
        ref int h = ref MemoryMarshal.GetReference(G722Tables.Qmf);
        int even = 0, odd = 0;
        for (int k = 0; k < 24; k += 2)
        {
            even += Unsafe.Add(ref h, k) * Unsafe.Add(ref x, k);
            odd += Unsafe.Add(ref h, k + 1) * Unsafe.Add(ref x, k + 1);
        }
        int xl = (even + odd) >> 14;
        int xh = (even - odd) >> 14;
        if (_limitSubbands)
        {
            xl = G722Band.Limit(xl);
            xh = G722Band.Limit(xh);
        }

        return (byte)((EncodeHigher(xh) << 6) | EncodeLower(xl));
    }

    /// <summary>Lower sub-band ADPCM encoder: SUBTRA, QUANTL, INVQAL, LOGSCL, SCALEL and the predictor.</summary>
    private int EncodeLower(int xl)
    {
        ref G722Band band = ref _low;
        int el = G722Band.Sat(xl - band.Prediction);
        int wd = G722Band.Magnitude(el);

        // QUANTL: the interval mil (1 … 30) is the first whose upper decision level ((Q6(mil) << 3) · DETL) >> 15
        // exceeds |EL|, i.e. the first with Q6(mil) · DETL ≥ (|EL| + 1) · 2¹². Branch-free binary search (the outcome
        // is unpredictable for audio) for the last level below that, over Q6 padded to 32 entries.
        int target = (wd + 1) << 12;                  // ≤ 2²⁷; Q6 · DETL ≤ 2919 · 16384 < 2²⁶
        int det = band.Scale;
        ref int q6 = ref MemoryMarshal.GetReference(G722Tables.Q6);
        int below = 0;                                // Q6(0) · DETL = 0 < target always
        below += 16 & ((Unsafe.Add(ref q6, below + 16) * det - target) >> 31);
        below += 8 & ((Unsafe.Add(ref q6, below + 8) * det - target) >> 31);
        below += 4 & ((Unsafe.Add(ref q6, below + 4) * det - target) >> 31);
        below += 2 & ((Unsafe.Add(ref q6, below + 2) * det - target) >> 31);
        below += 1 & ((Unsafe.Add(ref q6, below + 1) * det - target) >> 31);
        int mil = below + 1;                          // ≤ 30: the padding entries are never below the target
        int il = el < 0 ? G722Tables.Iln[mil] : G722Tables.Ilp[mil];

        int code4 = il >> 2;
        int d = (det * G722Tables.Qm4[code4]) >> 15;   // INVQAL
        band.AdaptLowerScale(code4);
        band.Update(d);
        return il;
    }

    /// <summary>Higher sub-band ADPCM encoder: SUBTRA, QUANTH, INVQAH, LOGSCH, SCALEH and the predictor.</summary>
    private int EncodeHigher(int xh)
    {
        ref G722Band band = ref _high;
        int eh = G722Band.Sat(xh - band.Prediction);
        int wd = G722Band.Magnitude(eh);
        int det = band.Scale;
        bool outer = wd >= (((G722Tables.Q2 << 3) * det) >> 15);
        int ih = eh < 0 ? (outer ? 0 : 1) : (outer ? 2 : 3);

        int d = (G722Tables.Qm2[ih] * det) >> 15;       // INVQAH
        band.AdaptHigherScale(ih);
        band.Update(d);
        return ih;
    }
}
