using AudioFlow.Audio.Codecs.G722;
using AudioFlow.Audio.Tests.Support;
using static AudioFlow.Audio.Tests.Codecs.G722.G722TestSupport;

namespace AudioFlow.Audio.Tests.Codecs.G722;

/// <summary>G.722 properties that hold whatever the reference: quality, bandwidth, delay, framing, state, API contracts.</summary>
public class G722Tests
{
    [Fact]
    public void Rtp_constants_follow_rfc_3551()
    {
        Assert.Equal(8000, G722Format.RtpClockRate);
        Assert.Equal(16000, G722Format.SampleRate);
        Assert.Equal(9, G722Format.RtpPayloadType);
        Assert.Equal(G722Format.SamplesPer20Ms / 2, G722Format.BytesPer20Ms);
        Assert.Equal(G722Format.BitRate / 8 / 50, G722Format.BytesPer20Ms);
    }

    [Fact]
    public void One_20ms_frame_is_320_samples_in_160_bytes_and_back()
    {
        var encoder = new G722Encoder();
        var decoder = new G722Decoder();
        short[] pcm = Signals.Sine(1000, 16000, G722Format.SamplesPer20Ms, 8000);
        var payload = new byte[G722Format.BytesPer20Ms];
        Assert.Equal(160, encoder.Encode(pcm, payload));
        var decoded = new short[G722Format.SamplesPer20Ms];
        Assert.Equal(320, decoder.Decode(payload, decoded));
    }

    [Theory]
    [InlineData(300, 10000)]
    [InlineData(1000, 12000)]
    [InlineData(3000, 8000)]
    [InlineData(1000, 300)]
    public void Tone_round_trip_snr_is_high_after_the_codec_delay(double frequency, double amplitude)
    {
        // A tone is periodic, so its best-fitting lag is ambiguous: measure at the codec's delay.
        short[] tone = Signals.Sine(frequency, 16000, 16000, amplitude);
        double snr = Snr(tone, Decode(Encode(tone)), G722Format.CodecDelaySamples);
        Assert.True(snr > 20, $"SNR {snr:F1} dB at {frequency} Hz, amplitude {amplitude}");
    }

    [Fact]
    public void Speech_like_round_trip_snr_is_reasonable()
    {
        short[] speech = SpeechLike(32000, seed: 1);
        (int lag, double snr) = AlignedSnr(speech, Decode(Encode(speech)));
        Assert.Equal(G722Format.CodecDelaySamples, lag);
        Assert.True(snr > 15, $"SNR {snr:F1} dB");
    }

    [SharedAudioFact("jfk.wav")]
    public void Real_speech_round_trip_snr_is_reasonable()
    {
        short[] speech = ReadSharedWav("jfk.wav");
        (int lag, double snr) = AlignedSnr(speech, Decode(Encode(speech)));
        Assert.Equal(G722Format.CodecDelaySamples, lag);
        Assert.True(snr > 30, $"SNR {snr:F1} dB");
    }

    [Theory]
    [InlineData(5000)]
    [InlineData(6000)]
    [InlineData(6800)]
    public void High_tones_survive_so_the_codec_is_wideband(double frequency)
    {
        // A narrowband (8 kHz) path would remove anything above 4 kHz; G.722 passes up to about 7 kHz.
        short[] tone = Signals.Sine(frequency, 16000, 16000, 8000);
        short[] decoded = Decode(Encode(tone));
        double input = Signals.Amplitude(tone.AsSpan(4000, 8000), frequency, 16000);
        double output = Signals.Amplitude(decoded.AsSpan(4000 + G722Format.CodecDelaySamples, 8000), frequency, 16000);
        double gainDb = Signals.Db(output / input);
        Assert.InRange(gainDb, -3, 1);
    }

    [Fact]
    public void Silence_stays_near_silent()
    {
        short[] decoded = Decode(Encode(new short[16000]));
        Assert.All(decoded, s => Assert.InRange(s, (short)-8, (short)8));
    }

    [Theory]
    [InlineData(320)]   // 20 ms
    [InlineData(160)]   // 10 ms
    [InlineData(2)]
    [InlineData(1)]     // odd: every other call holds a sample back
    [InlineData(333)]
    public void Chunked_encoding_equals_one_shot(int chunk)
    {
        short[] speech = SpeechLike(16000, seed: 2);
        byte[] oneShot = Encode(speech);

        var encoder = new G722Encoder();
        var chunked = new byte[oneShot.Length];
        int written = 0;
        for (int i = 0; i < speech.Length; i += chunk)
        {
            ReadOnlySpan<short> part = speech.AsSpan(i, Math.Min(chunk, speech.Length - i));
            written += encoder.Encode(part, chunked.AsSpan(written));
        }
        Assert.Equal(oneShot.Length, written);
        Assert.False(encoder.HasPendingSample);
        AssertIdentical(oneShot, chunked, $"chunks of {chunk}");
    }

