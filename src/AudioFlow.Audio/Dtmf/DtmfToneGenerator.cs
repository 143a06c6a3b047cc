namespace AudioFlow.Audio.Dtmf;

/// <summary>
/// Synthesises in-band DTMF: a digit string rendered as tone/gap pairs, read frame by frame
/// (e.g. 20 ms at a time into the outbound stream) or generated in one go. One instance per sequence; not thread-safe.
/// </summary>
/// <remarks>
/// Each tone has peak amplitude <c>levelDbfs</c> relative to full scale (−10 dBFS: 10362 per tone, summed peak 20724, no clipping).
/// The standard minimums are 40 ms tone and 40 ms pause; the defaults of 100 ms / 100 ms are what most phones send.
/// </remarks>
public sealed class DtmfToneGenerator
{
    public const double DefaultLevelDbfs = -10;
    public const int DefaultToneMilliseconds = 100;
    public const int DefaultGapMilliseconds = 100;

    private readonly (int Low, int High)[] _frequencies;
    private readonly int _sampleRate;
    private readonly int _toneSamples;
    private readonly int _gapSamples;
    private readonly double _amplitude;
    private long _position;

    /// <param name="digits">Digits to send (0-9, *, #, A-D).</param>
    /// <param name="sampleRate">Output rate in Hz (≥ 4000 so both tones are below Nyquist).</param>
    /// <param name="toneMilliseconds">Duration of each tone.</param>
    /// <param name="gapMilliseconds">Silence after each tone.</param>
    /// <param name="levelDbfs">Peak level of each of the two tones.</param>
    public DtmfToneGenerator(string digits, int sampleRate, int toneMilliseconds = DefaultToneMilliseconds,
        int gapMilliseconds = DefaultGapMilliseconds, double levelDbfs = DefaultLevelDbfs)
    {
        ArgumentNullException.ThrowIfNull(digits);
        _frequencies = new (int, int)[digits.Length];
        for (int i = 0; i < digits.Length; i++)
        {
            _frequencies[i] = DtmfTones.Frequencies(digits[i]); // validates
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 4000);
        ArgumentOutOfRangeException.ThrowIfLessThan(toneMilliseconds, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(gapMilliseconds);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(levelDbfs, -6.03, nameof(levelDbfs)); // two tones at -6.02 dBFS reach full scale

        _sampleRate = sampleRate;
        _toneSamples = (int)((long)sampleRate * toneMilliseconds / 1000);
        _gapSamples = (int)((long)sampleRate * gapMilliseconds / 1000);
        _amplitude = 32767 * Math.Pow(10, levelDbfs / 20);
        TotalSamples = (long)digits.Length * (_toneSamples + _gapSamples);
    }

    /// <summary>Length of the whole sequence in samples.</summary>
    public long TotalSamples { get; }

    /// <summary>Samples not yet read.</summary>
    public long RemainingSamples => TotalSamples - _position;

    public bool IsFinished => _position >= TotalSamples;

    /// <summary>Writes the next samples into <paramref name="destination"/>; returns how many (fewer only at the end of the sequence).</summary>
    public int Read(Span<short> destination)
    {
        int n = (int)Math.Min(destination.Length, RemainingSamples);
        int period = _toneSamples + _gapSamples;
        for (int i = 0; i < n; i++)
        {
            long position = _position + i;
            int digitIndex = (int)(position / period);
            int offset = (int)(position % period);
            destination[i] = offset < _toneSamples ? Sample(_frequencies[digitIndex], offset) : (short)0;
        }
        _position += n;
        return n;
    }

    /// <summary>Renders <paramref name="digits"/> as one array (tone, gap, tone, gap, ...).</summary>
    public static short[] Generate(string digits, int sampleRate, int toneMilliseconds = DefaultToneMilliseconds,
        int gapMilliseconds = DefaultGapMilliseconds, double levelDbfs = DefaultLevelDbfs)
    {
        var generator = new DtmfToneGenerator(digits, sampleRate, toneMilliseconds, gapMilliseconds, levelDbfs);
        var samples = new short[checked((int)generator.TotalSamples)];
        generator.Read(samples);
        return samples;
    }

    /// <summary>Fills <paramref name="destination"/> with the continuous tone of one digit.</summary>
    public static void WriteTone(char digit, Span<short> destination, int sampleRate, double levelDbfs = DefaultLevelDbfs)
    {
        var generator = new DtmfToneGenerator(digit.ToString(), sampleRate, 1, 0, levelDbfs);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = generator.Sample(generator._frequencies[0], i);
        }
    }

    private short Sample((int Low, int High) tones, int offset)
    {
        (int low, int high) = tones;
        double t = (double)offset / _sampleRate;
        double v = _amplitude * (Math.Sin(2 * Math.PI * low * t) + Math.Sin(2 * Math.PI * high * t));
        return (short)Math.Round(v);
    }
}
