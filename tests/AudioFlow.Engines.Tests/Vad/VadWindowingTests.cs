using AudioFlow.Engines.Vad;
using Xunit;

namespace AudioFlow.Engines.Tests.Vad;

public sealed class VadWindowingTests
{
    [Theory]
    [InlineData(16000, 320, 512)]
    [InlineData(8000, 160, 256)]
    public void TwentyMsFrames_BecomeWholeWindows_KeepingTheRemainder(int rate, int frame, int window)
    {
        var pcm = Enumerable.Range(0, rate).Select(i => (short)((i * 7919 % 65536) - 32768)).ToArray(); // 1 s
        var windowing = new VadWindowing(window);
        var got = new List<float[]>();
        var buffer = new float[window];
        for (int offset = 0; offset + frame <= pcm.Length; offset += frame)
        {
            windowing.Write(pcm.AsSpan(offset, frame));
            while (windowing.TryRead(buffer))
            {
                got.Add((float[])buffer.Clone());
            }
            Assert.True(windowing.BufferedSamples < window);
        }

        int frames = pcm.Length / frame;
        Assert.Equal(frames * frame / window, got.Count);
        Assert.Equal(frames * frame % window, windowing.BufferedSamples);
        for (int w = 0; w < got.Count; w++)
        {
            for (int k = 0; k < window; k++)
            {
                Assert.Equal(pcm[w * window + k] / 32768f, got[w][k]);
            }
        }
    }

    [Fact]
    public void ArbitraryFrameLengths_GiveTheSameWindowsAsOneBigWrite()
    {
        var rnd = new Random(3);
        var pcm = Enumerable.Range(0, 5000).Select(_ => (short)rnd.Next(short.MinValue, short.MaxValue + 1)).ToArray();
        var expected = VadTestAudio.Windows(pcm, 256);

        var windowing = new VadWindowing(256);
        var got = new List<float[]>();
        var buffer = new float[256];
        int offset = 0;
        foreach (int len in new[] { 1, 7, 0, 300, 1000, 33, 2000, 5000 })
        {
            int take = Math.Min(len, pcm.Length - offset);
            windowing.Write(pcm.AsSpan(offset, take));
            offset += take;
            while (windowing.TryRead(buffer))
            {
                got.Add((float[])buffer.Clone());
            }
        }
        Assert.Equal(pcm.Length, offset);
        Assert.Equal(expected.Length, got.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], got[i]);
        }
        Assert.Equal(pcm.Length % 256, windowing.BufferedSamples);
    }

    [Fact]
    public void Conversion_ScalesToUnitRange_AndReadChecksTheBuffer()
    {
        var windowing = new VadWindowing(4);
        windowing.Write([short.MinValue, -16384, 0, short.MaxValue, 1]);
        Assert.Equal(1, windowing.AvailableWindows);
        var w = new float[4];
        Assert.True(windowing.TryRead(w));
        Assert.Equal([-1f, -0.5f, 0f, 32767f / 32768f], w);
        Assert.False(windowing.TryRead(w));
        Assert.Equal(1, windowing.BufferedSamples);
        Assert.Throws<ArgumentException>(() => windowing.TryRead(new float[3]));
        windowing.Reset();
        Assert.Equal(0, windowing.BufferedSamples);
        Assert.Throws<ArgumentOutOfRangeException>(() => new VadWindowing(0));
    }
}
