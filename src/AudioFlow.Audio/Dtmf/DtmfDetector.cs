using System.Runtime.Intrinsics;

namespace AudioFlow.Audio.Dtmf;

/// <summary>A detected key press: the digit and the input sample index (since creation or <see cref="DtmfDetector.Reset"/>) where the tone was first seen.</summary>
public readonly record struct DtmfDigit(char Digit, long StartSample);

/// <summary>
/// Streaming in-band DTMF detector for one call (not thread-safe). Feed it the caller's audio in frames of any length
/// (typically 20 ms at 8 or 16 kHz) and collect each key press once with <see cref="TryReadDigit"/>.
/// </summary>
/// <remarks>
/// <para>
/// The audio is cut into blocks of 12.75 ms (102 samples at 8 kHz, 204 at 16 kHz; independent of the frame size). In
/// each block a Goertzel filter measures the 8 DTMF frequencies (all 8 in one 256-bit vector) and the block is
/// classified as a digit only if: both tones reach <see cref="DtmfDetectorOptions.MinToneLevelDbfs"/>; the twist
/// between them is within limits; each tone exceeds the other tones of its group by
/// <see cref="DtmfDetectorOptions.MinRelativePeakDb"/>; and the two tones carry at least
/// <see cref="DtmfDetectorOptions.MinToneEnergyFraction"/> of the block energy.
/// </para>
/// <para>
/// A press is reported when two consecutive blocks classify as the same digit, so tones of 40 ms or more are always
/// detected and tones shorter than 25.5 ms never are. The key counts as released after two consecutive blocks
/// without it (a pause of 40 ms, the standard minimum, always releases it); a single disturbed block in the middle of
/// a long tone does not cause a second report.
/// </para>
/// <para>Known limit: 12.75 ms blocks resolve about ±40 Hz, so tones up to ~3 % off frequency are accepted.</para>
/// </remarks>
public sealed class DtmfDetector
{
    private const double BlockSeconds = 102.0 / 8000.0;
    private const int PressBlocks = 2;
    private const int ReleaseBlocks = 2;
    private const int MaxQueuedDigits = 64;

    private readonly Vector256<float> _coefficients; // 2cos(2πf/fs): rows 0-3, columns 4-7
    private readonly double _minTonePower;
    private readonly double _lowExcess;
    private readonly double _highExcess;
    private readonly double _relativePeak;
    private readonly double _energyFraction;
    private readonly Queue<DtmfDigit> _digits = new();

    private Vector256<float> _s1, _s2;
    private float _energy;
    private int _filled;
    private long _blockStart;       // sample index of the current block's first sample
    private char _previousCandidate;
    private long _runStart;         // first sample of the run of blocks classified as _previousCandidate
    private int _runLength;
    private char _held;
    private int _missedBlocks;

