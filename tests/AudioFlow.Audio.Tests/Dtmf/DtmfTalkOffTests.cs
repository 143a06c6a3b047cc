using AudioFlow.Audio.Codecs;
using AudioFlow.Audio.Dtmf;
using AudioFlow.Audio.Resampling;
using AudioFlow.Audio.Tests.Support;
using AudioFlow.Audio.Wav;
using static AudioFlow.Audio.Tests.Dtmf.DtmfTestKit;

namespace AudioFlow.Audio.Tests.Dtmf;

/// <summary>No false detections ("talk-off") on speech, single tones, or other call-progress tones.</summary>
public class DtmfTalkOffTests
{
    [Theory]
    [InlineData(697)]
    [InlineData(941)]
    [InlineData(1209)]
    [InlineData(1633)]
    [InlineData(1000)]
    public void A_single_tone_is_not_a_digit(double frequency)
    {
        short[] tone = Signals.Sine(frequency, 8000, 8000, 15000);
        Assert.Equal("", Digits(tone, 8000));
    }

    [Theory]
    [InlineData(350, 440)]   // North American dial tone
    [InlineData(440, 480)]   // ringback
    [InlineData(480, 620)]   // busy
    [InlineData(697, 770)]   // two row tones: not a valid pair
    [InlineData(1209, 1336)] // two column tones
    public void Other_dual_tones_are_not_digits(double f1, double f2)
    {
        Assert.Equal("", Digits(DualTone(f1, f2, 8000, 1000, -10, -10), 8000));
    }

    [Fact]
    public void A_tone_plus_a_third_strong_tone_of_the_same_group_is_rejected()
    {
        short[] three = Signals.Mix(DualTone(697, 1209, 8000, 200, -12, -12), Signals.Sine(770, 8000, 1600, 8000));
        Assert.Equal("", Digits(three, 8000));
    }

    [SharedAudioFact("jfk.wav")]
    public void Speech_at_16_kHz_8_kHz_and_through_muLaw_triggers_nothing()
    {
        short[] speech16k = WavFile.Read(TestFiles.SharedAudio("jfk.wav")!).ToMono();
        Assert.Equal("", Digits(speech16k, 16000));

        var resampler = Resampler.Create(16000, 8000);
        var speech8k = new short[resampler.MaxOutputSamples(speech16k.Length)];
        speech8k = speech8k[..resampler.Process(speech16k, speech8k)];
        Assert.Equal("", Digits(speech8k, 8000));

        var codes = new byte[speech8k.Length];
        G711.MuLawEncode(speech8k, codes);
        G711.MuLawDecode(codes, speech8k);
        Assert.Equal("", Digits(speech8k, 8000));
    }

    [SharedAudioFact("aepyx_8k.wav")]
    public void Three_minutes_of_telephone_speech_trigger_nothing() => AssertNoDigits("aepyx_8k.wav");

    [SharedAudioFact("silero_test_16k.wav")]
    public void A_minute_of_wideband_speech_triggers_nothing() => AssertNoDigits("silero_test_16k.wav");

    private static void AssertNoDigits(string file)
    {
        WavAudio audio = WavFile.Read(TestFiles.SharedAudio(file)!);
        List<DtmfDigit> hits = DetectInFrames(audio.ToMono(), audio.SampleRate);
        Assert.True(hits.Count == 0, $"false digits: {string.Join(", ", hits.Select(h => $"{h.Digit}@{h.StartSample / (double)audio.SampleRate:F2}s"))}");
    }

    [SharedAudioFact("jfk.wav")]
    public void Digits_mixed_into_speech_are_still_found()
    {
        short[] speech = WavFile.Read(TestFiles.SharedAudio("jfk.wav")!).ToMono();
        short[] tones = Concat(Silence(16000, 1000), DtmfToneGenerator.Generate("2580", 16000, 120, 200));
        // Speech at its recorded level under tones at -10 dBFS each: typical of a caller talking while pressing keys.
        short[] mixed = Signals.Mix(speech[..tones.Length].Select(s => (short)(s / 4)).ToArray(), tones);
        Assert.Equal("2580", Digits(mixed, 16000));
    }
}
