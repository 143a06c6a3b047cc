using System.Runtime.Intrinsics;

namespace AudioFlow.Audio.Dtmf;

/// <summary>A detected key press: the digit and the input sample index (since creation or <see cref="DtmfDetector.Reset"/>) of the first block in which the tone was seen.</summary>
public readonly record struct DtmfDigit(char Digit, long StartSample);

/// <summary>
/// Streaming in-band DTMF detector for one call (not thread-safe). Feed it the caller's audio in frames of any length
/// (typically 20 ms at 8 or 16 kHz) and collect each key press once with <see cref="TryReadDigit"/>.
/// </summary>
/// <remarks>
/// <para>
/// The audio is cut into blocks of 12.75 ms (102 samples at 8 kHz, 204 at 16 kHz; independent of the frame size). In
/// each block Goertzel filters measure the 8 DTMF frequencies and their second harmonics (8 lanes of a 256-bit vector
/// each). A block counts as a digit only if: both tones reach <see cref="DtmfDetectorOptions.MinToneLevelDbfs"/>; the
/// twist between them is within limits; each tone exceeds the other tones of its group by
/// <see cref="DtmfDetectorOptions.MinRelativePeakDb"/>; the two tones carry at least
/// <see cref="DtmfDetectorOptions.MinToneEnergyFraction"/> of the block energy; their second harmonics are weak
/// (<see cref="DtmfDetectorOptions.MinSecondHarmonicRejectionDb"/>); and the block is steady (the energies of its two
/// halves differ by less than 2.2 dB, which rejects blocks less than ~80 % covered by a tone).
/// </para>
/// <para>
/// A press is reported when two consecutive blocks show the same digit. A tone of 40 ms (the standard minimum) always
/// spans two full blocks, so it is always detected; a tone shorter than 20 ms cannot make two steady blocks, so it
/// never is. The key counts as released after three consecutive blocks without it: a 40 ms pause always releases it,
/// while an interruption of up to 10 ms in a long tone does not cause a second report.
/// </para>
/// <para>Known limit: 12.75 ms blocks resolve about ±40 Hz, so tones up to ~3 % off frequency are still accepted.</para>
/// </remarks>
public sealed class DtmfDetector
{
    private const double BlockSeconds = 102.0 / 8000.0;
    private const int PressBlocks = 2;
    private const int ReleaseBlocks = 3;
    private const float MinHalfEnergyRatio = 0.6f; // ≈ 2.2 dB: a tone edge must cover ≥ 80 % of a block to pass
    private const int MaxQueuedDigits = 64;

    private readonly Vector256<float> _tones;      // 2cos(2πf/fs): rows 0-3, columns 4-7
    private readonly Vector256<float> _harmonics;  // the same for 2f
    private readonly int _halfBlock;
    private readonly float _minTonePower;
    private readonly float _lowExcess;
    private readonly float _highExcess;
    private readonly float _relativePeak;
    private readonly float _energyFraction;
    private readonly float _harmonicRejection;
    private readonly bool[] _rowHarmonicNearColumn = new bool[16]; // digit index → 2·row within 100 Hz of the column
    private readonly Queue<DtmfDigit> _digits = new();

    // Goertzel state of the block in progress.
    private Vector256<float> _t1, _t2, _h1, _h2;
    private float _energy;
    private float _firstHalfEnergy;
    private int _filled;

    // Debouncing.
    private long _blockStart;     // sample index of the current block's first sample
    private char _runDigit;       // what the latest blocks showed ('\0' = nothing)
    private int _runLength;       // how many consecutive blocks showed it
    private long _runStart;
    private char _held;           // the digit reported and not yet released
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
        _halfBlock = BlockSize / 2;

        Span<float> tones = stackalloc float[8];
        Span<float> harmonics = stackalloc float[8];
        for (int i = 0; i < 8; i++)
        {
            int f = i < 4 ? DtmfTones.RowFrequencies[i] : DtmfTones.ColumnFrequencies[i - 4];
            tones[i] = (float)(2 * Math.Cos(2 * Math.PI * f / sampleRate));
            harmonics[i] = (float)(2 * Math.Cos(2 * Math.PI * 2 * f / sampleRate));
        }
        _tones = Vector256.Create<float>(tones);
        _harmonics = Vector256.Create<float>(harmonics);