    /// <param name="sampleRate">Input rate in Hz, 8000-48000 (8 kHz and 16 kHz are the usual).</param>
    /// <param name="options">Thresholds; <see cref="DtmfDetectorOptions.Default"/> when null.</param>
    public DtmfDetector(int sampleRate, DtmfDetectorOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 8000);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, 48000);
        options ??= DtmfDetectorOptions.Default;
        SampleRate = sampleRate;
        BlockSize = (int)Math.Round(BlockSeconds * sampleRate);

        Span<float> coefficients = stackalloc float[8];
        for (int i = 0; i < 4; i++)
        {
            coefficients[i] = (float)(2 * Math.Cos(2 * Math.PI * DtmfTones.RowFrequencies[i] / sampleRate));
            coefficients[i + 4] = (float)(2 * Math.Cos(2 * Math.PI * DtmfTones.ColumnFrequencies[i] / sampleRate));
        }
        _coefficients = Vector256.Create<float>(coefficients);

        // A sine of peak amplitude A (full scale 1) gives a Goertzel power of about (A·N/2)².
        double minAmplitude = Math.Pow(10, options.MinToneLevelDbfs / 20);
        _minTonePower = Math.Pow(minAmplitude * BlockSize / 2, 2);
        _lowExcess = Math.Pow(10, options.MaxLowToneExcessDb / 10);
        _highExcess = Math.Pow(10, options.MaxHighToneExcessDb / 10);
        _relativePeak = Math.Pow(10, options.MinRelativePeakDb / 10);
        _energyFraction = options.MinToneEnergyFraction;
    }

    public int SampleRate { get; }

    /// <summary>Samples per analysis block.</summary>
    public int BlockSize { get; }

    /// <summary>The digit currently held down, or null.</summary>
    public char? CurrentDigit => _held == '\0' ? null : _held;

    /// <summary>Analyses <paramref name="samples"/> (continuing the stream); returns how many new presses were queued.</summary>
    public int Process(ReadOnlySpan<short> samples)
    {
        int before = _digits.Count;
        Vector256<float> coefficients = _coefficients;
        Vector256<float> s1 = _s1, s2 = _s2;
        float energy = _energy;
        int filled = _filled;
        foreach (short sample in samples)
        {
            float x = sample * (1f / 32768f);
            // Goertzel recurrence for all 8 frequencies at once: s[n] = x[n] + c·s[n-1] - s[n-2].
            Vector256<float> s0 = coefficients * s1 - s2 + Vector256.Create(x);
            s2 = s1;
            s1 = s0;
            energy += x * x;
            if (++filled == BlockSize)
            {
                // |X(f)|² = s1² + s2² - c·s1·s2
                Vector256<float> power = s1 * s1 + s2 * s2 - coefficients * s1 * s2;
                EndBlock(power, energy);
                s1 = s2 = Vector256<float>.Zero;
                energy = 0;
                filled = 0;
            }
        }
        _s1 = s1;
        _s2 = s2;
        _energy = energy;
        _filled = filled;
        return _digits.Count - before;
    }

    /// <summary>Takes the oldest reported press, if any.</summary>
    public bool TryReadDigit(out DtmfDigit digit) => _digits.TryDequeue(out digit);

    /// <summary>Forgets all state and queued digits; sample indices restart at 0.</summary>
    public void Reset()
    {
        _s1 = _s2 = Vector256<float>.Zero;
        _energy = 0;
        _filled = 0;
        _blockStart = 0;
        _previousCandidate = '\0';
        _runStart = 0;
        _runLength = 0;
        _held = '\0';
        _missedBlocks = 0;
        _digits.Clear();
    }

    /// <summary>Runs a fresh detector over a whole signal and returns the pressed digits in order.</summary>
    public static string DetectDigits(ReadOnlySpan<short> samples, int sampleRate, DtmfDetectorOptions? options = null)
    {
        var detector = new DtmfDetector(sampleRate, options);
        detector.Process(samples);
        var result = new System.Text.StringBuilder();
        while (detector.TryReadDigit(out DtmfDigit d))
        {
            result.Append(d.Digit);
        }
        return result.ToString();
    }

    private void EndBlock(Vector256<float> power, float energy)
    {
        long start = _blockStart;
        _blockStart += BlockSize;
        char candidate = Classify(power, energy);

        if (_held != '\0')
        {
            if (candidate == _held)
            {
                _missedBlocks = 0;
            }
            else if (++_missedBlocks >= ReleaseBlocks)
            {
                _held = '\0';
                _missedBlocks = 0;
            }
        }

        if (candidate != _previousCandidate)
        {
            _runStart = start;
            _runLength = 0;
        }
        _previousCandidate = candidate;
        _runLength++;

        if (candidate != '\0' && _runLength >= PressBlocks && _held == '\0')
        {
            _held = candidate;
            _missedBlocks = 0;
            if (_digits.Count == MaxQueuedDigits)
            {
                _digits.Dequeue(); // nobody is reading; keep the newest
            }
            _digits.Enqueue(new DtmfDigit(candidate, _runStart));
        }
    }

    private char Classify(Vector256<float> power, float energy)
    {
        int row = 0, column = 4;
        for (int i = 1; i < 4; i++)
        {
            if (power[i] > power[row])
            {
                row = i;
            }
            if (power[i + 4] > power[column])
            {
                column = i + 4;
            }
        }
        double rowPower = power[row];
        double columnPower = power[column];
        if (rowPower < _minTonePower || columnPower < _minTonePower)
        {
            return '\0';
        }
        if (rowPower > columnPower * _lowExcess || columnPower > rowPower * _highExcess)
        {
            return '\0'; // twist out of range
        }
        for (int i = 0; i < 4; i++)
        {
            if ((i != row && power[i] * _relativePeak > rowPower) || (i + 4 != column && power[i + 4] * _relativePeak > columnPower))
            {
                return '\0'; // another tone of the same group is too close
            }
        }
        // Tone energy over the block is 2·P/N per tone; compare with Σx².
        if (2 * (rowPower + columnPower) / BlockSize < _energyFraction * energy)
        {
            return '\0';
        }
        return DtmfTones.DigitAt(row, column - 4);
    }
}
