using AudioFlow.Audio.Resampling;
using AudioFlow.Audio.Tests.Support;

namespace AudioFlow.Audio.Tests.Resampling;

/// <summary>Runs resamplers over whole signals and measures tones in their steady-state output.</summary>
internal static class ResamplerTestKit
{
    /// <summary>The conversions the pipeline uses (TTS voices produce 22.05/24/48 kHz; telephony is 8 kHz; ASR wants 16 kHz).</summary>
    public static TheoryData<int, int> PipelineRatios => new()
    {
        { 8000, 16000 }, { 16000, 8000 }, { 22050, 16000 }, { 22050, 8000 }, { 24000, 16000 }, { 48000, 16000 },
        { 16000, 24000 }, { 8000, 22050 },
    };

    /// <summary>One Process call over the whole input.</summary>
    public static short[] Run(Resampler resampler, ReadOnlySpan<short> input)
    {
        var output = new short[resampler.MaxOutputSamples(input.Length)];
        int n = resampler.Process(input, output);
        return output[..n];
    }

    /// <summary>The input fed in consecutive chunks of the given sizes (cycled), outputs concatenated.</summary>
    public static short[] RunChunked(Resampler resampler, short[] input, params int[] chunkSizes)
    {
        var result = new List<short>();
        var buffer = new short[resampler.MaxOutputSamples(chunkSizes.Max())];
        int position = 0;
        for (int c = 0; position < input.Length; c++)
        {
            int size = Math.Min(chunkSizes[c % chunkSizes.Length], input.Length - position);
            int n = resampler.Process(input.AsSpan(position, size), buffer);
            result.AddRange(buffer.AsSpan(0, n));
            position += size;
        }
        return result.ToArray();
    }

    /// <summary>
    /// Resamples a tone of <paramref name="amplitude"/> at <paramref name="frequency"/> and returns the amplitude found at
    /// <paramref name="measureAt"/> in one second of output taken after the filter has settled.
    /// </summary>
    public static double ToneThrough(int fromRate, int toRate, double frequency, double measureAt, double amplitude = 16000)
    {
        var resampler = Resampler.Create(fromRate, toRate);
        short[] input = Signals.Sine(frequency, fromRate, fromRate * 13 / 10, amplitude);
        short[] output = Run(resampler, input);
        int skip = (int)resampler.DelaySamples + toRate / 10;
        return Signals.Amplitude(output.AsSpan(skip, toRate), measureAt, toRate);
    }

    /// <summary>Where a tone at <paramref name="frequency"/> lands after sampling at <paramref name="rate"/> (folded into 0 … rate/2).</summary>
    public static double Alias(double frequency, int rate)
    {
        double f = frequency % rate;
        return f > rate / 2.0 ? rate - f : f;
    }
}
