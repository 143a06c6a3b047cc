using AudioFlow.Engines.Tts;
using Xunit;

namespace AudioFlow.Engines.Tests.Tts;

public sealed class SilenceTrimmerTests
{
    private const int Rate = 16000;

    private static short[] Signal(int leadingSilence, int tone, int trailingSilence, short noise = 0)
    {
        var samples = new short[leadingSilence + tone + trailingSilence];
        var random = new Random(7);
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)(noise == 0 ? 0 : random.Next(-noise, noise + 1));
        }

        for (int i = 0; i < tone; i++)
        {
            samples[leadingSilence + i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / Rate));
        }

        return samples;
    }

    [Fact]
    public void Keeps_50_ms_before_and_after_the_audible_part()
    {
        short[] input = Signal(leadingSilence: Rate, tone: Rate / 2, trailingSilence: Rate);

        short[] trimmed = SilenceTrimmer.Trim(input, Rate, SilenceTrimming.Default);

        // The sine's first sample is 0, so audio starts one sample in; 50 ms = 800 samples each side.
        Assert.InRange(trimmed.Length, (Rate / 2) + 1590, (Rate / 2) + 1602);
        Assert.Equal(input.AsSpan(Rate + 1, (Rate / 2) - 1).ToArray(), trimmed.AsSpan(800, (Rate / 2) - 1).ToArray());
    }

    [Fact]
    public void Low_level_noise_counts_as_silence()
    {
        short[] input = Signal(leadingSilence: Rate, tone: Rate / 4, trailingSilence: Rate, noise: 20); // about -64 dBFS

        short[] trimmed = SilenceTrimmer.Trim(input, Rate, SilenceTrimming.Default);

        Assert.InRange(trimmed.Length, (Rate / 4) + 1500, (Rate / 4) + 1700);
    }

    [Fact]
    public void Cut_edges_fade_from_and_to_zero()
    {
        short[] input = Signal(leadingSilence: Rate, tone: Rate / 4, trailingSilence: Rate, noise: 60);

        short[] trimmed = SilenceTrimmer.Trim(input, Rate, SilenceTrimming.Default);

        Assert.Equal(0, trimmed[0]);
        Assert.Equal(0, trimmed[^1]);
    }

    [Fact]
    public void Audio_without_long_silences_is_returned_as_is()
    {
        short[] input = Signal(leadingSilence: 100, tone: Rate / 4, trailingSilence: 100);

        Assert.Same(input, SilenceTrimmer.Trim(input, Rate, SilenceTrimming.Default));
    }

    [Fact]
    public void All_silence_gives_empty_audio()
    {
        Assert.Empty(SilenceTrimmer.Trim(new short[Rate], Rate, SilenceTrimming.Default));
        Assert.Empty(SilenceTrimmer.Trim([], Rate, SilenceTrimming.Default));
    }

    [Fact]
    public void Keep_durations_are_configurable()
    {
        short[] input = Signal(leadingSilence: Rate, tone: Rate / 4, trailingSilence: Rate);
        var trimming = new SilenceTrimming { KeepLeading = TimeSpan.Zero, KeepTrailing = TimeSpan.FromMilliseconds(200) };

        short[] trimmed = SilenceTrimmer.Trim(input, Rate, trimming);

        Assert.InRange(trimmed.Length, (Rate / 4) + 3190, (Rate / 4) + 3201);
    }
}
