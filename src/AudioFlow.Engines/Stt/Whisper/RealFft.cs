namespace AudioFlow.Engines.Stt.Whisper;

/// <summary>
/// Power spectrum of a real signal of any even length, in double precision: a complex FFT of half the
/// length (packing even samples as real and odd samples as imaginary parts) followed by the usual split
/// step. The complex FFT is a mixed-radix Stockham autosort transform with radix-4, radix-2, radix-5 and
/// generic prime butterflies, so Whisper's 400-point frame (half length 200 =
/// 4·2·5·5) needs no padding to a power of two. Immutable after construction; thread-safe (callers
/// pass their own scratch).
/// </summary>
public sealed class RealFft
{
    private readonly int _length;
    private readonly int _half;
    private readonly Stage[] _stages;
    private readonly double[] _splitCos;
    private readonly double[] _splitSin;

    /// <param name="length">Number of real input samples; even, at least 2.</param>
    public RealFft(int length)
    {
        if (length < 2 || length % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "The real FFT length must be even and at least 2.");
        }

        _length = length;
        _half = length / 2;
        _stages = Plan(_half);
        _splitCos = new double[_half + 1];
        _splitSin = new double[_half + 1];
        for (var k = 0; k <= _half; k++)
        {
            var angle = 2.0 * Math.PI * k / length;
            _splitCos[k] = Math.Cos(angle);
            _splitSin[k] = Math.Sin(angle);
        }
    }

    /// <summary>Number of real input samples.</summary>
    public int Length => _length;

    /// <summary>Number of output bins, <c>Length / 2 + 1</c> (DC to Nyquist).</summary>
    public int Bins => _half + 1;

    /// <summary>Doubles of scratch space <see cref="PowerSpectrum"/> needs.</summary>
    public int ScratchLength => 4 * _half;

    /// <summary>The radices of the half-length complex FFT, in the order they are applied.</summary>
    public IReadOnlyList<int> Radices => _stages.Select(s => s.Radix).ToArray();

    /// <summary>
    /// Writes <c>|X[k]|²</c> for <c>k = 0 .. Length/2</c> of the real input's discrete Fourier transform
    /// <c>X[k] = Σ x[n]·e^(-2πikn/N)</c> (no normalisation).
    /// </summary>
    public void PowerSpectrum(ReadOnlySpan<double> input, Span<double> power, Span<double> scratch)
    {
        if (input.Length != _length)
        {
            throw new ArgumentException($"Expected {_length} samples, got {input.Length}.", nameof(input));
        }

        if (power.Length < Bins)
        {
            throw new ArgumentException($"The output needs {Bins} bins.", nameof(power));
        }

        if (scratch.Length < ScratchLength)
        {
            throw new ArgumentException($"The scratch needs {ScratchLength} doubles.", nameof(scratch));
        }

        var m = _half;
        var re = scratch[..m];
        var im = scratch.Slice(m, m);
        for (var i = 0; i < m; i++)
        {
            re[i] = input[2 * i];
            im[i] = input[(2 * i) + 1];
        }

        var inFirst = Transform(scratch[..(2 * m)], scratch.Slice(2 * m, 2 * m));
        var z = inFirst ? scratch[..(2 * m)] : scratch.Slice(2 * m, 2 * m);
        var zr = z[..m];
        var zi = z.Slice(m, m);

        for (var k = 0; k <= m; k++)
        {
            var a = k == m ? 0 : k;
            var b = k == 0 ? 0 : m - k;
            double ar = zr[a], ai = zi[a], br = zr[b], bi = zi[b];

            // Even part E = (Z[k] + conj Z[M-k]) / 2, odd part O = (Z[k] - conj Z[M-k]) / 2i.
            var er = 0.5 * (ar + br);
            var ei = 0.5 * (ai - bi);
            var or = 0.5 * (ai + bi);
            var oi = -0.5 * (ar - br);

            // X[k] = E + W^k O with W = e^(-2πi/N) = cos - i sin.
            double c = _splitCos[k], s = _splitSin[k];
            var xr = er + (c * or) + (s * oi);
            var xi = ei + (c * oi) - (s * or);
            power[k] = (xr * xr) + (xi * xi);
        }
    }

    /// <summary>
    /// In-place-ish complex FFT of <c>first</c> (re then im halves), using <c>second</c> as the other
    /// Stockham buffer. Returns true when the result ended up in <c>first</c>.
    /// </summary>
    private bool Transform(Span<double> first, Span<double> second)
    {
        var m = _half;
        var srcIsFirst = true;
        var n = m;
        var stride = 1;
        Span<double> a = stackalloc double[2 * MaxGenericRadix];
        foreach (var stage in _stages)
        {
            var src = srcIsFirst ? first : second;
            var dst = srcIsFirst ? second : first;
            var sr = src[..m];
            var si = src.Slice(m, m);
            var dr = dst[..m];
            var di = dst.Slice(m, m);
            var r = stage.Radix;
            var sub = n / r;
            switch (r)
            {
                case 2:
                    Radix2(sr, si, dr, di, sub, stride, stage);
                    break;
                case 4:
                    Radix4(sr, si, dr, di, sub, stride, stage);
                    break;
                case 5:
                    Radix5(sr, si, dr, di, sub, stride, stage);
                    break;
                default:
                    RadixGeneric(sr, si, dr, di, sub, stride, stage, a);
                    break;
            }

            n = sub;
            stride *= r;
            srcIsFirst = !srcIsFirst;
        }

        return srcIsFirst;
    }

    private static void Radix2(Span<double> sr, Span<double> si, Span<double> dr, Span<double> di, int sub, int stride, Stage stage)
    {
        var tw = stage.Twiddles;
        for (var p = 0; p < sub; p++)
        {
            double wr = tw[2 * p], wi = tw[(2 * p) + 1];
            var i0 = stride * p;
            var i1 = stride * (p + sub);
            var o0 = stride * 2 * p;
            var o1 = o0 + stride;
            for (var q = 0; q < stride; q++)
            {
                double ar = sr[i0 + q], ai = si[i0 + q], br = sr[i1 + q], bi = si[i1 + q];
                dr[o0 + q] = ar + br;
                di[o0 + q] = ai + bi;
                double tr = ar - br, ti = ai - bi;
                dr[o1 + q] = (tr * wr) - (ti * wi);
                di[o1 + q] = (tr * wi) + (ti * wr);
            }
        }
    }

    private static void Radix4(Span<double> sr, Span<double> si, Span<double> dr, Span<double> di, int sub, int stride, Stage stage)
    {
        var tw = stage.Twiddles;
        for (var p = 0; p < sub; p++)
        {
            var t = 6 * p;
            double w1r = tw[t], w1i = tw[t + 1], w2r = tw[t + 2], w2i = tw[t + 3], w3r = tw[t + 4], w3i = tw[t + 5];
            var i0 = stride * p;
            var i1 = stride * (p + sub);
            var i2 = stride * (p + (2 * sub));
            var i3 = stride * (p + (3 * sub));
            var o0 = stride * 4 * p;
            var o1 = o0 + stride;
            var o2 = o1 + stride;
            var o3 = o2 + stride;
            for (var q = 0; q < stride; q++)
            {
                double a0r = sr[i0 + q], a0i = si[i0 + q];
                double a1r = sr[i1 + q], a1i = si[i1 + q];
                double a2r = sr[i2 + q], a2i = si[i2 + q];
                double a3r = sr[i3 + q], a3i = si[i3 + q];
                double s02r = a0r + a2r, s02i = a0i + a2i, d02r = a0r - a2r, d02i = a0i - a2i;
                double s13r = a1r + a3r, s13i = a1i + a3i, d13r = a1r - a3r, d13i = a1i - a3i;

                // ω4 = -i: b1 = d02 - i·d13, b3 = d02 + i·d13.
                dr[o0 + q] = s02r + s13r;
                di[o0 + q] = s02i + s13i;
                double b1r = d02r + d13i, b1i = d02i - d13r;
                double b2r = s02r - s13r, b2i = s02i - s13i;
                double b3r = d02r - d13i, b3i = d02i + d13r;
                dr[o1 + q] = (b1r * w1r) - (b1i * w1i);
                di[o1 + q] = (b1r * w1i) + (b1i * w1r);
                dr[o2 + q] = (b2r * w2r) - (b2i * w2i);
                di[o2 + q] = (b2r * w2i) + (b2i * w2r);
                dr[o3 + q] = (b3r * w3r) - (b3i * w3i);
                di[o3 + q] = (b3r * w3i) + (b3i * w3r);
            }
        }
    }

    private static readonly double C1 = Math.Cos(2 * Math.PI / 5);
    private static readonly double C2 = Math.Cos(4 * Math.PI / 5);
    private static readonly double S1 = Math.Sin(2 * Math.PI / 5);
    private static readonly double S2 = Math.Sin(4 * Math.PI / 5);

    private static void Radix5(Span<double> sr, Span<double> si, Span<double> dr, Span<double> di, int sub, int stride, Stage stage)
    {
        var tw = stage.Twiddles;
        double c1 = C1, c2 = C2, s1 = S1, s2 = S2;
        for (var p = 0; p < sub; p++)
        {
            var t = 8 * p;
            double w1r = tw[t], w1i = tw[t + 1], w2r = tw[t + 2], w2i = tw[t + 3];
            double w3r = tw[t + 4], w3i = tw[t + 5], w4r = tw[t + 6], w4i = tw[t + 7];
            var i0 = stride * p;
            var i1 = stride * (p + sub);
            var i2 = stride * (p + (2 * sub));
            var i3 = stride * (p + (3 * sub));
            var i4 = stride * (p + (4 * sub));
            var o0 = stride * 5 * p;
            for (var q = 0; q < stride; q++)
            {
                double a0r = sr[i0 + q], a0i = si[i0 + q];
                double a1r = sr[i1 + q], a1i = si[i1 + q];
                double a2r = sr[i2 + q], a2i = si[i2 + q];
                double a3r = sr[i3 + q], a3i = si[i3 + q];
                double a4r = sr[i4 + q], a4i = si[i4 + q];

                // With ω = e^(-2πi/5): b1,4 = a0 + c1·(a1+a4) + c2·(a2+a3) ∓ i·(s1·(a1−a4) + s2·(a2−a3)),
                // b2,3 = a0 + c2·(a1+a4) + c1·(a2+a3) ∓ i·(s2·(a1−a4) − s1·(a2−a3)).
                double t1r = a1r + a4r, t1i = a1i + a4i, t2r = a2r + a3r, t2i = a2i + a3i;
                double t3r = a1r - a4r, t3i = a1i - a4i, t4r = a2r - a3r, t4i = a2i - a3i;
                double m1r = a0r + (c1 * t1r) + (c2 * t2r), m1i = a0i + (c1 * t1i) + (c2 * t2i);
                double m2r = a0r + (c2 * t1r) + (c1 * t2r), m2i = a0i + (c2 * t1i) + (c1 * t2i);
                double n1r = (s1 * t3r) + (s2 * t4r), n1i = (s1 * t3i) + (s2 * t4i);
                double n2r = (s2 * t3r) - (s1 * t4r), n2i = (s2 * t3i) - (s1 * t4i);

                dr[o0 + q] = a0r + t1r + t2r;
                di[o0 + q] = a0i + t1i + t2i;
                double b1r = m1r + n1i, b1i = m1i - n1r;
                double b4r = m1r - n1i, b4i = m1i + n1r;
                double b2r = m2r + n2i, b2i = m2i - n2r;
                double b3r = m2r - n2i, b3i = m2i + n2r;
                var o1 = o0 + stride + q;
                var o2 = o1 + stride;
                var o3 = o2 + stride;
                var o4 = o3 + stride;
                dr[o1] = (b1r * w1r) - (b1i * w1i);
                di[o1] = (b1r * w1i) + (b1i * w1r);
                dr[o2] = (b2r * w2r) - (b2i * w2i);
                di[o2] = (b2r * w2i) + (b2i * w2r);
                dr[o3] = (b3r * w3r) - (b3i * w3i);
                di[o3] = (b3r * w3i) + (b3i * w3r);
                dr[o4] = (b4r * w4r) - (b4i * w4i);
                di[o4] = (b4r * w4i) + (b4i * w4r);
            }
        }
    }

    private static void RadixGeneric(
        Span<double> sr, Span<double> si, Span<double> dr, Span<double> di, int sub, int stride, Stage stage, Span<double> a)
    {
        var r = stage.Radix;
        var tw = stage.Twiddles;
        var roots = stage.Roots;
        var ar = a[..r];
        var ai = a.Slice(r, r);
        for (var p = 0; p < sub; p++)
        {
            for (var q = 0; q < stride; q++)
            {
                for (var t = 0; t < r; t++)
                {
                    var index = q + (stride * (p + (t * sub)));
                    ar[t] = sr[index];
                    ai[t] = si[index];
                }

                for (var u = 0; u < r; u++)
                {
                    double br = ar[0], bi = ai[0];
                    for (var t = 1; t < r; t++)
                    {
                        var e = t * u % r;
                        double cr = roots[2 * e], ci = roots[(2 * e) + 1];
                        br += (ar[t] * cr) - (ai[t] * ci);
                        bi += (ar[t] * ci) + (ai[t] * cr);
                    }

                    var w = 2 * ((p * r) + u);
                    double wr = tw[w], wi = tw[w + 1];
                    var o = q + (stride * ((r * p) + u));
                    dr[o] = (br * wr) - (bi * wi);
                    di[o] = (br * wi) + (bi * wr);
                }
            }
        }
    }

    private const int MaxGenericRadix = 64;

    private static Stage[] Plan(int n)
    {
        var radices = new List<int>();
        var rest = n;
        while (rest % 4 == 0)
        {
            radices.Add(4);
            rest /= 4;
        }

        while (rest % 2 == 0)
        {
            radices.Add(2);
            rest /= 2;
        }

        for (var f = 3; rest > 1; f += 2)
        {
            while (rest % f == 0)
            {
                if (f > MaxGenericRadix)
                {
                    throw new ArgumentOutOfRangeException(nameof(n), n, $"Half length has the prime factor {f}; at most {MaxGenericRadix} is supported.");
                }

                radices.Add(f);
                rest /= f;
            }
        }

        var stages = new Stage[radices.Count];
        var length = n;
        for (var i = 0; i < radices.Count; i++)
        {
            var r = radices[i];
            var sub = length / r;

            // Stage twiddles W_length^(p·u); radix 2, 4 and 5 store u = 1..r-1, the generic path u = 0..r-1.
            var generic = r is not (2 or 4 or 5);
            var perP = generic ? r : r - 1;
            var uStart = generic ? 0 : 1;
            var twiddles = new double[2 * sub * perP];
            for (var p = 0; p < sub; p++)
            {
                for (var u = uStart; u < r; u++)
                {
                    var angle = -2.0 * Math.PI * p * u / length;
                    var at = 2 * ((p * perP) + (u - uStart));
                    twiddles[at] = Math.Cos(angle);
                    twiddles[at + 1] = Math.Sin(angle);
                }
            }

            var roots = new double[2 * r];
            for (var e = 0; e < r; e++)
            {
                var angle = -2.0 * Math.PI * e / r;
                roots[2 * e] = Math.Cos(angle);
                roots[(2 * e) + 1] = Math.Sin(angle);
            }

            stages[i] = new Stage(r, twiddles, roots);
            length = sub;
        }

        return stages;
    }

    private sealed record Stage(int Radix, double[] Twiddles, double[] Roots);
}
