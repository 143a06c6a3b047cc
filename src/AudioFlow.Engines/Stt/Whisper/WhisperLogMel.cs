namespace AudioFlow.Engines.Stt.Whisper;

/// <summary>
/// Whisper's log-mel front end, numerically the same as OpenAI's <c>log_mel_spectrogram</c> (and the
/// Hugging Face <c>WhisperFeatureExtractor</c>): 16 kHz mono audio zero-padded or trimmed to one 30 s
/// window (480000 samples); a short-time Fourier transform with a 400-point (25 ms) periodic Hann window
/// every 160 samples (10 ms), centred frames with reflect padding of 200 samples at both ends; power
/// spectra |X|²; the last of the 3001 frames dropped (3000 remain); the mel filter bank; log10 of
/// max(x, 1e-10); values below (maximum − 8) raised to it; finally (x + 4) / 4.
/// <para>
/// Double precision throughout (the FFT is <see cref="RealFft"/>), stored as float32 in the encoder's
/// layout <c>[mel, frame]</c>. Frames that lie entirely in the zero padding are not transformed (their
/// power is exactly zero either way), so short utterances cost less than a full window. Immutable and
/// thread-safe: all per-call scratch is on the stack.
/// </para>
/// </summary>
public sealed class WhisperLogMel
{
    public const int SampleRate = 16000;
    public const int FftSize = 400;
    public const int HopLength = 160;
    public const int ChunkSamples = 30 * SampleRate;
    public const int Frames = ChunkSamples / HopLength;

    private const int Pad = FftSize / 2;

    private readonly RealFft _fft = new(FftSize);
    private readonly double[] _window = new double[FftSize];
    private readonly WhisperMelFilters _filters;

    public WhisperLogMel(WhisperMelFilters filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.FftBins != (FftSize / 2) + 1)
        {
            throw new ArgumentException($"The filters span {filters.FftBins} bins; a {FftSize}-point FFT has {(FftSize / 2) + 1}.", nameof(filters));
        }

        _filters = filters;
        for (var n = 0; n < FftSize; n++)
        {
            _window[n] = 0.5 - (0.5 * Math.Cos(2.0 * Math.PI * n / FftSize));
        }
    }

    public int MelBins => _filters.MelBins;

    public WhisperMelFilters Filters => _filters;

    /// <summary>Floats one window's features take: <see cref="MelBins"/> × <see cref="Frames"/>.</summary>
    public int FeatureLength => MelBins * Frames;

    /// <summary>Converts PCM16 to Whisper's float scale (sample / 32768).</summary>
    public static void ToFloat(ReadOnlySpan<short> pcm, Span<float> output)
    {
        for (var i = 0; i < pcm.Length; i++)
        {
            output[i] = pcm[i] / 32768f;
        }
    }

    /// <summary>The features of the first 30 s of <paramref name="audio"/>, as a new [mel, frame] array.</summary>
    public float[] Compute(ReadOnlySpan<float> audio)
    {
        var features = new float[FeatureLength];
        Compute(audio, features);
        return features;
    }

    /// <summary>
    /// Writes the features of the first 30 s of <paramref name="audio"/> (16 kHz, full scale ±1; shorter
    /// audio is zero-padded) into <paramref name="features"/>, row-major [mel, frame].
    /// </summary>
    public void Compute(ReadOnlySpan<float> audio, Span<float> features)
    {
        if (features.Length < FeatureLength)
        {
            throw new ArgumentException($"The output needs {FeatureLength} floats.", nameof(features));
        }

        if (audio.Length > ChunkSamples)
        {
            audio = audio[..ChunkSamples];
        }

        var melBins = MelBins;
        var bins = _fft.Bins;
        var starts = _filters.Starts;
        var ends = _filters.Ends;
        Span<double> frame = stackalloc double[FftSize];
        Span<double> power = stackalloc double[bins];
        Span<double> scratch = stackalloc double[_fft.ScratchLength];
        const float Floor = -10f; // log10(1e-10)
        var max = float.NegativeInfinity;

        // Frames lying wholly after the audio (and before the right-hand reflection) are all zeros.
        var lastNonZero = audio.Length - 1;
        while (lastNonZero >= 0 && audio[lastNonZero] == 0f)
        {
            lastNonZero--;
        }

        for (var t = 0; t < Frames; t++)
        {
            var any = false;
            var origin = (t * HopLength) - Pad;
            if (origin > lastNonZero && origin + FftSize <= ChunkSamples)
            {
                for (var m = 0; m < melBins; m++)
                {
                    features[(m * Frames) + t] = Floor;
                }

                max = Math.Max(max, Floor);
                continue;
            }

            for (var i = 0; i < FftSize; i++)
            {
                var j = origin + i;
                if (j < 0)
                {
                    j = -j;
                }
                else if (j >= ChunkSamples)
                {
                    j = (2 * (ChunkSamples - 1)) - j;
                }

                var x = j < audio.Length ? audio[j] : 0f;
                any |= x != 0f;
                frame[i] = x * _window[i];
            }

            if (!any)
            {
                for (var m = 0; m < melBins; m++)
                {
                    features[(m * Frames) + t] = Floor;
                }

                max = Math.Max(max, Floor);
                continue;
            }

            _fft.PowerSpectrum(frame, power, scratch);
            for (var m = 0; m < melBins; m++)
            {
                var row = _filters.Row(m);
                var sum = 0.0;
                for (var k = starts[m]; k < ends[m]; k++)
                {
                    sum += row[k] * power[k];
                }

                var value = (float)Math.Log10(Math.Max(sum, 1e-10));
                features[(m * Frames) + t] = value;
                if (value > max)
                {
                    max = value;
                }
            }
        }

        var floor = max - 8f;
        var all = features[..FeatureLength];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = (Math.Max(all[i], floor) + 4f) / 4f;
        }
    }
}
