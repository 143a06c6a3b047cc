using AudioFlow.Audio.Wav;
using static AudioFlow.Audio.Tests.Wav.WavBytes;

namespace AudioFlow.Audio.Tests.Wav;

/// <summary>Bad input always ends in a WavFormatException with a useful message, never an indexing or overflow error.</summary>
public class WavMalformedTests
{
    private static WavFormatException Fails(byte[] bytes) =>
        Assert.Throws<WavFormatException>(() => WavFile.Read(new MemoryStream(bytes)));

    private static readonly byte[] ValidFile = new WavBytes()
        .Chunk("fmt ", Fmt(1, 2, 8000, 16))
        .Chunk("LIST", new byte[9])
        .Chunk("data", Pcm16([1, 2, 3, 4, 5, 6, 7, 8]))
        .ToArray();

    [Fact]
    public void Empty_file() => Assert.Equal("empty file", Fails([]).Message);

    [Fact]
    public void Garbage() =>
        Assert.Equal("not a WAV file: missing RIFF header", Fails("ID3\u0004 this is an mp3"u8.ToArray()).Message);

    [Fact]
    public void Too_short_for_a_header() => Assert.Contains("only 6 bytes", Fails("RIFF\0\0"u8.ToArray()).Message);

    [Fact]
    public void Big_endian_RIFX() => Assert.Contains("RIFX", Fails(new WavBytes().Header("RIFX", "WAVE").ToArray()).Message);

    [Fact]
    public void Other_RIFF_form_types() =>
        Assert.Equal("not a WAV file: RIFF form type is 'AVI ', expected 'WAVE'", Fails(new WavBytes().Header("RIFF", "AVI ").ToArray()).Message);

    [Fact]
    public void Mp3_in_a_WAV_container() =>
        Assert.Equal("unsupported format tag 0x0055 (MP3)",
            Fails(new WavBytes().Chunk("fmt ", Fmt(0x55, 1, 8000, 0)).Chunk("data", new byte[10]).ToArray()).Message);

    [Fact]
    public void Ima_adpcm() =>
        Assert.Equal("unsupported format tag 0x0011 (IMA ADPCM)",
            Fails(new WavBytes().Chunk("fmt ", Fmt(0x11, 1, 8000, 4)).Chunk("data", new byte[10]).ToArray()).Message);

    [Fact]
    public void No_fmt_chunk() => Assert.Equal("no fmt chunk", Fails(new WavBytes().Chunk("data", new byte[10]).ToArray()).Message);

    [Fact]
    public void No_data_chunk() => Assert.Equal("no data chunk", Fails(new WavBytes().Chunk("fmt ", Fmt(1, 1, 8000, 16)).ToArray()).Message);

    [Fact]
    public void No_chunks_at_all() => Assert.Contains("no fmt chunk", Fails(new WavBytes().ToArray()).Message);

    [Fact]
    public void Zero_channels() =>
        Assert.Contains("invalid channel count 0", Fails(new WavBytes().Chunk("fmt ", Fmt(1, 0, 8000, 16)).Chunk("data", new byte[4]).ToArray()).Message);

    [Fact]
    public void Zero_sample_rate() =>
        Assert.Contains("invalid sample rate 0", Fails(new WavBytes().Chunk("fmt ", Fmt(1, 1, 0, 16)).Chunk("data", new byte[4]).ToArray()).Message);

    [Fact]
    public void Unsupported_bit_depth() =>
        Assert.Contains("12 bits", Fails(new WavBytes().Chunk("fmt ", Fmt(1, 1, 8000, 12)).Chunk("data", new byte[4]).ToArray()).Message);

    [Fact]
    public void Short_fmt_chunk() =>
        Assert.Contains("fmt chunk is 10 bytes", Fails(new WavBytes().Chunk("fmt ", new byte[10]).Chunk("data", new byte[4]).ToArray()).Message);

    [Fact]
    public void Extensible_with_a_foreign_sub_format()
    {
        byte[] fmt = FmtExtensible(1, 1, 8000, 16);
        fmt[30] ^= 0xFF; // corrupt the GUID tail
        Assert.Contains("sub-format", Fails(new WavBytes().Chunk("fmt ", fmt).Chunk("data", new byte[4]).ToArray()).Message);
    }

    [Fact]
    public void A_file_cut_inside_the_fmt_chunk_names_it() =>
        Assert.Contains("truncated fmt chunk", Fails(ValidFile[..30]).Message);

    [Fact]
    public void Every_truncation_either_reads_a_prefix_or_throws_WavFormatException()
    {
        for (int length = 0; length <= ValidFile.Length; length++)
        {
            byte[] prefix = ValidFile[..length];
            try
            {
                WavAudio audio = WavFile.Read(new MemoryStream(prefix));
                Assert.Equal(new short[] { 1, 2, 3, 4, 5, 6, 7, 8 }[..audio.Samples.Length], audio.Samples);
            }
            catch (WavFormatException)
            {
                // expected for headers cut short
            }
        }
    }

    [Fact]
    public void Random_corruption_never_escapes_as_another_exception_type()
    {
        var random = new Random(1234);
        for (int trial = 0; trial < 3000; trial++)
        {
            byte[] bytes = (byte[])ValidFile.Clone();
            int flips = random.Next(1, 6);
            for (int f = 0; f < flips; f++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }
            if (random.Next(4) == 0)
            {
                bytes = bytes[..random.Next(bytes.Length)];
            }
            try
            {
                WavFile.Read(new MemoryStream(bytes));
                WavFile.Read(new ForwardOnlyStream(bytes));
            }
            catch (WavFormatException)
            {
            }
        }
    }

    [Fact]
    public void Huge_declared_chunk_sizes_do_not_allocate_gigabytes()
    {
        // A data chunk claiming 2 GiB on a 60-byte forward-only stream reads what is there.
        byte[] bytes = new WavBytes()
            .Chunk("fmt ", Fmt(1, 1, 8000, 16))
            .Chunk("data", Pcm16([5, 6, 7]), declaredSize: 0x7FFFFFF0)
            .ToArray();
        Assert.Equal(new short[] { 5, 6, 7 }, WavFile.Read(new ForwardOnlyStream(bytes)).Samples);
        Assert.Equal(new short[] { 5, 6, 7 }, WavFile.Read(new MemoryStream(bytes)).Samples);
    }

    [Fact]
    public void Missing_files_raise_the_usual_IO_exception()
    {
        using var dir = new Support.TempDirectory();
        Assert.Throws<FileNotFoundException>(() => WavFile.Read(dir.File("missing.wav")));
    }
}
