using AudioFlow.Audio.Tests.Support;
using static AudioFlow.Audio.Tests.Codecs.G722.G722TestSupport;

namespace AudioFlow.Audio.Tests.Codecs.G722;

/// <summary>
/// Live comparison with ffmpeg's native G.722 encoder and decoder (skipped without ffmpeg): our encoder must produce
/// ffmpeg's bytes, and our decoder ffmpeg's samples, bit for bit.
/// </summary>
public class G722FfmpegTests
{
    [FfmpegAndSharedAudioFact("jfk.wav")]
    public void Speech_jfk_is_bit_exact_with_ffmpeg_both_ways() => AssertBitExactBothWays(ReadSharedWav("jfk.wav"));

    [FfmpegFact]
    public void Synthetic_speech_like_signal_is_bit_exact_with_ffmpeg_both_ways() =>
        AssertBitExactBothWays(SpeechLike(48000, seed: 7));

    [FfmpegFact]
    public void Full_band_chirp_is_bit_exact_with_ffmpeg_both_ways() =>
        AssertBitExactBothWays(Chirp(20, 7990, 32000, amplitude: 29000));

    [FfmpegFact]
    public void Tones_noise_and_silence_are_bit_exact_with_ffmpeg_both_ways() =>
        AssertBitExactBothWays(
        [
            .. new short[4000],                                   // silence from reset
            .. Signals.Sine(1000, 16000, 8000, 12000),
            .. Signals.Sine(6000, 16000, 8000, 8000),
            .. Signals.Noise(8000, 6000, seed: 3),                // white noise, peaks near full scale
            .. Signals.Mix(Signals.Sine(300, 16000, 8000, 3000), Signals.Sine(3400, 16000, 8000, 3000)),
            .. new short[4000],                                   // silence after loud audio
            .. Signals.Sine(440, 16000, 8000, 30),                // very quiet
        ]);

    [FfmpegFact]
    public void Decoding_arbitrary_octets_matches_ffmpeg()
    {
        var random = new Random(22);
        var bytes = new byte[16000];
        random.NextBytes(bytes);
        // Runs of one code push the scale factors and predictors to their limits.
        foreach (byte code in new byte[] { 0x00, 0x3F, 0xC0, 0xFF, 0x7C, 0x84 })
        {
            bytes = [.. bytes, .. Enumerable.Repeat(code, 2000)];
        }
        AssertIdentical(FfmpegDecode(bytes), Decode(bytes), "decoded octets");
    }

    [FfmpegFact]
    public void Overdriven_input_matches_ffmpeg_only_without_the_subband_limit()
    {
        // A 3x overdriven (clipped) 7 kHz tone and a full-scale square wave push the QMF outputs past 15 bits:
        // ffmpeg does not apply the Recommendation's LIMIT there, so only the compatible mode matches its bytes.
        short[] overdriven = Enumerable.Range(0, 8000)
            .Select(n => (short)Math.Clamp(Math.Round(3 * 32767 * Math.Sin(2 * Math.PI * 7000 * n / 16000.0)), short.MinValue, short.MaxValue))
            .Concat(Enumerable.Range(0, 8000).Select(n => (short)((n / 20) % 2 == 0 ? 32767 : -32768)))
            .ToArray();
        byte[] ffmpeg = FfmpegEncode(overdriven);
        AssertIdentical(ffmpeg, Encode(overdriven, limitSubbands: false), "overdriven input, FFmpeg-compatible mode");
        Assert.NotNull(FirstDifference(ffmpeg, Encode(overdriven)));
        AssertIdentical(FfmpegDecode(ffmpeg), Decode(ffmpeg), "decoded overdriven input");
    }

    private static void AssertBitExactBothWays(short[] pcm)
    {
        byte[] ffmpegBytes = FfmpegEncode(pcm);
        AssertIdentical(ffmpegBytes, Encode(pcm), "our encoding vs ffmpeg's");
        AssertIdentical(FfmpegDecode(ffmpegBytes), Decode(ffmpegBytes), "our decoding of ffmpeg's bitstream vs ffmpeg's");
    }
}
