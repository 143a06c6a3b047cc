using AudioFlow.Audio.Dtmf;
using AudioFlow.Audio.Tests.Support;

namespace AudioFlow.Audio.Tests.Dtmf;

public class DtmfToneGeneratorTests
{
    [Fact]
    public void Each_digit_contains_exactly_its_two_frequencies_at_the_requested_level()
    {
        foreach (char digit in DtmfTestKit.AllDigits)
        {
            var tone = new short[8000];
            DtmfToneGenerator.WriteTone(digit, tone, 8000, levelDbfs: -10);
            (int low, int high) = DtmfTones.Frequencies(digit);
            double expected = 32767 * Math.Pow(10, -10 / 20.0);
            Assert.Equal(expected, Signals.Amplitude(tone, low, 8000), expected * 0.01);
            Assert.Equal(expected, Signals.Amplitude(tone, high, 8000), expected * 0.01);
            foreach (int other in DtmfTones.RowFrequencies.ToArray().Concat(DtmfTones.ColumnFrequencies.ToArray()).Except([low, high]))
            {
                Assert.True(Signals.Amplitude(tone, other, 8000) < expected / 1000, $"{digit}: energy at {other} Hz");
            }
        }
    }

    [Fact]
    public void Sequence_has_the_requested_timing()
    {
        short[] s = DtmfToneGenerator.Generate("19", 16000, toneMilliseconds: 50, gapMilliseconds: 30);
        Assert.Equal(2 * (800 + 480), s.Length);
        Assert.Contains(s[..800], v => v != 0);
        Assert.All(s[800..1280], v => Assert.Equal(0, v));
        Assert.Contains(s[1280..2080], v => v != 0);
    }

    [Fact]
    public void Reading_in_frames_equals_generating_at_once()
    {
        short[] whole = DtmfToneGenerator.Generate("*0#", 8000);
        var generator = new DtmfToneGenerator("*0#", 8000);
        var frames = new List<short>();
        var frame = new short[160];
        while (!generator.IsFinished)
        {
            int n = generator.Read(frame);
            frames.AddRange(frame[..n]);
        }
        Assert.Equal(whole, frames);
        Assert.Equal(0, generator.Read(frame));
    }

    [Fact]
    public void Invalid_input_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => DtmfToneGenerator.Generate("12x", 8000));
        Assert.Throws<ArgumentOutOfRangeException>(() => DtmfToneGenerator.Generate("1", 8000, levelDbfs: 0)); // would clip
        Assert.Throws<ArgumentException>(() => DtmfTones.Frequencies('E'));
        Assert.Equal((941, 1633), DtmfTones.Frequencies('d'));
    }
}
