using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;
using AudioFlow.Audio.Tests.Support;

namespace AudioFlow.Audio.Tests.Codecs;

public sealed class PayloadTranscoderTests
{
    [Fact]
    public void Mu_law_to_a_law_is_the_a_law_code_of_each_mu_law_sample()
    {
        var transcoder = new PayloadTranscoder(MediaFormat.Pcmu8k, MediaFormat.Pcma8k);
        for (var start = 0; start < 256; start += 160)
        {
            var frame = Enumerable.Range(start, 160).Select(i => (byte)(i % 256)).ToArray();
            var output = transcoder.Convert(frame);
            Assert.Equal(160, output.Length);
            Assert.Equal(frame.Select(b => G711.ALawEncode(G711.MuLawDecode(b))), output);
        }
    }

    [Theory]
    [InlineData("g722", "pcmu")]
    [InlineData("pcmu", "g722")]
    [InlineData("g722", "pcma")]
    public void A_tone_keeps_its_frequency_and_level_across_8_and_16_khz_codecs(string from, string to)
    {
        var source = Format(from);
        var target = Format(to);
        var tone = Signals.Sine(1000, source.SampleRate, source.SampleRate, amplitude: 8000); // one second
        var encoder = PayloadCodec.For(source);
        var transcoder = new PayloadTranscoder(source, target);
        var decoder = PayloadCodec.For(target);
        var perFrame = FrameDuration.Samples(source.SampleRate);
        var heard = new List<short>();
        for (var offset = 0; offset + perFrame <= tone.Length; offset += perFrame)
        {
            var payload = new byte[encoder.BytesFor(perFrame)];
            encoder.Encode(tone.AsSpan(offset, perFrame), payload);
            var converted = transcoder.Convert(payload);
            Assert.Equal(target.BytesPerFrame, converted.Length); // one 20 ms frame in, one out
            var pcm = new short[decoder.SamplesIn(converted.Length)];
            decoder.Decode(converted, pcm);
            heard.AddRange(pcm);
        }

        Assert.Equal(target.SampleRate, heard.Count);
        var steady = heard.ToArray().AsSpan(target.SampleRate / 5); // past the codecs' and the resampler's start-up
        var level = Signals.Amplitude(steady, 1000, target.SampleRate);
        Assert.InRange(Signals.Db(level / 8000), -1.5, 1.0);
        Assert.True(Signals.Amplitude(steady, 3000, target.SampleRate) < level / 100, "no strong component elsewhere");
    }

    private static MediaFormat Format(string name) => name switch
    {
        "pcmu" => MediaFormat.Pcmu8k,
        "pcma" => MediaFormat.Pcma8k,
        _ => new MediaFormat(AudioEncoding.G722, 16000),
    };
}
