using System.Text;

namespace AudioFlow.Engines.Tests.Tts.Piper;

/// <summary>
/// Writes small ONNX models (the protobuf wire format of onnx.proto's ModelProto, by hand) so the Piper tests
/// don't depend on python3-onnx. Only what the test graphs need: nodes with int/float/ints/tensor attributes,
/// float/int64 initializers, and typed graph inputs/outputs with fixed or symbolic dimensions.
/// </summary>
internal sealed class OnnxModelWriter
{
    public const int Float = 1;
    public const int Int64 = 7;

    private readonly List<byte[]> _nodes = [];
    private readonly List<byte[]> _initializers = [];
    private readonly List<byte[]> _inputs = [];
    private readonly List<byte[]> _outputs = [];
    private int _nodeCount;

    public OnnxModelWriter Input(string name, int elementType, params object[] dims)
    {
        _inputs.Add(ValueInfo(name, elementType, dims));
        return this;
    }

    public OnnxModelWriter Output(string name, int elementType, params object[] dims)
    {
        _outputs.Add(ValueInfo(name, elementType, dims));
        return this;
    }

    public OnnxModelWriter Constant(string name, float[] values, params long[] dims)
    {
        _initializers.Add(Tensor(name, Float, dims, values.SelectMany(BitConverter.GetBytes).ToArray()));
        return this;
    }

    public OnnxModelWriter Constant(string name, long[] values, params long[] dims)
    {
        _initializers.Add(Tensor(name, Int64, dims, values.SelectMany(BitConverter.GetBytes).ToArray()));
        return this;
    }

    /// <summary>Adds a node; attributes are (name, value) with value an int/long, float, long[] or a float tensor (float[]).</summary>
    public OnnxModelWriter Node(string opType, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        var node = new Proto();
        foreach (string input in inputs)
        {
            node.String(1, input);
        }

        foreach (string output in outputs)
        {
            node.String(2, output);
        }

        node.String(3, $"{opType.ToLowerInvariant()}_{_nodeCount++}");
        node.String(4, opType);
        foreach (var (name, value) in attributes)
        {
            var attribute = new Proto();
            attribute.String(1, name);
            switch (value)
            {
                case int or long:
                    attribute.Varint(3, Convert.ToInt64(value));
                    attribute.Varint(20, 2); // INT
                    break;
                case float f:
                    attribute.Fixed32(2, BitConverter.SingleToUInt32Bits(f));
                    attribute.Varint(20, 1); // FLOAT
                    break;
                case long[] ints:
                    foreach (long i in ints)
                    {
                        attribute.Varint(8, i);
                    }

                    attribute.Varint(20, 7); // INTS
                    break;
                case float[] tensor:
                    attribute.Bytes(5, Tensor(string.Empty, Float, [tensor.Length], tensor.SelectMany(BitConverter.GetBytes).ToArray()));
                    attribute.Varint(20, 4); // TENSOR
                    break;
                default:
                    throw new ArgumentException($"Unsupported attribute value {value.GetType()}.");
            }

            node.Bytes(5, attribute.ToArray());
        }

        _nodes.Add(node.ToArray());
        return this;
    }

    public byte[] ToBytes(int opset = 13)
    {
        var graph = new Proto();
        _nodes.ForEach(n => graph.Bytes(1, n));
        graph.String(2, "audioflow_test_graph");
        _initializers.ForEach(i => graph.Bytes(5, i));
        _inputs.ForEach(i => graph.Bytes(11, i));
        _outputs.ForEach(o => graph.Bytes(12, o));

        var opsetImport = new Proto();
        opsetImport.String(1, string.Empty);
        opsetImport.Varint(2, opset);

        var model = new Proto();
        model.Varint(1, 7); // ir_version
        model.String(2, "audioflow-tests");
        model.Bytes(7, graph.ToArray());
        model.Bytes(8, opsetImport.ToArray());
        return model.ToArray();
    }

    public void Save(string path) => File.WriteAllBytes(path, ToBytes());

    private static byte[] Tensor(string name, int dataType, long[] dims, byte[] raw)
    {
        var tensor = new Proto();
        foreach (long d in dims)
        {
            tensor.Varint(1, d);
        }

        tensor.Varint(2, dataType);
        if (name.Length > 0)
        {
            tensor.String(8, name);
        }

        tensor.Bytes(9, raw);
        return tensor.ToArray();
    }

    private static byte[] ValueInfo(string name, int elementType, object[] dims)
    {
        var shape = new Proto();
        foreach (object dim in dims)
        {
            var dimension = new Proto();
            if (dim is string symbol)
            {
                dimension.String(2, symbol);
            }
            else
            {
                dimension.Varint(1, Convert.ToInt64(dim));
            }

            shape.Bytes(1, dimension.ToArray());
        }

        var tensorType = new Proto();
        tensorType.Varint(1, elementType);
        tensorType.Bytes(2, shape.ToArray());

        var type = new Proto();
        type.Bytes(1, tensorType.ToArray());

        var info = new Proto();
        info.String(1, name);
        info.Bytes(2, type.ToArray());
        return info.ToArray();
    }

    /// <summary>A protobuf message being written.</summary>
    private sealed class Proto
    {
        private readonly MemoryStream _stream = new();

        public void Varint(int field, long value)
        {
            WriteRaw(((ulong)field << 3) | 0);
            WriteRaw((ulong)value);
        }

        public void Fixed32(int field, uint value)
        {
            WriteRaw(((ulong)field << 3) | 5);
            _stream.Write(BitConverter.GetBytes(value));
        }

        public void Bytes(int field, byte[] value)
        {
            WriteRaw(((ulong)field << 3) | 2);
            WriteRaw((ulong)value.Length);
            _stream.Write(value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public byte[] ToArray() => _stream.ToArray();

        private void WriteRaw(ulong value)
        {
            while (value >= 0x80)
            {
                _stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            _stream.WriteByte((byte)value);
        }
    }
}
