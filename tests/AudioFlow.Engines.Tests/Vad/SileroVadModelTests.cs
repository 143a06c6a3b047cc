using System.Text;
using AudioFlow.Engines.Vad;
using Xunit;

namespace AudioFlow.Engines.Tests.Vad;

[Collection(SileroVadCollection.Name)]
public sealed class SileroVadModelTests(SileroVadFixture fixture)
{
    [Fact]
    public void Model_ReportsRatesAndWindows()
    {
        var model = fixture.Model;
        Assert.Equal([8000, 16000], model.SupportedSampleRates);
        Assert.Equal(512, model.WindowSamples(16000));
        Assert.Equal(256, model.WindowSamples(8000));

        using var s16 = model.CreateSession(16000);
        using var s8 = model.CreateSession(8000);
        Assert.Equal((16000, 512, 64), (s16.SampleRate, s16.WindowSamples, s16.ContextSamples));
        Assert.Equal((8000, 256, 32), (s8.SampleRate, s8.WindowSamples, s8.ContextSamples));
    }

    [Theory]
    [InlineData(44100)]
    [InlineData(48000)]
    [InlineData(0)]
    public void UnsupportedRate_IsRejected(int rate)
    {
        var e = Assert.Throws<ArgumentException>(() => ((IVadModel)fixture.Model).CreateSession(rate));
        Assert.Contains("8000 and 16000 Hz", e.Message);
        Assert.Contains($"got {rate} Hz", e.Message);
        Assert.Throws<ArgumentException>(() => fixture.Model.WindowSamples(rate));
    }

    [Theory]
    [InlineData(16000, 320)]
    [InlineData(16000, 576)]
    [InlineData(8000, 512)]
    [InlineData(8000, 0)]
    public void WrongWindowLength_IsRejected(int rate, int length)
    {
        using var session = fixture.Model.CreateSession(rate);
        var e = Assert.Throws<ArgumentException>(() => session.Process(new float[length]));
        Assert.Contains($"exactly {session.WindowSamples} samples; got {length}", e.Message);
        Assert.Equal("window", e.ParamName);
    }

    [Fact]
    public void Probabilities_AreInUnitRange()
    {
        using var session = fixture.Model.CreateSession(16000);
        var loud = Enumerable.Range(0, 512).Select(i => i % 2 == 0 ? 1f : -1f).ToArray();
        foreach (var w in new[] { new float[512], loud })
        {
            float p = session.Process(w);
            Assert.InRange(p, 0f, 1f);
        }
    }

