namespace AudioFlow.Engines.Stt.Whisper;

/// <summary>
/// Whisper's mel filter bank: <see cref="MelBins"/> triangular filters (80, or 128 for large-v3) over the
/// 201 bins of a 400-point FFT at 16 kHz. OpenAI ships them as <c>mel_filters.npz</c> (<c>mel_80</c>,
/// <c>mel_128</c>); they are librosa's <c>filters.mel(sr=16000, n_fft=400, n_mels=n)</c> with the default
/// Slaney mel scale and Slaney area normalisation, which <see cref="Slaney"/> recomputes (equal to the
/// npz within 1e-6), so a model folder does not need the file.
/// </summary>
public sealed class WhisperMelFilters
{
    /// <summary>File name looked for in the model folder by <see cref="ForModel"/>.</summary>
    public const string FileName = "mel_filters.npz";

    private readonly float[] _weights;

    private WhisperMelFilters(int melBins, int fftBins, float[] weights, string source)
    {
        MelBins = melBins;
        FftBins = fftBins;
        _weights = weights;
        Source = source;
        Starts = new int[melBins];
        Ends = new int[melBins];
        for (var m = 0; m < melBins; m++)
        {
            var row = Row(m);
            var start = 0;
            while (start < fftBins && row[start] == 0f)
            {
                start++;
            }

            var end = fftBins;
            while (end > start && row[end - 1] == 0f)
            {
                end--;
            }

            Starts[m] = start;
            Ends[m] = end;
        }
    }

    public int MelBins { get; }

    /// <summary>FFT bins each filter spans (<c>n_fft / 2 + 1</c> = 201).</summary>
    public int FftBins { get; }

    /// <summary>Where the filters came from: a file path, or "computed (slaney)".</summary>
    public string Source { get; }

    /// <summary>First non-zero bin of each filter.</summary>
    internal int[] Starts { get; }

    /// <summary>One past the last non-zero bin of each filter.</summary>
    internal int[] Ends { get; }

    /// <summary>The weights of filter <paramref name="mel"/> over the FFT bins.</summary>
    public ReadOnlySpan<float> Row(int mel) => _weights.AsSpan(mel * FftBins, FftBins);

    /// <summary>
    /// The filters for a model: <c>mel_filters.npz</c> in <paramref name="modelDirectory"/> when present
    /// (array <c>mel_{melBins}</c>), else <see cref="Slaney"/>.
    /// </summary>
    /// <exception cref="SpeechEngineException">The file exists but lacks the array or is malformed.</exception>
    public static WhisperMelFilters ForModel(string modelDirectory, int melBins)
    {
        var path = Path.Combine(modelDirectory, FileName);
        return File.Exists(path) ? FromNpz(path, melBins) : Slaney(melBins);
    }

    /// <summary>Reads array <c>mel_{melBins}</c> ([melBins, 201] float32) from an .npz file.</summary>
    /// <exception cref="SpeechEngineException">Missing file or array, or wrong shape.</exception>
    public static WhisperMelFilters FromNpz(string path, int melBins)
    {
        try
        {
            var (shape, data) = NpyReader.ReadNpzEntry(path, $"mel_{melBins}");
            if (shape.Length != 2 || shape[0] != melBins || shape[1] != (WhisperLogMel.FftSize / 2) + 1)
            {
                throw new InvalidDataException(
                    $"mel_{melBins} has shape [{string.Join(", ", shape)}], expected [{melBins}, {(WhisperLogMel.FftSize / 2) + 1}].");
            }

            return new WhisperMelFilters(melBins, shape[1], data, path);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            throw new SpeechEngineException($"Could not read the mel filters from '{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Computes the filter bank as librosa's <c>filters.mel</c> does with <c>htk=False, norm="slaney"</c>:
    /// <paramref name="melBins"/> + 2 points evenly spaced on the Slaney mel scale (linear below 1 kHz at
    /// 200/3 Hz per mel, logarithmic above with step ln(6.4)/27) from 0 Hz to the Nyquist frequency,
    /// triangles between neighbouring points evaluated at the FFT bin frequencies, each scaled by
    /// 2 / (its upper edge − its lower edge) so every filter has the same area. Double precision, stored
    /// as float32 like librosa's default dtype.
    /// </summary>
    public static WhisperMelFilters Slaney(int melBins, int sampleRate = WhisperLogMel.SampleRate, int fftSize = WhisperLogMel.FftSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(melBins, 1);
        var bins = (fftSize / 2) + 1;
        var fftFrequencies = new double[bins];
        for (var k = 0; k < bins; k++)
        {
            fftFrequencies[k] = (double)sampleRate / 2 * k / (bins - 1);
        }

        var minMel = HzToMel(0.0);
        var maxMel = HzToMel(sampleRate / 2.0);
        var points = new double[melBins + 2];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = MelToHz(minMel + ((maxMel - minMel) * i / (points.Length - 1)));
        }

        var weights = new float[melBins * bins];
        for (var m = 0; m < melBins; m++)
        {
            var lowerWidth = points[m + 1] - points[m];
            var upperWidth = points[m + 2] - points[m + 1];
            var norm = 2.0 / (points[m + 2] - points[m]);
            for (var k = 0; k < bins; k++)
            {
                var lower = (fftFrequencies[k] - points[m]) / lowerWidth;
                var upper = (points[m + 2] - fftFrequencies[k]) / upperWidth;
                var w = Math.Max(0.0, Math.Min(lower, upper));
                weights[(m * bins) + k] = (float)((float)w * norm);
            }
        }

        return new WhisperMelFilters(melBins, bins, weights, "computed (slaney)");
    }

    private const double LinearHzPerMel = 200.0 / 3.0;
    private const double LogStartHz = 1000.0;
    private const double LogStartMel = LogStartHz / LinearHzPerMel;
    private static readonly double LogStep = Math.Log(6.4) / 27.0;

    private static double HzToMel(double hz) =>
        hz >= LogStartHz ? LogStartMel + (Math.Log(hz / LogStartHz) / LogStep) : hz / LinearHzPerMel;

    private static double MelToHz(double mel) =>
        mel >= LogStartMel ? LogStartHz * Math.Exp(LogStep * (mel - LogStartMel)) : LinearHzPerMel * mel;
}
