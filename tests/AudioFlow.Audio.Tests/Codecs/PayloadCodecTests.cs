using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;
using AudioFlow.Audio.Codecs.G722;

namespace AudioFlow.Audio.Tests.Codecs;

public sealed class PayloadCodecTests
{
    [Theory]
    [InlineData(AudioEncoding.Pcmu, 8000, 160)]
    [InlineData(AudioEncoding.Pcma, 8000, 160)]
    [InlineData(AudioEncoding.L16, 8000, 320)]
    [InlineData(AudioEncoding.L16, 16000, 640)]
    [InlineData(AudioEncoding.G722, 16000, 160)]
    public void A_20_ms_frame_has_the_wire_size_of_its_format_and_survives_a_round_trip(AudioEncoding encoding, int rate, int bytes)
    {
        var format = new MediaFormat(encoding, rate);
        var encoder = PayloadCodec.For(format);
        var decoder = PayloadCodec.For(format);
        var samples = FrameDuration.Samples(rate);
        Assert.Equal(bytes, encoder.BytesFor(samples));
        Assert.Equal(bytes, format.BytesPerFrame);

        // A 400 Hz tone over several frames (G.722 needs a few frames to adapt).
        var tone = Enumerable.Range(0, samples * 10).Select(i => (short)(8000 * Math.Sin(2 * Math.PI * 400 * i / rate))).ToArray();
        var decoded = new List<short>();
        for (var f = 0; f < 10; f++)
        {
            var payload = new byte[bytes];
            Assert.Equal(bytes, encoder.Encode(tone.AsSpan(f * samples, samples), payload));
            var pcm = new short[decoder.SamplesIn(bytes)];
            Assert.Equal(samples, decoder.Decode(payload, pcm));
            decoded.AddRange(pcm);
        }

        var delay = encoding == AudioEncoding.G722 ? G722Format.CodecDelaySamples : 0;
        var error = 0.0;
        var signal = 0.0;
        for (var i = samples * 5; i < tone.Length - delay; i++)
        {
            error += Math.Pow(decoded[i + delay] - tone[i], 2);
            signal += Math.Pow(tone[i], 2);
        }

        Assert.True(10 * Math.Log10(signal / error) > 20, $"{encoding}: SNR {10 * Math.Log10(signal / error):F1} dB");
    }

    [Fact]
    public void Every_instance_is_fresh_so_two_g722_streams_do_not_share_state()
    {
        var format = new MediaFormat(AudioEncoding.G722, 16000);
        var frame = Enumerable.Range(0, 320).Select(i => (short)(6000 * Math.Sin(i / 5.0))).ToArray();
        var first = new byte[160];
        var second = new byte[160];
        var used = PayloadCodec.For(format);
        used.Encode(frame, new byte[160]);
        used.Encode(frame, first);
        PayloadCodec.For(format).Encode(frame, second);
        Assert.NotEqual(first, second); // the used encoder has adapted; a new one starts from its initial state
    }
}