        // A sine of peak amplitude A (full scale 1) gives a Goertzel power of about (A·N/2)².
        double minAmplitude = Math.Pow(10, options.MinToneLevelDbfs / 20);
        _minTonePower = (float)Math.Pow(minAmplitude * BlockSize / 2, 2);
        _lowExcess = (float)Math.Pow(10, options.MaxLowToneExcessDb / 10);
        _highExcess = (float)Math.Pow(10, options.MaxHighToneExcessDb / 10);
        _relativePeak = (float)Math.Pow(10, options.MinRelativePeakDb / 10);
        _energyFraction = (float)options.MinToneEnergyFraction;
        _harmonicRejection = (float)Math.Pow(10, options.MinSecondHarmonicRejectionDb / 10);
        for (int r = 0; r < 4; r++)
        {
            for (int c = 0; c < 4; c++)
            {
                _rowHarmonicNearColumn[r * 4 + c] = Math.Abs(2 * DtmfTones.RowFrequencies[r] - DtmfTones.ColumnFrequencies[c]) < 100;
            }
        }
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
        Vector256<float> tones = _tones, harmonics = _harmonics;
        Vector256<float> t1 = _t1, t2 = _t2, h1 = _h1, h2 = _h2;
        float energy = _energy;
        int filled = _filled;
        foreach (short sample in samples)
        {
            float x = sample * (1f / 32768f);
            var vx = Vector256.Create(x);
            // Goertzel recurrence for 16 frequencies at once: s[n] = x[n] + c·s[n-1] - s[n-2].
            Vector256<float> t0 = tones * t1 - t2 + vx;
            Vector256<float> h0 = harmonics * h1 - h2 + vx;
            t2 = t1;
            t1 = t0;
            h2 = h1;
            h1 = h0;
            energy += x * x;
            if (++filled == _halfBlock)
            {
                _firstHalfEnergy = energy;
            }
            else if (filled == BlockSize)
            {
                // |X(f)|² = s1² + s2² - c·s1·s2
                EndBlock(t1 * t1 + t2 * t2 - tones * t1 * t2, h1 * h1 + h2 * h2 - harmonics * h1 * h2, energy);
                t1 = t2 = h1 = h2 = Vector256<float>.Zero;
                energy = 0;
                filled = 0;
            }
        }
        _t1 = t1;
        _t2 = t2;
        _h1 = h1;
        _h2 = h2;
        _energy = energy;
        _filled = filled;
        return _digits.Count - before;
    }

    /// <summary>Takes the oldest reported press, if any.</summary>
    public bool TryReadDigit(out DtmfDigit digit) => _digits.TryDequeue(out digit);

    /// <summary>Forgets all state and queued digits; sample indices restart at 0.</summary>
    public void Reset()
    {
        _t1 = _t2 = _h1 = _h2 = Vector256<float>.Zero;
        _energy = _firstHalfEnergy = 0;
        _filled = 0;
        _blockStart = 0;
        _runDigit = '\0';
        _runLength = 0;
        _runStart = 0;
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

    private void EndBlock(Vector256<float> tonePower, Vector256<float> harmonicPower, float energy)
    {
        long start = _blockStart;
        _blockStart += BlockSize;
        char digit = Classify(tonePower, harmonicPower, energy);

        if (_held != '\0')
        {
            if (digit == _held)
            {
                _missedBlocks = 0;
            }
            else if (++_missedBlocks >= ReleaseBlocks)
            {
                _held = '\0';
                _missedBlocks = 0;
            }
        }

        if (digit != _runDigit)
        {
            _runDigit = digit;
            _runLength = 0;
            _runStart = start;
        }
        _runLength++;

        if (digit != '\0' && _held == '\0' && _runLength >= PressBlocks)
        {
            _held = digit;
            if (_digits.Count == MaxQueuedDigits)
            {
                _digits.Dequeue(); // nobody is reading; keep the newest
            }
            _digits.Enqueue(new DtmfDigit(digit, _runStart));
        }
    }

    private char Classify(Vector256<float> power, Vector256<float> harmonicPower, float energy)
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
        float rowPower = power[row];
        float columnPower = power[column];
        if (rowPower < _minTonePower || columnPower < _minTonePower)
        {
            return '\0'; // too weak
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
        // Each tone's energy over the block is 2·P/N; compare with Σx².
        if (2 * (rowPower + columnPower) / BlockSize < _energyFraction * energy)
        {
            return '\0'; // too much energy elsewhere (speech, noise)
        }
        // For 2 (697+1336), 6 (770+1477) and C (852+1633) the row's harmonic bin sits 38-71 Hz from the column tone and
        // catches up to -4 dB of it, so there the row harmonic only has to stay below the row tone itself.
        float rowHarmonicRejection = _rowHarmonicNearColumn[row * 4 + column - 4] ? 1f : _harmonicRejection;
        if (harmonicPower[row] * rowHarmonicRejection > rowPower || harmonicPower[column] * _harmonicRejection > columnPower)
        {
            return '\0'; // harmonic-rich: voiced speech
        }
        float secondHalf = energy - _firstHalfEnergy;
        if (Math.Min(_firstHalfEnergy, secondHalf) < MinHalfEnergyRatio * Math.Max(_firstHalfEnergy, secondHalf))
        {
            return '\0'; // not steady: a tone starting or stopping inside the block
        }
        return DtmfTones.DigitAt(row, column - 4);
    }
}
