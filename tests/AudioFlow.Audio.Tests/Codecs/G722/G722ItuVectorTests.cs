using AudioFlow.Audio.Codecs.G722;
using AudioFlow.Audio.Tests.Support;
using static AudioFlow.Audio.Tests.Codecs.G722.G722TestSupport;

namespace AudioFlow.Audio.Tests.Codecs.G722;

/// <summary>
/// The ITU-T G.722 test sequences of the G.191 Software Tool Library (<c>src/g722/test_data</c>: 16 kHz speech
/// <c>inpsp.bin</c>, its encoding <c>codspw.cod</c> as one code per little-endian 16-bit word, and the decodings
/// <c>outsp1.bin</c> … <c>outsp3.bin</c> in modes 1 – 3). They are not committed (ITU-T licence): these tests run
/// when the environment variable <c>AUDIOFLOW_G722_ITU_VECTORS</c> names a folder holding them.
/// </summary>
public class G722ItuVectorTests
{
    private static string Vector(string name) =>
        Path.Combine(Environment.GetEnvironmentVariable(ItuVectorsFactAttribute.Variable)!, name);

    private static byte[] Codes()
    {
        short[] words = Signals.ReadRawPcm16(Vector("codspw.cod"));
        return words.Select(w => (byte)w).ToArray();
    }

    [ItuVectorsFact]
    public void Encoder_reproduces_the_itu_bitstream()
    {
        short[] input = Signals.ReadRawPcm16(Vector("inpsp.bin"));
        AssertIdentical(Codes(), Encode(input), "G.722 codes of inpsp.bin");
    }

    [ItuVectorsFact]
    public void Decoder_reproduces_the_itu_output_in_all_three_modes()
    {
        byte[] codes = Codes();
        AssertIdentical(Signals.ReadRawPcm16(Vector("outsp1.bin")), Decode(codes, G722BitRate.Rate64000), "mode 1");
        AssertIdentical(Signals.ReadRawPcm16(Vector("outsp2.bin")), Decode(codes, G722BitRate.Rate56000), "mode 2");
        AssertIdentical(Signals.ReadRawPcm16(Vector("outsp3.bin")), Decode(codes, G722BitRate.Rate48000), "mode 3");
    }
}

/// <summary>A fact skipped unless <c>AUDIOFLOW_G722_ITU_VECTORS</c> names a folder with the ITU-T G.722 test sequences.</summary>
internal sealed class ItuVectorsFactAttribute : FactAttribute
{
    public const string Variable = "AUDIOFLOW_G722_ITU_VECTORS";

    public ItuVectorsFactAttribute()
    {
        string? dir = Environment.GetEnvironmentVariable(Variable);
        string[] files = ["inpsp.bin", "codspw.cod", "outsp1.bin", "outsp2.bin", "outsp3.bin"];
        if (string.IsNullOrEmpty(dir) || !files.All(f => File.Exists(Path.Combine(dir, f))))
        {
            Skip = $"set {Variable} to a folder holding the ITU-T G.191 G.722 test sequences ({string.Join(", ", files)})";
        }
    }
}
