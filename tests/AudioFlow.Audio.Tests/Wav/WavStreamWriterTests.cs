using System.Buffers.Binary;
using AudioFlow.Audio.Tests.Support;
using AudioFlow.Audio.Wav;

namespace AudioFlow.Audio.Tests.Wav;

public sealed class WavStreamWriterTests
{
    private static short[] Ramp(int count, int offset) => Enumerable.Range(offset, count).Select(i => (short)((i * 37) % 30000 - 15000)).ToArray();

    [Fact]
    public void A_completed_file_has_its_real_sizes_and_reads_back_exactly()
    {
        using var dir = new TempDirectory();
        var path = dir.File("sub/folder/rec.wav"); // the folder is created
        var chunks = new[] { Ramp(320, 0), Ramp(640, 320), Ramp(2, 960) };
        using (var writer = new WavStreamWriter(path, 8000, channels: 2))
        {
            foreach (var chunk in chunks)
            {
                writer.Write(chunk);
            }

            Assert.Equal(481, writer.FramesWritten);
            writer.Complete();
        }

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(44 + (962 * 2), bytes.Length);
        Assert.Equal(36u + (962 * 2), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)));
        Assert.Equal(962u * 2, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));
        var wav = WavFile.Read(path);
        Assert.Equal(2, wav.Channels);
        Assert.Equal(8000, wav.SampleRate);
        Assert.Equal(chunks.SelectMany(c => c).ToArray(), wav.Samples);
    }

    [Fact]
    public void A_file_cut_short_says_length_unknown_and_still_reads_up_to_its_last_write()
    {
        using var dir = new TempDirectory();
        var path = dir.File("cut.wav");
        var samples = Ramp(16000, 7);
        using (var writer = new WavStreamWriter(path, 16000, channels: 1, bufferBytes: 4096))
        {
            writer.Write(samples);
        } // disposed without Complete: as after a crash

        var bytes = File.ReadAllBytes(path);
        Assert.Equal(uint.MaxValue, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(40)));
        Assert.Equal(samples, WavFile.Read(path).Samples);
    }

    [FfmpegFact]
    public void Ffmpeg_reads_a_cut_short_file_to_its_end()
    {
        using var dir = new TempDirectory();
        var path = dir.File("cut.wav");
        var samples = Ramp(8000 * 2, 0);
        using (var writer = new WavStreamWriter(path, 8000, channels: 2))
        {
            writer.Write(samples);
        }

        var raw = ExternalTool.RunBinary("ffmpeg", "-loglevel", "error", "-i", path, "-f", "s16le", "-");
        Assert.Equal(samples.Length * 2, raw.Length);
        Assert.Equal(samples[^1], BinaryPrimitives.ReadInt16LittleEndian(raw.AsSpan(raw.Length - 2)));
    }

    [Fact]
    public void Partial_frames_are_refused()
    {
        using var dir = new TempDirectory();
        using var writer = new WavStreamWriter(dir.File("x.wav"), 8000, channels: 2);
        Assert.Throws<ArgumentException>(() => writer.Write(new short[3]));
    }
}
