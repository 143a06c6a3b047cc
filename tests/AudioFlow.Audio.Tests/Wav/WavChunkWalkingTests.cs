using AudioFlow.Audio.Wav;
using static AudioFlow.Audio.Tests.Wav.WavBytes;

namespace AudioFlow.Audio.Tests.Wav;

/// <summary>Valid but unusual layouts: unknown chunks, padding quirks, streaming-writer sizes, every sample encoding.</summary>
public class WavChunkWalkingTests
{
    private static readonly short[] Samples = [0, 1000, -1000, 32767, -32768];

    private static WavAudio Read(byte[] bytes, bool forwardOnly = false) =>
        WavFile.Read(forwardOnly ? new ForwardOnlyStream(bytes) : new MemoryStream(bytes));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Unknown_chunks_are_skipped_including_odd_sized_ones(bool forwardOnly)
    {
        byte[] bytes = new WavBytes()
            .Chunk("JUNK", new byte[7])
            .Chunk("fmt ", Fmt(1, 1, 8000, 16))
            .Chunk("LIST", "INFOISFTxyz"u8.ToArray())
            .Chunk("fact", new byte[4])
            .Chunk("data", Pcm16(Samples))
            .Chunk("id3 ", new byte[33])
            .ToArray();
        Assert.Equal(Samples, Read(bytes, forwardOnly).Samples);
    }

    [Fact]
    public void A_missing_pad_byte_after_an_odd_chunk_is_tolerated()
    {
        byte[] bytes = new WavBytes()
            .Chunk("fmt ", Fmt(1, 1, 8000, 16))
            .Chunk("note", "odd"u8.ToArray(), pad: false)
            .Chunk("data", Pcm16(Samples))
            .ToArray();
        Assert.Equal(Samples, Read(bytes).Samples);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0xFFFFFFFFu)]
    public void Data_size_0_or_FFFFFFFF_means_to_end_of_file(uint declared)
    {
        byte[] bytes = new WavBytes().Header("RIFF", "WAVE", riffSize: declared)
            .Chunk("fmt ", Fmt(1, 1, 8000, 16))
            .Chunk("data", Pcm16(Samples), declaredSize: declared)
            .ToArray();
        Assert.Equal(Samples, Read(bytes).Samples);
        Assert.Equal(Samples, Read(bytes, forwardOnly: true).Samples);
    }

    [Fact]
    public void A_data_chunk_cut_short_yields_the_whole_frames_present()
    {
        byte[] full = new WavBytes()
            .Chunk("fmt ", Fmt(1, 2, 8000, 16))
            .Chunk("data", Pcm16([1, 2, 3, 4, 5, 6]))
            .ToArray();
        byte[] cut = full[..^3]; // loses sample 6 and half of sample 5: frame (5, 6) is incomplete
        WavAudio audio = Read(cut);
        Assert.Equal(new short[] { 1, 2, 3, 4 }, audio.Samples);
    }

    [Fact]
    public void Fmt_after_data_is_accepted()
    {
        byte[] bytes = new WavBytes()
            .Chunk("data", Pcm16(Samples))
            .Chunk("fmt ", Fmt(1, 1, 16000, 16))
            .ToArray();
        WavAudio audio = Read(bytes);
        Assert.Equal(16000, audio.SampleRate);
        Assert.Equal(Samples, audio.Samples);
    }

    [Fact]
    public void WaveFormatEx_with_extra_bytes_is_accepted()
    {
        byte[] bytes = new WavBytes()
            .Chunk("fmt ", Fmt(1, 1, 8000, 16, extraBytes: 0))
            .Chunk("data", Pcm16(Samples))
            .ToArray();
        Assert.Equal(Samples, Read(bytes).Samples);
    }

    [Fact]
    public void Every_encoding_decodes_to_the_expected_pcm16()
    {
        // 8-bit unsigned: 0x80 is zero.
        Assert.Equal(new short[] { 0, 32512, -32768, 256 },
            Read(new WavBytes().Chunk("fmt ", Fmt(1, 1, 8000, 8)).Chunk("data", [0x80, 0xFF, 0x00, 0x81]).ToArray()).Samples);
        // 24-bit: rounded to 16 bits, saturating at the top.
        Assert.Equal(new short[] { 0x1234, -1, 32767, -32768, 1 },
            Read(new WavBytes().Chunk("fmt ", Fmt(1, 1, 8000, 24))
                .Chunk("data", [0x00, 0x34, 0x12, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x00, 0x00, 0x80, 0x80, 0x00, 0x00]).ToArray()).Samples);
        // float32: full scale ±1, clipped beyond, NaN → 0.
        byte[] floats = [.. BitConverter.GetBytes(0.5f), .. BitConverter.GetBytes(-1f), .. BitConverter.GetBytes(3f), .. BitConverter.GetBytes(float.NaN)];
        Assert.Equal(new short[] { 16384, -32768, 32767, 0 },
            Read(new WavBytes().Chunk("fmt ", Fmt(3, 1, 8000, 32)).Chunk("data", floats).ToArray()).Samples);
        // G.711 codes via the format tags 7 and 6.
        Assert.Equal(new short[] { 0, -32124 },
            Read(new WavBytes().Chunk("fmt ", Fmt(7, 1, 8000, 8)).Chunk("data", [0xFF, 0x00]).ToArray()).Samples);
        Assert.Equal(new short[] { 8, 32256 },
            Read(new WavBytes().Chunk("fmt ", Fmt(6, 1, 8000, 8)).Chunk("data", [0xD5, 0xAA]).ToArray()).Samples);
    }

    [Theory]
    [InlineData(1, 16, WavSampleEncoding.Pcm16)]
    [InlineData(3, 32, WavSampleEncoding.Float32)]
    [InlineData(7, 8, WavSampleEncoding.MuLaw)]
    [InlineData(6, 8, WavSampleEncoding.ALaw)]
    public void Extensible_wraps_each_supported_encoding(ushort subTag, int bits, WavSampleEncoding expected)
    {
        byte[] bytes = new WavBytes()
            .Chunk("fmt ", FmtExtensible(subTag, 1, 8000, bits))
            .Chunk("data", new byte[bits / 8 * 10])
            .ToArray();
        WavAudio audio = Read(bytes);
        Assert.Equal(expected, audio.SourceEncoding);
        Assert.Equal(10, audio.Samples.Length);
    }

    [Fact]
    public void Trailing_garbage_after_the_data_is_ignored()
    {
        byte[] bytes = new WavBytes()
            .Chunk("fmt ", Fmt(1, 1, 8000, 16))
            .Chunk("data", Pcm16(Samples))
            .Raw([0xDE, 0xAD, 0xBE])
            .ToArray();
        Assert.Equal(Samples, Read(bytes).Samples);
    }
}
