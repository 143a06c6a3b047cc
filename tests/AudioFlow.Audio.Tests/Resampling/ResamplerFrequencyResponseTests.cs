using AudioFlow.Audio.Tests.Support;
using static AudioFlow.Audio.Tests.Resampling.ResamplerTestKit;

namespace AudioFlow.Audio.Tests.Resampling;

/// <summary>
/// The filters do what a resampler must: flat passband, no aliasing when decimating, no images when interpolating.
/// Levels are measured with a windowed single-bin DFT over one second of settled output.
/// </summary>
public class ResamplerFrequencyResponseTests
{
    /// <summary>Required rejection of aliases and images (the design target is 80 dB).</summary>
    private const double MinRejectionDb = 60;

    /// <summary>Passband tolerance: the design ripple is ~0.001 dB, the brief allows ±0.5 dB.</summary>
    private const double MaxPassbandDeviationDb = 0.1;

    [Theory]
    [MemberData(nameof(PipelineRatios), MemberType = typeof(ResamplerTestKit))]
    public void Passband_is_flat_for_speech_frequencies(int fromRate, int toRate)
    {
        // Up to 0.85 × the lower Nyquist frequency (3.4 kHz for 8 kHz, 6.8 kHz for 16 kHz).
        double top = 0.85 * Math.Min(fromRate, toRate) / 2;
        foreach (double f in new[] { 100, 300, 1000, 2000, 3000, top })
        {
            double gainDb = Signals.Db(ToneThrough(fromRate, toRate, f, f) / 16000);
            Assert.True(Math.Abs(gainDb) <= MaxPassbandDeviationDb, $"{fromRate}→{toRate}: {f} Hz gain {gainDb:F3} dB");
        }
    }

    [Theory]
    [InlineData(16000, 8000, new double[] { 4500, 5000, 6000, 7000, 7900 })]       // half-band: stopband from 4.4 kHz
    [InlineData(22050, 8000, new double[] { 4000, 4500, 5000, 8000, 10000 })]      // polyphase: stopband from the new Nyquist
    [InlineData(22050, 16000, new double[] { 8000, 8500, 9500, 11000 })]
    [InlineData(24000, 16000, new double[] { 8000, 9000, 11000, 11900 })]
    [InlineData(48000, 16000, new double[] { 8000, 9000, 12000, 17000, 23000 })]
    public void Content_above_the_new_Nyquist_does_not_alias(int fromRate, int toRate, double[] frequencies)
    {
        foreach (double f in frequencies)
        {
            double alias = Alias(f, toRate);
            double levelDb = Signals.Db(ToneThrough(fromRate, toRate, f, alias) / 16000);
            Assert.True(levelDb < -MinRejectionDb, $"{fromRate}→{toRate}: {f} Hz aliased to {alias} Hz at {levelDb:F1} dB");
        }
    }

    [Fact]
    public void A_5kHz_tone_decimated_from_16k_to_8k_leaves_no_3kHz_alias()
    {
        double aliasDb = Signals.Db(ToneThrough(16000, 8000, 5000, 3000) / 16000);
        Assert.True(aliasDb < -MinRejectionDb, $"alias at 3 kHz is {aliasDb:F1} dB");
    }

    [Theory]
    [InlineData(8000, 16000, new double[] { 300, 1000, 2000, 3000, 3500 })]   // image at 8000 - f
    [InlineData(16000, 24000, new double[] { 1000, 4000, 7000 })]             // image at 16000 - f
    [InlineData(8000, 22050, new double[] { 500, 2000, 3500 })]               // image at 8000 - f (and 8000 + f)
    public void Interpolation_suppresses_images(int fromRate, int toRate, double[] frequencies)
    {
        foreach (double f in frequencies)
        {
            foreach (double image in new[] { fromRate - f, fromRate + f })
            {
                if (image >= toRate / 2.0)
                {
                    continue;
                }
                double levelDb = Signals.Db(ToneThrough(fromRate, toRate, f, image) / 16000);
                Assert.True(levelDb < -MinRejectionDb, $"{fromRate}→{toRate}: {f} Hz imaged at {image} Hz at {levelDb:F1} dB");
            }
        }
    }
}
