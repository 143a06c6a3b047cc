using AudioFlow.Audio.Codecs;

namespace AudioFlow.Audio.Tests.Codecs;

/// <summary>G.711 properties that hold whatever the reference: known codes, symmetry, idempotence, API contracts.</summary>
public class G711Tests
{
    [Theory]
    [InlineData(0, 0xFF)]
    [InlineData(-1, 0xFF)]       // rounds to 14-bit 0 (positive zero), as sox does
    [InlineData(-3, 0x7E)]       // rounds to 14-bit -1, the smallest negative step (0x7F, negative zero, is never produced)
    [InlineData(-7, 0x7E)]
    [InlineData(32767, 0x80)]
    [InlineData(-32768, 0x00)]
    public void MuLaw_encodes_known_values(short pcm, byte code) => Assert.Equal(code, G711.MuLawEncode(pcm));

    [Theory]
    [InlineData(0, 0xD5)]
    [InlineData(-1, 0xD5)]
    [InlineData(-5, 0x55)]
    [InlineData(32767, 0xAA)]
    [InlineData(-32768, 0x2A)]
    public void ALaw_encodes_known_values(short pcm, byte code) => Assert.Equal(code, G711.ALawEncode(pcm));

    [Fact]
    public void Silence_constants_decode_to_near_zero()
    {
        Assert.Equal(0, G711.MuLawDecode(G711.MuLawSilence));
        Assert.Equal(8, G711.ALawDecode(G711.ALawSilence)); // A-law has no zero level: ±8 is the smallest
        Assert.Equal(-32124, G711.MuLawDecode(0x00));
        Assert.Equal(32256, G711.ALawDecode(0xAA));
    }

    [Fact]
    public void Decoding_then_encoding_returns_every_code_except_muLaw_negative_zero()
    {
        for (int c = 0; c < 256; c++)
        {
            byte code = (byte)c;
            Assert.Equal(code, G711.ALawEncode(G711.ALawDecode(code)));
            // µ-law 0x7F is "negative zero": it decodes to 0, which encodes as positive zero 0xFF.
            byte expected = code == 0x7F ? (byte)0xFF : code;
            Assert.Equal(expected, G711.MuLawEncode(G711.MuLawDecode(code)));
        }
    }

    [Fact]
    public void Encoding_is_monotonic_in_the_decoded_level()
    {
        short previousMu = short.MinValue, previousA = short.MinValue;
        for (int v = short.MinValue; v <= short.MaxValue; v++)
        {
            short mu = G711.MuLawDecode(G711.MuLawEncode((short)v));
            short a = G711.ALawDecode(G711.ALawEncode((short)v));
            Assert.True(mu >= previousMu, $"µ-law not monotonic at {v}");
            Assert.True(a >= previousA, $"A-law not monotonic at {v}");
            previousMu = mu;
            previousA = a;
        }
    }

    [Fact]
    public void Quantisation_error_stays_within_half_a_step()
    {
        // Worst case is in the top segment: µ-law steps of 1024, A-law 1024, so |error| ≤ 512 + clipping at the extremes.
        for (int v = -32000; v <= 32000; v++)
        {
            Assert.InRange(Math.Abs(G711.MuLawDecode(G711.MuLawEncode((short)v)) - v), 0, 1024);
            Assert.InRange(Math.Abs(G711.ALawDecode(G711.ALawEncode((short)v)) - v), 0, 1024);
        }
    }

    [Fact]
    public void Span_and_single_sample_apis_agree()
    {
        short[] pcm = Enumerable.Range(0, 4000).Select(i => (short)(i * 16 - 32000)).ToArray();
        var mu = new byte[pcm.Length];
        var a = new byte[pcm.Length];
        G711.MuLawEncode(pcm, mu);
        G711.ALawEncode(pcm, a);
        var muBack = new short[pcm.Length];
        var aBack = new short[pcm.Length];
        G711.MuLawDecode(mu, muBack);
        G711.ALawDecode(a, aBack);
        for (int i = 0; i < pcm.Length; i++)
        {
            Assert.Equal(G711.MuLawEncode(pcm[i]), mu[i]);
            Assert.Equal(G711.ALawEncode(pcm[i]), a[i]);
            Assert.Equal(G711.MuLawDecode(mu[i]), muBack[i]);
            Assert.Equal(G711.ALawDecode(a[i]), aBack[i]);
        }
    }

    [Fact]
    public void Too_small_destination_throws_and_larger_is_fine()
    {
        var pcm = new short[160];
        Assert.Throws<ArgumentException>(() => G711.MuLawEncode(pcm, new byte[159]));
        Assert.Throws<ArgumentException>(() => G711.ALawEncode(pcm, new byte[10]));
        Assert.Throws<ArgumentException>(() => G711.MuLawDecode(new byte[160], new short[159]));
        Assert.Throws<ArgumentException>(() => G711.ALawDecode(new byte[160], new short[0]));

        var big = new byte[200];
        G711.MuLawEncode(pcm, big);
        Assert.All(big[..160], b => Assert.Equal(G711.MuLawSilence, b));
        Assert.All(big[160..], b => Assert.Equal(0, b));
        G711.MuLawEncode(ReadOnlySpan<short>.Empty, Span<byte>.Empty);
    }
}