    [Fact]
    public void Chunks_of_random_lengths_encode_and_decode_like_one_shot()
    {
        short[] speech = SpeechLike(24000, seed: 3);
        byte[] oneShot = Encode(speech);
        short[] decodedOneShot = Decode(oneShot);
        var random = new Random(5);

        var encoder = new G722Encoder();
        var bytes = new byte[oneShot.Length];
        int written = 0;
        for (int i = 0; i < speech.Length;)
        {
            int n = Math.Min(random.Next(0, 400), speech.Length - i);
            written += encoder.Encode(speech.AsSpan(i, n), bytes.AsSpan(written));
            i += n;
        }
        AssertIdentical(oneShot, bytes, "random encode chunks");

        var decoder = new G722Decoder();
        var pcm = new short[decodedOneShot.Length];
        int samples = 0;
        for (int i = 0; i < bytes.Length;)
        {
            int n = Math.Min(random.Next(0, 200), bytes.Length - i);
            samples += decoder.Decode(bytes.AsSpan(i, n), pcm.AsSpan(samples));
            i += n;
        }
        AssertIdentical(decodedOneShot, pcm, "random decode chunks");
    }

    [Fact]
    public void Reset_restores_the_initial_state()
    {
        short[] first = SpeechLike(8000, seed: 4);
        short[] second = Signals.Sine(700, 16000, 8000, 9000);

        var encoder = new G722Encoder();
        var scratch = new byte[4000];
        encoder.Encode(first, scratch);
        encoder.Encode(new short[1], scratch);   // leaves a held-back sample, which Reset must drop too
        Assert.True(encoder.HasPendingSample);
        encoder.Reset();
        Assert.False(encoder.HasPendingSample);
        var afterReset = new byte[4000];
        Assert.Equal(4000, encoder.Encode(second, afterReset));
        byte[] fresh = Encode(second);
        AssertIdentical(fresh, afterReset, "encoder after Reset");

        var decoder = new G722Decoder();
        var pcm = new short[8000];
        decoder.Decode(Encode(first), pcm);
        decoder.Reset();
        decoder.Decode(fresh, pcm);
        AssertIdentical(Decode(fresh), pcm, "decoder after Reset");
    }

    [Fact]
    public void Encoders_and_decoders_are_independent_per_call()
    {
        short[] a = SpeechLike(8000, seed: 5), b = SpeechLike(8000, seed: 6);
        var encoderA = new G722Encoder();
        var encoderB = new G722Encoder();
        var bytesA = new byte[4000];
        var bytesB = new byte[4000];
        for (int i = 0; i < 8000; i += 320) // interleaved frames of two calls
        {
            encoderA.Encode(a.AsSpan(i, 320), bytesA.AsSpan(i / 2));
            encoderB.Encode(b.AsSpan(i, 320), bytesB.AsSpan(i / 2));
        }
        AssertIdentical(Encode(a), bytesA, "call A");
        AssertIdentical(Encode(b), bytesB, "call B");
    }

    [Fact]
    public void Odd_sample_is_held_back_until_its_pair_arrives()
    {
        var encoder = new G722Encoder();
        var output = new byte[4];
        Assert.Equal(1, encoder.BytesFor(3));
        Assert.Equal(1, encoder.Encode([100, 200, 300], output));
        Assert.True(encoder.HasPendingSample);
        Assert.Equal(1, encoder.BytesFor(1));
        Assert.Equal(0, encoder.Encode([], output));
        Assert.Equal(1, encoder.Encode([400], output.AsSpan(1)));
        Assert.False(encoder.HasPendingSample);
        AssertIdentical(Encode([100, 200, 300, 400]), output[..2], "paired across calls");
    }

    [Fact]
    public void Too_small_destinations_throw_and_larger_are_left_alone_beyond_the_count()
    {
        var encoder = new G722Encoder();
        Assert.Throws<ArgumentException>(() => encoder.Encode(new short[320], new byte[159]));
        var big = new byte[200];
        Assert.Equal(160, encoder.Encode(new short[320], big));
        Assert.All(big[160..], b => Assert.Equal(0, b));

        var decoder = new G722Decoder();
        Assert.Throws<ArgumentException>(() => decoder.Decode(new byte[160], new short[319]));
        var pcm = Enumerable.Repeat((short)1234, 400).ToArray();
        Assert.Equal(320, decoder.Decode(new byte[160], pcm));
        Assert.All(pcm[320..], s => Assert.Equal(1234, s));
        Assert.Equal(0, decoder.Decode([], []));
    }

    [Fact]
    public void Decoder_rejects_unknown_modes()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new G722Decoder((G722BitRate)0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new G722Decoder((G722BitRate)64000));
        Assert.Equal(G722BitRate.Rate64000, new G722Decoder().BitRate);
    }

    [Theory]
    [InlineData(G722BitRate.Rate56000, 0x01)]
    [InlineData(G722BitRate.Rate48000, 0x03)]
    public void Lower_rate_modes_ignore_the_auxiliary_data_bits(G722BitRate mode, int auxiliaryMask)
    {
        short[] speech = SpeechLike(16000, seed: 8);
        byte[] bytes = Encode(speech);
        var random = new Random(9);
        byte[] withData = bytes.Select(b => (byte)((b & ~auxiliaryMask) | (random.Next() & auxiliaryMask))).ToArray();
        short[] decoded = Decode(bytes, mode);
        AssertIdentical(decoded, Decode(withData, mode), $"{mode} with data in the low bits");

        // Fewer bits, lower but still usable quality; 64 kbit/s is best.
        double snr = AlignedSnr(speech, decoded).SnrDb;
        double snr64 = AlignedSnr(speech, Decode(bytes)).SnrDb;
        Assert.True(snr > 10 && snr < snr64, $"{mode}: {snr:F1} dB vs {snr64:F1} dB at 64 kbit/s");
    }
}
