using System.Buffers.Binary;
using AudioFlow.Audio.Tests.Support;
using AudioFlow.Audio.Wav;

namespace AudioFlow.Audio.Tests.Wav;

/// <summary>WavFile.Write produces canonical files that WavFile.Read (and other tools) read back exactly.</summary>
public class WavRoundTripTests
{
    [Theory]
    [InlineData(8000, 1)]
    [InlineData(16000, 1)]
    [InlineData(44100, 2)]
    public void Written_samples_read_back_exactly(int rate, int channels)
    {
        short[] samples = Signals.Noise(rate / 10 * channels, 8000, seed: rate);
        samples[0] = short.MinValue;
        samples[1] = short.MaxValue;
        var stream = new MemoryStream();
        WavFile.Write(stream, samples, rate, channels);
        stream.Position = 0;

        WavAudio audio = WavFile.Read(stream);
        Assert.Equal(rate, audio.SampleRate);
        Assert.Equal(channels, audio.Channels);
        Assert.Equal(WavSampleEncoding.Pcm16, audio.SourceEncoding);
        Assert.Equal(samples, audio.Samples);
        Assert.Equal(samples.Length / channels, audio.FrameCount);
    }

    [Fact]
    public void Files_round_trip_through_the_path_overloads()
    {
        using var dir = new TempDirectory();
        short[] samples = Signals.Sine(440, 8000, 8000, 10000);
        WavFile.Write(dir.File("tone.wav"), samples, 8000);
        WavAudio audio = WavFile.Read(dir.File("tone.wav"));
        Assert.Equal(samples, audio.Samples);
        Assert.Equal(TimeSpan.FromSeconds(1), audio.Duration);
    }

    [Fact]
    public void Header_is_the_canonical_44_byte_PCM_header()
    {
        var stream = new MemoryStream();
        WavFile.Write(stream, new short[] { 1, -2, 3 }, 16000);
        byte[] b = stream.ToArray();
        Assert.Equal(44 + 6, b.Length);
        Assert.Equal("RIFF"u8.ToArray(), b[..4]);
        Assert.Equal(42u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4)));
        Assert.Equal("WAVEfmt "u8.ToArray(), b[8..16]);
        Assert.Equal(16u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(16)));
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(20)));      // PCM
        Assert.Equal(1, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(22)));      // mono
        Assert.Equal(16000u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(24)));
        Assert.Equal(32000u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(28))); // byte rate
        Assert.Equal(2, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(32)));      // block align
        Assert.Equal(16, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(34)));
        Assert.Equal("data"u8.ToArray(), b[36..40]);
        Assert.Equal(6u, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(40)));
        Assert.Equal(new byte[] { 1, 0, 0xFE, 0xFF, 3, 0 }, b[44..]);
    }

    [Fact]
    public void Reading_works_on_a_forward_only_stream_with_short_reads()
    {
        short[] samples = Signals.Sine(1000, 8000, 4001, 12000);
        var stream = new MemoryStream();
        WavFile.Write(stream, samples, 8000);
        Assert.Equal(samples, WavFile.Read(new ForwardOnlyStream(stream.ToArray())).Samples);
    }

    [Fact]
    public void Empty_audio_round_trips()
    {
        var stream = new MemoryStream();
        WavFile.Write(stream, ReadOnlySpan<short>.Empty, 8000);
        stream.Position = 0;
        WavAudio audio = WavFile.Read(stream);
        Assert.Empty(audio.Samples);
        Assert.Equal(8000, audio.SampleRate);
    }

    [Fact]
    public void Stereo_is_mixed_down_to_mono_by_averaging()
    {
        var audio = new WavAudio(8000, 2, [100, 300, -32768, -32768, 32767, 32767, 1, 2, -1, -2], WavSampleEncoding.Pcm16);
        Assert.Equal(new short[] { 200, -32768, 32767, 2, -2 }, audio.ToMono()); // halves round away from zero
        var mono = new WavAudio(8000, 1, [1, 2, 3], WavSampleEncoding.Pcm16);
        Assert.Same(mono.Samples, mono.ToMono());
    }

    [Fact]
    public void Write_rejects_bad_arguments()
    {
        var stream = new MemoryStream();
        Assert.Throws<ArgumentException>(() => WavFile.Write(stream, new short[3], 8000, channels: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => WavFile.Write(stream, new short[2], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => WavFile.Write(stream, new short[2], 8000, channels: 0));
    }

    [SoxFact]
    public void Sox_reads_our_files_as_the_same_samples()
    {
        using var dir = new TempDirectory();
        short[] samples = Signals.Noise(1600, 5000, seed: 3);
        WavFile.Write(dir.File("ours.wav"), samples, 16000, channels: 2);
        ExternalTool.Sox(dir.File("ours.wav"), "-t", "raw", dir.File("back.s16"));
        Assert.Equal(samples, Signals.ReadRawPcm16(dir.File("back.s16")));
        string info = ExternalTool.Run("sox", "--i", dir.File("ours.wav"));
        Assert.Contains("Channels       : 2", info);
        Assert.Contains("Sample Rate    : 16000", info);
    }
}
