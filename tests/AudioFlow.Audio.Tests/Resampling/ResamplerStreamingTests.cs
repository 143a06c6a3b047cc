using AudioFlow.Audio.Resampling;
using AudioFlow.Audio.Tests.Support;
using static AudioFlow.Audio.Tests.Resampling.ResamplerTestKit;

namespace AudioFlow.Audio.Tests.Resampling;

/// <summary>Per-call state: chunking never changes the output, counts are exact and predictable, state can be reset.</summary>
public class ResamplerStreamingTests
{
    private static short[] TestSignal(int rate, int seconds = 2) =>
        Signals.Mix(Signals.Sine(440, rate, rate * seconds, 9000), Signals.Sine(2900, rate, rate * seconds, 6000), Signals.Noise(rate * seconds, 2000, seed: rate));

    [Theory]
    [MemberData(nameof(PipelineRatios), MemberType = typeof(ResamplerTestKit))]
    public void Twenty_ms_chunks_give_exactly_the_same_output_as_one_call(int fromRate, int toRate)
    {
        short[] input = TestSignal(fromRate);
        short[] whole = Run(Resampler.Create(fromRate, toRate), input);
        short[] chunked = RunChunked(Resampler.Create(fromRate, toRate), input, FrameDuration.Samples(fromRate));
        Assert.Equal(whole, chunked);
    }

    [Theory]
    [MemberData(nameof(PipelineRatios), MemberType = typeof(ResamplerTestKit))]
    public void Irregular_chunks_give_exactly_the_same_output_as_one_call(int fromRate, int toRate)
    {
        short[] input = TestSignal(fromRate);
        var random = new Random(fromRate + toRate);
        int[] sizes = Enumerable.Range(0, 97).Select(_ => random.Next(0, 3000)).Append(1).Append(7).ToArray();
        short[] whole = Run(Resampler.Create(fromRate, toRate), input);
        short[] chunked = RunChunked(Resampler.Create(fromRate, toRate), input, sizes);
        Assert.Equal(whole, chunked);
    }

    [Theory]
    [InlineData(8000, 16000)]
    [InlineData(16000, 8000)]
    [InlineData(22050, 16000)]
    public void Single_sample_chunks_give_the_same_output(int fromRate, int toRate)
    {
        short[] input = TestSignal(fromRate, seconds: 1)[..3000];
        Assert.Equal(Run(Resampler.Create(fromRate, toRate), input), RunChunked(Resampler.Create(fromRate, toRate), input, 1));
    }

    [Theory]
    [MemberData(nameof(PipelineRatios), MemberType = typeof(ResamplerTestKit))]
    public void Output_count_is_predicted_exactly_and_totals_ceil_of_n_times_ratio(int fromRate, int toRate)
    {
        var resampler = Resampler.Create(fromRate, toRate);
        var random = new Random(7);
        var buffer = new short[resampler.MaxOutputSamples(5000)];
        long totalIn = 0, totalOut = 0;
        for (int call = 0; call < 200; call++)
        {
            int n = random.Next(0, 5000);
            int predicted = resampler.OutputSamplesFor(n);
            Assert.InRange(predicted, 0, resampler.MaxOutputSamples(n));
            int written = resampler.Process(new short[n], buffer);
            Assert.Equal(predicted, written);
            totalIn += n;
            totalOut += written;
            // After N inputs exactly ⌈N·to/from⌉ outputs exist: no drift over a long call.
            Assert.Equal((totalIn * toRate + fromRate - 1) / fromRate, totalOut);
        }
    }

    [Theory]
    [MemberData(nameof(PipelineRatios), MemberType = typeof(ResamplerTestKit))]
    public void Output_is_the_input_delayed_by_DelaySamples(int fromRate, int toRate)
    {
        // A 440 Hz tone must come out as the same tone shifted by the reported group delay (fractional delays included).
        var resampler = Resampler.Create(fromRate, toRate);
        short[] output = Run(resampler, Signals.Sine(440, fromRate, fromRate, 12000));
        double delay = resampler.DelaySamples;
        double worst = 0;
        for (int n = (int)delay + toRate / 20; n < output.Length - toRate / 20; n++)
        {
            double expected = 12000 * Math.Sin(2 * Math.PI * 440 * (n - delay) / toRate);
            worst = Math.Max(worst, Math.Abs(output[n] - expected));
        }
        Assert.True(worst <= 3, $"largest deviation from the delayed tone: {worst:F2} (delay {delay} samples)");
        Assert.Equal(delay / toRate, resampler.Delay.TotalSeconds, 6);
    }

    [Theory]
    [MemberData(nameof(PipelineRatios), MemberType = typeof(ResamplerTestKit))]
    public void Constant_input_gives_the_same_constant_after_the_filter_fills(int fromRate, int toRate)
    {
        var resampler = Resampler.Create(fromRate, toRate);
        short[] output = Run(resampler, Enumerable.Repeat((short)-12345, fromRate / 2).ToArray());
        int settled = (int)(2 * resampler.DelaySamples) + 2;
        Assert.All(output[settled..], s => Assert.InRange(s, -12346, -12344));
    }

