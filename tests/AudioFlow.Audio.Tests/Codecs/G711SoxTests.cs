using AudioFlow.Audio.Codecs;
using AudioFlow.Audio.Tests.Support;

namespace AudioFlow.Audio.Tests.Codecs;

/// <summary>Exhaustive bit-exactness against a live sox (every 16-bit value, every code); skipped without sox.</summary>
public class G711SoxTests
{
    [SoxFact]
    public void MuLaw_encoding_of_every_16_bit_value_matches_sox() => CompareEncodeWithSox("u-law", G711.MuLawEncode);

    [SoxFact]
    public void ALaw_encoding_of_every_16_bit_value_matches_sox() => CompareEncodeWithSox("a-law", G711.ALawEncode);

    [SoxFact]
    public void MuLaw_decoding_matches_sox() => CompareDecodeWithSox("u-law", G711.MuLawDecode);

    [SoxFact]
    public void ALaw_decoding_matches_sox() => CompareDecodeWithSox("a-law", G711.ALawDecode);

    private delegate void Encoder(ReadOnlySpan<short> pcm, Span<byte> codes);

    private delegate void Decoder(ReadOnlySpan<byte> codes, Span<short> pcm);

    private static void CompareEncodeWithSox(string encoding, Encoder encode)
    {
        using var dir = new TempDirectory();
        short[] all = Enumerable.Range(short.MinValue, 65536).Select(v => (short)v).ToArray();
        WriteRaw(dir.File("all.s16"), all);
        ExternalTool.Sox("-t", "raw", "-r", "8000", "-e", "signed", "-b", "16", "-c", "1", dir.File("all.s16"),
            "-t", "raw", "-e", encoding, "-b", "8", dir.File("all.g711"));
        byte[] expected = File.ReadAllBytes(dir.File("all.g711"));

        var actual = new byte[all.Length];
        encode(all, actual);
        G711GoldenTests.AssertBytesEqual(expected, actual, all);
    }

    private static void CompareDecodeWithSox(string encoding, Decoder decode)
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("codes.g711"), G711GoldenTests.AllCodes());
        ExternalTool.Sox("-t", "raw", "-r", "8000", "-e", encoding, "-b", "8", "-c", "1", dir.File("codes.g711"),
            "-t", "raw", "-e", "signed", "-b", "16", dir.File("decoded.s16"));
        short[] expected = Signals.ReadRawPcm16(dir.File("decoded.s16"));

        var actual = new short[256];
        decode(G711GoldenTests.AllCodes(), actual);
        Assert.Equal(expected, actual);
    }

    private static void WriteRaw(string path, short[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        Buffer.BlockCopy(samples, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }
}