    [Fact]
    public void MissingFile_GivesVadModelException_NamingThePath()
    {
        var path = Path.Combine(Path.GetTempPath(), $"no-such-dir-{Guid.NewGuid():N}", "silero_vad.onnx");
        var e = Assert.Throws<VadModelException>(() => new SileroVadModel(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not found", e.Message);
        Assert.Equal(path, e.ModelPath);
    }

    [Fact]
    public void NotAnOnnxFile_GivesVadModelException()
    {
        var path = WriteTemp(Encoding.ASCII.GetBytes("this is not a model"));
        try
        {
            var e = Assert.Throws<VadModelException>(() => new SileroVadModel(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("Could not load", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ModelWithOtherInputs_GivesVadModelException_SayingWhatIsWrong()
    {
        // Shaped like Silero v4 (separate h and c states, no 'state' input): loads fine, fails the check.
        var path = WriteTemp(TinyOnnx.IdentityModel(
            inputs: [("input", TinyOnnx.Float, [-1, -1]), ("sr", TinyOnnx.Int64, [1]), ("h", TinyOnnx.Float, [2, -1, 64]), ("c", TinyOnnx.Float, [2, -1, 64])],
            outputs: ["output", "srN", "hn", "cn"]));
        try
        {
            var e = Assert.Throws<VadModelException>(() => new SileroVadModel(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("not a Silero VAD v5 model", e.Message);
            Assert.Contains("no input named 'state'", e.Message);
            Assert.Contains("no output named 'stateN'", e.Message);
            Assert.Contains("h Float[2, -1, 64]", e.Message); // lists what the model does have
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ThreadOptions_AreAccepted_AndGiveTheSameResults()
    {
        using var twoThreads = new SileroVadModel(VadTestPaths.RequireSileroModel(), intraOpThreads: 2, interOpThreads: 1);
        var windows = VadTestAudio.Windows(VadTestAudio.Voiceish(16000, 0.5, seed: 1), 512);
        using var a = twoThreads.CreateSession(16000);
        using var b = fixture.Model.CreateSession(16000);
        foreach (var w in windows)
        {
            Assert.Equal(b.Process(w), a.Process(w), 5);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => new SileroVadModel(VadTestPaths.RequireSileroModel(), intraOpThreads: -1));
    }

    [Fact]
    public void DisposedModel_RefusesWork()
    {
        var model = new SileroVadModel(VadTestPaths.RequireSileroModel());
        var session = model.CreateSession(16000);
        model.Dispose();
        model.Dispose(); // idempotent
        Assert.Throws<ObjectDisposedException>(() => model.CreateSession(16000));
        Assert.Throws<ObjectDisposedException>(() => session.Process(new float[512]));
        Assert.Throws<ObjectDisposedException>(() => model.ProcessBatch([session], [new float[512]], new float[1]));
        session.Dispose();
    }

    private static string WriteTemp(byte[] bytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"audioflow-vad-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

/// <summary>
/// Writes a minimal ONNX ModelProto by hand (protobuf wire format): each output is an Identity of the
/// input at the same position. Enough to load in ORT and to present a chosen signature.
/// </summary>
internal static class TinyOnnx
{
    public const int Float = 1;
    public const int Int64 = 7;

    public static byte[] IdentityModel((string Name, int ElemType, long[] Dims)[] inputs, string[] outputs)
    {
        var graph = new ProtoWriter();
        for (int i = 0; i < outputs.Length; i++)
        {
            var node = new ProtoWriter();
            node.String(1, inputs[i].Name);   // NodeProto.input
            node.String(2, outputs[i]);       // NodeProto.output
            node.String(3, $"identity{i}");   // NodeProto.name
            node.String(4, "Identity");       // NodeProto.op_type
            graph.Message(1, node);           // GraphProto.node
        }
        graph.String(2, "tiny");              // GraphProto.name
        foreach (var (name, type, dims) in inputs)
        {
            graph.Message(11, ValueInfo(name, type, dims)); // GraphProto.input
        }
        for (int i = 0; i < outputs.Length; i++)
        {
            graph.Message(12, ValueInfo(outputs[i], inputs[i].ElemType, inputs[i].Dims)); // GraphProto.output
        }

        var opset = new ProtoWriter();
        opset.String(1, "");
        opset.Varint(2, 13);

        var model = new ProtoWriter();
        model.Varint(1, 8);                   // ModelProto.ir_version
        model.String(2, "audioflow-tests");   // producer_name
        model.Message(7, graph);              // graph
        model.Message(8, opset);              // opset_import
        return model.ToArray();
    }

    private static ProtoWriter ValueInfo(string name, int elemType, long[] dims)
    {
        var shape = new ProtoWriter();
        foreach (var d in dims)
        {
            var dim = new ProtoWriter();
            if (d >= 0)
            {
                dim.Varint(1, (ulong)d);      // Dimension.dim_value
            }
            else
            {
                dim.String(2, $"d{Guid.NewGuid():N}"); // Dimension.dim_param
            }
            shape.Message(1, dim);
        }
        var tensor = new ProtoWriter();
        tensor.Varint(1, (ulong)elemType);    // TypeProto.Tensor.elem_type
        tensor.Message(2, shape);             // TypeProto.Tensor.shape
        var type = new ProtoWriter();
        type.Message(1, tensor);              // TypeProto.tensor_type
        var info = new ProtoWriter();
        info.String(1, name);                 // ValueInfoProto.name
        info.Message(2, type);                // ValueInfoProto.type
        return info;
    }

    private sealed class ProtoWriter
    {
        private readonly MemoryStream _stream = new();

        public void Varint(int field, ulong value)
        {
            WriteVarint(((ulong)field << 3) | 0);
            WriteVarint(value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Message(int field, ProtoWriter message) => Bytes(field, message.ToArray());

        public byte[] ToArray() => _stream.ToArray();

        private void Bytes(int field, byte[] bytes)
        {
            WriteVarint(((ulong)field << 3) | 2);
            WriteVarint((ulong)bytes.Length);
            _stream.Write(bytes);
        }

        private void WriteVarint(ulong v)
        {
            while (v >= 0x80)
            {
                _stream.WriteByte((byte)(v | 0x80));
                v >>= 7;
            }
            _stream.WriteByte((byte)v);
        }
    }
}