    [Fact]
    public void Full_scale_input_saturates_instead_of_wrapping()
    {
        // A full-scale square wave overshoots (Gibbs); the overshoot must clip at ±32767, never wrap to the other sign.
        short[] square = Enumerable.Range(0, 16000).Select(i => (i / 40) % 2 == 0 ? short.MaxValue : short.MinValue).ToArray();
        foreach ((int from, int to) in new[] { (16000, 8000), (16000, 32000), (16000, 22050) })
        {
            var resampler = Resampler.Create(from, to);
            short[] output = Run(resampler, square);
            Assert.Contains(output, s => s == short.MaxValue);
            double ratio = (double)from / to;
            for (int n = (int)resampler.DelaySamples + 10; n < output.Length; n++)
            {
                double inputTime = (n - resampler.DelaySamples) * ratio;
                double phase = inputTime / 40 % 2;
                if (phase is > 0.25 and < 0.75)
                {
                    Assert.True(output[n] > 20000, $"{from}→{to}: sample {n} = {output[n]} in a positive half-period");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(PipelineRatios), MemberType = typeof(ResamplerTestKit))]
    public void Flush_emits_the_tail_and_resets(int fromRate, int toRate)
    {
        var resampler = Resampler.Create(fromRate, toRate);
        short[] input = Signals.Sine(300, fromRate, fromRate / 4, 10000);
        short[] body = Run(resampler, input);
        var tail = new short[resampler.MaxFlushSamples];
        int tailCount = resampler.Flush(tail);

        // Dropping the delay from body + tail leaves at least the full resampled signal.
        double ideal = (double)input.Length * toRate / fromRate;
        Assert.True(body.Length + tailCount - resampler.DelaySamples >= ideal - 1,
            $"{body.Length} + {tailCount} samples minus delay {resampler.DelaySamples} < {ideal}");
        // The last input samples (a loud tone) come out of the tail, not silence.
        Assert.True(tail.Take(tailCount).Max(s => Math.Abs((int)s)) > 1000);

        // After the flush the resampler starts afresh.
        Assert.Equal(Run(Resampler.Create(fromRate, toRate), input), Run(resampler, input));
    }

    [Theory]
    [InlineData(8000, 16000)]
    [InlineData(16000, 8000)]
    [InlineData(48000, 16000)]
    public void Reset_forgets_history(int fromRate, int toRate)
    {
        short[] input = TestSignal(fromRate, 1);
        var resampler = Resampler.Create(fromRate, toRate);
        Run(resampler, input[..1001]);
        resampler.Reset();
        Assert.Equal(Run(Resampler.Create(fromRate, toRate), input), Run(resampler, input));
    }

    [Fact]
    public void Too_small_output_throws_without_consuming_input()
    {
        short[] input = TestSignal(8000, 1)[..160];
        var resampler = Resampler.Create(8000, 16000);
        Assert.Throws<ArgumentException>(() => resampler.Process(input, new short[319]));
        Assert.Equal(Run(Resampler.Create(8000, 16000), input), Run(resampler, input));
    }

    [Fact]
    public void Equal_rates_copy_with_no_delay()
    {
        var resampler = Resampler.Create(16000, 16000);
        short[] input = TestSignal(16000, 1);
        Assert.Equal(input, Run(resampler, input));
        Assert.Equal(0, resampler.DelaySamples);
    }

    [Fact]
    public void Empty_input_produces_nothing()
    {
        foreach ((int from, int to) in new[] { (8000, 16000), (16000, 8000), (22050, 16000) })
        {
            Assert.Equal(0, Resampler.Create(from, to).Process(ReadOnlySpan<short>.Empty, Span<short>.Empty));
        }
    }

    [Theory]
    [InlineData(0, 8000)]
    [InlineData(8000, -1)]
    [InlineData(8000, 10_000_000)]
    public void Invalid_rates_are_rejected(int fromRate, int toRate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Resampler.Create(fromRate, toRate));

    [Fact]
    public void Unreasonable_ratios_are_refused_rather_than_building_a_huge_filter() =>
        Assert.Throws<NotSupportedException>(() => Resampler.Create(768_000, 767_999));

    [Fact]
    public void Filter_banks_are_shared_between_instances_of_the_same_ratio()
    {
        Assert.Same(PolyphaseFilterBank.Get(22050, 16000), PolyphaseFilterBank.Get(22050, 16000));
        Assert.Same(PolyphaseFilterBank.Get(44100, 32000), PolyphaseFilterBank.Get(22050, 16000)); // same reduced ratio 320/441
    }

    [Fact]
    public void The_8k_16k_hot_path_uses_the_half_band_filter()
    {
        Assert.IsType<HalfBandUpsampler>(Resampler.Create(8000, 16000));
        Assert.IsType<HalfBandDownsampler>(Resampler.Create(16000, 8000));
        Assert.IsType<PolyphaseResampler>(Resampler.Create(22050, 16000));
    }
}
