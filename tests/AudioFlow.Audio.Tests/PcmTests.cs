using AudioFlow.Audio.Tests.Support;

namespace AudioFlow.Audio.Tests;

public class PcmTests
{
    [Fact]
    public void Float_conversion_scales_by_32768_and_round_trips_exactly()
    {
        short[] all = Enumerable.Range(short.MinValue, 65536).Select(v => (short)v).ToArray();
        var floats = new float[all.Length];
        Pcm.ToFloat(all, floats);
        Assert.Equal(-1f, floats[0]);
        Assert.Equal(0f, floats[32768]);
        Assert.Equal(32767f / 32768f, floats[^1]);
        var back = new short[all.Length];
        Pcm.ToPcm16(floats, back);
        Assert.Equal(all, back);
    }

    [Fact]
    public void Float_to_pcm_rounds_and_saturates()
    {
        float[] input = [1.5f, -1.5f, 0.5f / 32768, 1.5f / 32768, -0.6f / 32768, float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        var output = new short[input.Length];
        Pcm.ToPcm16(input, output);
        Assert.Equal(new short[] { 32767, -32768, 0, 2, -1, 0, 32767, -32768 }, output); // halves round to even
    }

    [Fact]
    public void Conversions_check_the_destination_length()
    {
        Assert.Throws<ArgumentException>(() => Pcm.ToFloat(new short[10], new float[9]));
        Assert.Throws<ArgumentException>(() => Pcm.ToPcm16(new float[10], new short[9]));
    }

    [Fact]
    public void Rms_and_dbfs_of_known_signals()
    {
        short[] sine = Signals.Sine(1000, 8000, 8000, 32767);
        Assert.Equal(-3.01, Pcm.Dbfs(sine), 2);
        Assert.Equal(0.0, Pcm.Dbfs(Enumerable.Repeat(short.MinValue, 100).ToArray()), 6);
        Assert.Equal(-20 * Math.Log10(32768.0 / 1000), Pcm.Dbfs(Enumerable.Repeat((short)-1000, 999).ToArray()), 9);
        Assert.Equal(double.NegativeInfinity, Pcm.Dbfs(new short[160]));
        Assert.Equal(double.NegativeInfinity, Pcm.Dbfs(ReadOnlySpan<short>.Empty));
        Assert.Equal(0, Pcm.Rms(ReadOnlySpan<short>.Empty));
    }

    [Fact]
    public void Sum_of_squares_is_exact_for_every_length()
    {
        short[] noise = Signals.Noise(1000, 20000, seed: 5);
        noise[3] = short.MinValue;
        for (int length = 0; length <= noise.Length; length += 37)
        {
            long expected = noise.Take(length).Sum(s => (long)s * s);
            Assert.Equal(expected, Pcm.SumOfSquares(noise.AsSpan(0, length)));
        }
        Assert.Equal(65536L * 32768 * 32768, Pcm.SumOfSquares(Enumerable.Repeat(short.MinValue, 65536).ToArray()));
    }

    [Fact]
    public void Peak_is_the_largest_magnitude()
    {
        Assert.Equal(32768, Pcm.Peak(new short[] { 5, short.MinValue, 7 }));
        Assert.Equal(9, Pcm.Peak(new short[] { 5, -9, 7 }));
        Assert.Equal(0, Pcm.Peak(ReadOnlySpan<short>.Empty));
    }

    [Fact]
    public void Mix_to_mono_averages_frames_and_ignores_a_partial_frame()
    {
        var mono = new short[2];
        Pcm.MixToMono(new short[] { 10, 20, 30, -5, -6, -7, 99 }, 3, mono);
        Assert.Equal(new short[] { 20, -6 }, mono);
        Assert.Throws<ArgumentException>(() => Pcm.MixToMono(new short[6], 2, new short[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Pcm.MixToMono(new short[6], 0, new short[6]));
    }
}
