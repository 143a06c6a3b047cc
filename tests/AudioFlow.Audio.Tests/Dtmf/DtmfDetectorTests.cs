using AudioFlow.Audio.Dtmf;
using static AudioFlow.Audio.Tests.Dtmf.DtmfTestKit;

namespace AudioFlow.Audio.Tests.Dtmf;

/// <summary>Detection of clean tones, timing rules (40 ms tone / 40 ms pause), one report per press.</summary>
public class DtmfDetectorTests
{
    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    public void All_16_digits_are_detected_once_each(int rate)
    {
        short[] signal = DtmfToneGenerator.Generate(AllDigits, rate);
        Assert.Equal(AllDigits, Digits(signal, rate));
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    public void Frame_size_does_not_matter(int rate)
    {
        short[] signal = DtmfToneGenerator.Generate("5#9", rate);
        Assert.Equal("5#9", DtmfDetector.DetectDigits(signal, rate));
        var detector = new DtmfDetector(rate);
        foreach (short s in signal)
        {
            detector.Process([s]);
        }
        var digits = new List<char>();
        while (detector.TryReadDigit(out DtmfDigit d))
        {
            digits.Add(d.Digit);
        }
        Assert.Equal("5#9", new string(digits.ToArray()));
    }

    [Fact]
    public void Press_start_is_reported_within_one_block_of_the_tone_onset()
    {
        short[] signal = Concat(Silence(8000, 333), DtmfToneGenerator.Generate("7", 8000));
        DtmfDigit digit = Assert.Single(DetectInFrames(signal, 8000));
        Assert.Equal('7', digit.Digit);
        // The first block counted is one the tone covers (almost) entirely.
        Assert.InRange(digit.StartSample, 2664 - 102 / 5, 2664 + 102);
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    public void Minimum_length_tones_and_pauses_of_40_ms_are_detected_at_any_alignment(int rate)
    {
        for (int offset = 0; offset < 102 * rate / 8000; offset += 7)
        {
            short[] signal = Concat(new short[offset], DtmfToneGenerator.Generate("1234567890", rate, toneMilliseconds: 40, gapMilliseconds: 40));
            Assert.Equal("1234567890", Digits(signal, rate));
        }
    }

    [Fact]
    public void Tones_shorter_than_20_ms_are_ignored_at_any_alignment()
    {
        for (int offset = 0; offset < 102; offset += 3)
        {
            short[] signal = Concat(new short[offset], DtmfToneGenerator.Generate(AllDigits, 8000, toneMilliseconds: 19, gapMilliseconds: 60));
            Assert.Equal("", Digits(signal, 8000));
        }
    }

    [Fact]
    public void A_long_press_is_reported_once_even_with_a_10_ms_dropout()
    {
        short[] tone = DtmfToneGenerator.Generate("8", 8000, toneMilliseconds: 1500, gapMilliseconds: 0);
        Assert.Equal("8", Digits(tone, 8000));
        for (int at = 4000; at < 4102; at += 7)
        {
            short[] withDropout = (short[])tone.Clone();
            Array.Clear(withDropout, at, 80); // 10 ms of packet loss
            Assert.Equal("8", Digits(withDropout, 8000));
        }
    }

    [Fact]
    public void Repeated_digits_separated_by_pauses_are_each_reported()
    {
        short[] signal = DtmfToneGenerator.Generate("1111", 8000, toneMilliseconds: 60, gapMilliseconds: 50);
        Assert.Equal("1111", Digits(signal, 8000));
    }

    [Fact]
    public void CurrentDigit_follows_the_key()
    {
        var detector = new DtmfDetector(8000);
        detector.Process(DtmfToneGenerator.Generate("4", 8000, 100, 0));
        Assert.Equal('4', detector.CurrentDigit);
        detector.Process(new short[800]);
        Assert.Null(detector.CurrentDigit);
        Assert.True(detector.TryReadDigit(out DtmfDigit d));
        Assert.Equal('4', d.Digit);
        Assert.False(detector.TryReadDigit(out _));
    }

    [Fact]
    public void Reset_clears_state_and_queue()
    {
        var detector = new DtmfDetector(8000);
        detector.Process(DtmfToneGenerator.Generate("4", 8000, 100, 0));
        detector.Reset();
        Assert.Null(detector.CurrentDigit);
        Assert.False(detector.TryReadDigit(out _));
        detector.Process(DtmfToneGenerator.Generate("6", 8000));
        Assert.True(detector.TryReadDigit(out DtmfDigit d));
        Assert.Equal(new DtmfDigit('6', 0), d);
    }

    [Theory]
    [InlineData(7999)]
    [InlineData(96000)]
    public void Unsupported_rates_are_rejected(int rate) => Assert.Throws<ArgumentOutOfRangeException>(() => new DtmfDetector(rate));

    [Fact]
    public void Block_is_12_75_ms()
    {
        Assert.Equal(102, new DtmfDetector(8000).BlockSize);
        Assert.Equal(204, new DtmfDetector(16000).BlockSize);
    }
}
