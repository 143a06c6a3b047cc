using AudioFlow.Audio.Codecs;
using AudioFlow.Audio.Tests.Support;
using AudioFlow.Audio.Wav;

namespace AudioFlow.Audio.Tests.Wav;

/// <summary>Files written by sox and ffmpeg in every supported flavour read as the expected PCM16.</summary>
public class WavExternalFormatTests
{
    private static readonly short[] Source = MakeSource();

    private static short[] MakeSource()
    {
        short[] s = Signals.Mix(Signals.Sine(700, 8000, 8001, 20000), Signals.Noise(8001, 3000, seed: 11));
        s[0] = short.MaxValue;
        s[1] = short.MinValue;
        return s; // odd length: 8-bit / G.711 data chunks get a pad byte
    }

    private static WavAudio ConvertWithSox(TempDirectory dir, params string[] outputOptions)
    {
        WavFile.Write(dir.File("source.wav"), Source, 8000);
        ExternalTool.Sox([dir.File("source.wav"), .. outputOptions, dir.File("converted.wav")]);
        return WavFile.Read(dir.File("converted.wav"));
    }

    [SoxFact]
    public void Sox_float32_reads_back_exactly()
    {
        using var dir = new TempDirectory();
        WavAudio audio = ConvertWithSox(dir, "-e", "floating-point", "-b", "32");
        Assert.Equal(WavSampleEncoding.Float32, audio.SourceEncoding);
        Assert.Equal(Source, audio.Samples);
    }

    [SoxFact]
    public void Sox_float64_reads_back_exactly()
    {
        using var dir = new TempDirectory();
        WavAudio audio = ConvertWithSox(dir, "-e", "floating-point", "-b", "64");
        Assert.Equal(WavSampleEncoding.Float64, audio.SourceEncoding);
        Assert.Equal(Source, audio.Samples);
    }

    [SoxFact]
    public void Sox_24_bit_extensible_reads_back_exactly()
    {
        using var dir = new TempDirectory();
        WavAudio audio = ConvertWithSox(dir, "-b", "24"); // sox writes WAVE_FORMAT_EXTENSIBLE for > 16 bits
        Assert.Equal(WavSampleEncoding.Pcm24, audio.SourceEncoding);
        Assert.Equal(Source, audio.Samples);
    }

    [SoxFact]
    public void Sox_32_bit_extensible_reads_back_exactly()
    {
        using var dir = new TempDirectory();
        WavAudio audio = ConvertWithSox(dir, "-b", "32");
        Assert.Equal(WavSampleEncoding.Pcm32, audio.SourceEncoding);
        Assert.Equal(Source, audio.Samples);
    }

    [SoxFact]
    public void Sox_unsigned_8_bit_reads_within_one_8_bit_step()
    {
        using var dir = new TempDirectory();
        WavAudio audio = ConvertWithSox(dir, "-b", "8");
        Assert.Equal(WavSampleEncoding.Pcm8, audio.SourceEncoding);
        Assert.Equal(Source.Length, audio.Samples.Length);
        for (int i = 0; i < Source.Length; i++)
        {
            Assert.InRange(audio.Samples[i] - Source[i], -256, 256);
            Assert.Equal(0, audio.Samples[i] & 0xFF);
        }
    }

    [SoxFact]
    public void Sox_muLaw_reads_as_our_codec_would_decode_it()
    {
        using var dir = new TempDirectory();
        WavAudio audio = ConvertWithSox(dir, "-e", "u-law");
        Assert.Equal(WavSampleEncoding.MuLaw, audio.SourceEncoding);
        Assert.Equal(Source.Select(s => G711.MuLawDecode(G711.MuLawEncode(s))), audio.Samples);
    }

    [SoxFact]
    public void Sox_aLaw_reads_as_our_codec_would_decode_it()
    {
        using var dir = new TempDirectory();
        WavAudio audio = ConvertWithSox(dir, "-e", "a-law");
        Assert.Equal(WavSampleEncoding.ALaw, audio.SourceEncoding);
        Assert.Equal(Source.Select(s => G711.ALawDecode(G711.ALawEncode(s))), audio.Samples);
    }

    [SoxFact]
    public void Sox_three_channel_extensible_keeps_interleaving()
    {
        using var dir = new TempDirectory();
        WavAudio audio = ConvertWithSox(dir, "-c", "3"); // copies the mono signal to 3 channels
        Assert.Equal(3, audio.Channels);
        Assert.Equal(Source, audio.ToMono());
        Assert.Equal(Source, audio.Samples.Where((_, i) => i % 3 == 2));
    }

    [FfmpegFact]
    public void Ffmpeg_output_with_a_LIST_chunk_before_data_reads_exactly()
    {
        using var dir = new TempDirectory();
        WavFile.Write(dir.File("source.wav"), Source, 8000);
        ExternalTool.Run("ffmpeg", "-loglevel", "error", "-y", "-i", dir.File("source.wav"), dir.File("ffmpeg.wav"));
        Assert.Equal(Source, WavFile.Read(dir.File("ffmpeg.wav")).Samples);
    }

    [FfmpegFact]
    public void Ffmpeg_RF64_reads_exactly()
    {
        using var dir = new TempDirectory();
        WavFile.Write(dir.File("source.wav"), Source, 8000);
        ExternalTool.Run("ffmpeg", "-loglevel", "error", "-y", "-i", dir.File("source.wav"), "-rf64", "always", dir.File("rf64.wav"));
        Assert.Equal("RF64"u8.ToArray(), File.ReadAllBytes(dir.File("rf64.wav"))[..4]);
        Assert.Equal(Source, WavFile.Read(dir.File("rf64.wav")).Samples);
    }

    [FfmpegFact]
    public void Ffmpeg_streamed_to_a_pipe_leaves_0xFFFFFFFF_sizes_and_still_reads()
    {
        using var dir = new TempDirectory();
        WavFile.Write(dir.File("source.wav"), Source, 8000);
        // Written to stdout ffmpeg cannot seek back to patch the sizes (mirrors a live recorder that was killed).
        byte[] bytes = ExternalTool.RunBinary("ffmpeg", "-loglevel", "error", "-i", dir.File("source.wav"), "-f", "wav", "-");
        File.WriteAllBytes(dir.File("piped.wav"), bytes);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, bytes[4..8]);
        Assert.Equal(Source, WavFile.Read(dir.File("piped.wav")).Samples);
        Assert.Equal(Source, WavFile.Read(new ForwardOnlyStream(bytes)).Samples);
    }
}
