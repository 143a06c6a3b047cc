using AudioFlow.Audio.Codecs;
using AudioFlow.Audio.Tests.Support;

namespace AudioFlow.Audio.Tests.Codecs;

/// <summary>Bit-exactness against committed sox output (Golden/README.md); runs without sox.</summary>
public class G711GoldenTests
{
    private static readonly short[] Sweep = Signals.ReadRawPcm16(TestFiles.Golden("g711_sweep_8k.s16"));

    [Fact]
    public void MuLaw_encoding_of_the_sweep_matches_sox_byte_for_byte()
    {
        byte[] expected = File.ReadAllBytes(TestFiles.Golden("g711_sweep_8k.ulaw"));
        var actual = new byte[Sweep.Length];
        G711.MuLawEncode(Sweep, actual);
        Assert.Equal(8000, Sweep.Length);
        AssertBytesEqual(expected, actual, Sweep);
    }

    [Fact]
    public void ALaw_encoding_of_the_sweep_matches_sox_byte_for_byte()
    {
        byte[] expected = File.ReadAllBytes(TestFiles.Golden("g711_sweep_8k.alaw"));
        var actual = new byte[Sweep.Length];
        G711.ALawEncode(Sweep, actual);
        AssertBytesEqual(expected, actual, Sweep);
    }

    [Fact]
    public void MuLaw_decoding_of_all_256_codes_matches_sox()
    {
        short[] expected = Signals.ReadRawPcm16(TestFiles.Golden("ulaw_decode_256.s16"));
        var actual = new short[256];
        G711.MuLawDecode(AllCodes(), actual);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void ALaw_decoding_of_all_256_codes_matches_sox()
    {
        short[] expected = Signals.ReadRawPcm16(TestFiles.Golden("alaw_decode_256.s16"));
        var actual = new short[256];
        G711.ALawDecode(AllCodes(), actual);
        Assert.Equal(expected, actual);
    }

    internal static byte[] AllCodes() => Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();

    internal static void AssertBytesEqual(byte[] expected, byte[] actual, short[] input)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] != actual[i])
            {
                Assert.Fail($"sample {i} (value {input[i]}): expected code 0x{expected[i]:X2}, got 0x{actual[i]:X2}");
            }
        }
    }
}
