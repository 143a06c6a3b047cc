namespace AudioFlow.Engines.Tests.Vad;

/// <summary>
/// Test helper: 16 kHz to 8 kHz by a linear-phase windowed-sinc low-pass (127 taps, Blackman window,
/// cut-off 3.65 kHz, so about -74 dB above ~4 kHz) evaluated at every second sample. Zero delay: output
/// sample m is centred on input sample 2m. Its output is checked against sox in <c>VadAudioTests</c>.
/// </summary>
internal static class HalfbandDecimator
{
    private const int Taps = 127;
    private static readonly double[] Kernel = BuildKernel();

    public static short[] Decimate(ReadOnlySpan<short> input)
    {
        const int half = Taps / 2;
        var output = new short[input.Length / 2];
        for (int m = 0; m < output.Length; m++)
        {
            int centre = 2 * m;
            double acc = 0;
            for (int k = 0; k < Taps; k++)
            {
                int i = centre + k - half;
                if ((uint)i < (uint)input.Length)
                {
                    acc += Kernel[k] * input[i];
                }
            }
            output[m] = (short)Math.Clamp(Math.Round(acc), short.MinValue, short.MaxValue);
        }
        return output;
    }

    private static double[] BuildKernel()
    {
        const double cutoff = 3650.0 / 16000.0; // cycles per input sample
        var h = new double[Taps];
        double sum = 0;
        for (int k = 0; k < Taps; k++)
        {
            double n = k - (Taps - 1) / 2.0;
            double sinc = n == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * n) / (Math.PI * n);
            double window = 0.42 - 0.5 * Math.Cos(2 * Math.PI * k / (Taps - 1)) + 0.08 * Math.Cos(4 * Math.PI * k / (Taps - 1));
            h[k] = sinc * window;
            sum += h[k];
        }
        for (int k = 0; k < Taps; k++)
        {
            h[k] /= sum; // unity gain at DC
        }
        return h;
    }
}
