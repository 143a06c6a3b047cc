using AudioFlow.Audio.Tests.Support;
using static AudioFlow.Audio.Tests.Codecs.G722.G722TestSupport;

namespace AudioFlow.Audio.Tests.Codecs.G722;

/// <summary>Bit-exactness against committed FFmpeg output (Golden/g722/README.md); runs without ffmpeg.</summary>
public class G722GoldenTests
{
    private static short[] Pcm(string name) => Signals.ReadRawPcm16(TestFiles.Golden("g722/" + name));

    private static byte[] Bytes(string name) => File.ReadAllBytes(TestFiles.Golden("g722/" + name));

    [Fact]
    public void Encoding_the_sweep_matches_ffmpeg_byte_for_byte()
    {
        short[] sweep = Pcm("g722_sweep_16k.s16");
        Assert.Equal(16000, sweep.Length);
        AssertIdentical(Bytes("g722_sweep_16k.ffmpeg.g722"), Encode(sweep), "G.722 bytes of the sweep");
    }

    [Fact]
    public void Decoding_ffmpegs_sweep_bitstream_matches_ffmpeg_sample_for_sample()
    {
        short[] expected = Pcm("g722_sweep_16k.ffmpeg.s16");
        AssertIdentical(expected, Decode(Bytes("g722_sweep_16k.ffmpeg.g722")), "decoded sweep");
    }

    [Fact]
    public void Decoding_random_octets_matches_ffmpeg_sample_for_sample()
    {
        byte[] random = Bytes("g722_random.g722");
        Assert.Equal(4000, random.Length);
        AssertIdentical(Pcm("g722_random.ffmpeg.s16"), Decode(random), "decoded random octets");
    }

    [Fact]
    public void Overdriven_square_differs_from_ffmpeg_only_by_the_recommendations_subband_limit()
    {
        short[] square = Pcm("g722_square_16k.s16");
        byte[] ffmpeg = Bytes("g722_square_16k.ffmpeg.g722");

        // FFmpeg skips LIMIT on the transmit QMF outputs; without it we produce its bytes exactly ...
        AssertIdentical(ffmpeg, Encode(square, limitSubbands: false), "square wave, FFmpeg-compatible mode");

        // ... and with it (the Recommendation) the bytes differ, yet both decode to a faithful square wave.
        byte[] itu = Encode(square);
        Assert.NotNull(FirstDifference(ffmpeg, itu));
        Assert.True(AlignedSnr(square, Decode(itu)).SnrDb > 10);
        Assert.True(AlignedSnr(square, Decode(ffmpeg)).SnrDb > 10);
    }
}
