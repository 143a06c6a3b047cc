using AudioFlow.Audio.Codecs;
using AudioFlow.Audio.Dtmf;
using AudioFlow.Audio.Tests.Support;
using static AudioFlow.Audio.Tests.Dtmf.DtmfTestKit;

namespace AudioFlow.Audio.Tests.Dtmf;

/// <summary>Real lines: G.711 coding, noise, level and twist variation, frequency error.</summary>
public class DtmfRobustnessTests
{
    [Fact]
    public void Digits_survive_a_muLaw_round_trip()
    {
        short[] signal = DtmfToneGenerator.Generate(AllDigits, 8000, levelDbfs: -20);
        var codes = new byte[signal.Length];
        G711.MuLawEncode(signal, codes);
        G711.MuLawDecode(codes, signal);
        Assert.Equal(AllDigits, Digits(signal, 8000));
    }

    [Fact]
    public void Digits_survive_an_aLaw_round_trip()
    {
        short[] signal = DtmfToneGenerator.Generate(AllDigits, 8000, levelDbfs: -20);
        var codes = new byte[signal.Length];
        G711.ALawEncode(signal, codes);
        G711.ALawDecode(codes, signal);
        Assert.Equal(AllDigits, Digits(signal, 8000));
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    public void Digits_are_detected_in_white_noise_at_15_dB_SNR(int rate)
    {
        // Each tone at -10 dBFS peak: combined power 2·(10362²/2) ≈ 1.07e8; noise RMS 1850 → power 3.4e6 → SNR 15 dB.
        short[] tones = DtmfToneGenerator.Generate(AllDigits, rate);
        for (int seed = 1; seed <= 3; seed++)
        {
            short[] noisy = Signals.Mix(tones, Signals.Noise(tones.Length, 1850, seed));
            Assert.Equal(AllDigits, Digits(noisy, rate));
        }
    }

    [Fact]
    public void Noise_alone_never_triggers()
    {
        foreach (double rms in new[] { 100.0, 1000, 5000, 15000 })
        {
            Assert.Equal("", Digits(Signals.Noise(8000 * 10, rms, seed: (int)rms), 8000));
        }
    }

    [Fact]
    public void Weak_tones_down_to_minus_30_dBFS_are_detected_and_below_the_threshold_ignored()
    {
        Assert.Equal(AllDigits, Digits(DtmfToneGenerator.Generate(AllDigits, 8000, levelDbfs: -30), 8000));
        Assert.Equal("", Digits(DtmfToneGenerator.Generate(AllDigits, 8000, levelDbfs: -42), 8000));
    }

    [Theory]
    [InlineData(-6, 0, true)]    // low tone 6 dB louder: accepted (line loss at high frequencies)
    [InlineData(0, -6, true)]    // high tone 6 dB louder than low... (low 6 dB weaker)
    [InlineData(-14, 0, false)]  // 14 dB twist: rejected
    [InlineData(0, -14, false)]
    public void Twist_limits_are_applied(double lowOffsetDb, double highOffsetDb, bool accepted)
    {
        short[] signal = Concat(DualTone(852, 1477, 8000, 100, -14 + lowOffsetDb, -14 + highOffsetDb), Silence(8000, 100));
        Assert.Equal(accepted ? "9" : "", Digits(signal, 8000));
    }

    [Theory]
    [InlineData(1.015)]
    [InlineData(0.985)]
    public void Frequencies_off_by_1_5_percent_are_accepted(double factor)
    {
        foreach (char digit in AllDigits)
        {
            (int low, int high) = DtmfTones.Frequencies(digit);
            short[] signal = Concat(DualTone(low * factor, high * factor, 8000, 80, -12, -12), Silence(8000, 60));
            Assert.Equal(digit.ToString(), Digits(signal, 8000));
        }
    }

    [Fact]
    public void Digits_survive_resampling_from_8_to_16_kHz()
    {
        short[] at8k = DtmfToneGenerator.Generate(AllDigits, 8000);
        var resampler = AudioFlow.Audio.Resampling.Resampler.Create(8000, 16000);
        var at16k = new short[resampler.MaxOutputSamples(at8k.Length)];
        resampler.Process(at8k, at16k);
        Assert.Equal(AllDigits, Digits(at16k, 16000));
    }
}
