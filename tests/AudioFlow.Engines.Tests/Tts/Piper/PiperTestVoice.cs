using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AudioFlow.Engines.Tests.Tts.Piper;

/// <summary>
/// A stand-in Piper voice: an ONNX model with exactly Piper's inputs and output (<c>input</c> int64 [1, n],
/// <c>input_lengths</c> int64 [1], <c>scales</c> float [3], optionally <c>sid</c> int64 [1]; <c>output</c> float
/// [1, 1, samples]) whose "audio" echoes what it was given, plus a matching .onnx.json with a subset of the real
/// en_US phoneme_id_map. The waveform is a header followed by a tail:
/// <code>
/// [1.0, noise_scale/10, length_scale/10, noise_w/10, n/1024, (sid/256), id_1/256 … id_n/256]  ++  0.25 × floor(n · length_scale · 256)
/// </code>
/// The leading 1.0 is the peak, so after Piper's peak normalisation a sample s decodes as s/32767 and the test
/// can read every input back; the tail makes the length a known function of the ids and the length scale.
/// </summary>
internal static class PiperTestVoice
{
    public const int SamplesPerId = 256;
    public const float TailLevel = 0.25f;

    /// <summary>Part of the phoneme_id_map of Piper's en_US voices (e.g. en_US-lessac-medium.onnx.json).</summary>
    public static readonly IReadOnlyList<(string Phoneme, int Id)> EnUsSubset =
    [
        ("_", 0), ("^", 1), ("$", 2), (" ", 3), ("!", 4), ("'", 5), ("(", 6), (")", 7), (",", 8), ("-", 9), (".", 10),
        (":", 11), (";", 12), ("?", 13), ("a", 14), ("b", 15), ("c", 16), ("d", 17), ("e", 18), ("f", 19), ("h", 20),
        ("i", 21), ("j", 22), ("k", 23), ("l", 24), ("m", 25), ("n", 26), ("o", 27), ("p", 28), ("q", 29), ("r", 30),
        ("s", 31), ("t", 32), ("u", 33), ("v", 34), ("w", 35), ("x", 36), ("y", 37), ("z", 38), ("æ", 39), ("ç", 40),
        ("ð", 41), ("ŋ", 44), ("ɐ", 50), ("ɑ", 51), ("ɔ", 54), ("ə", 59), ("ɚ", 60), ("ɛ", 61), ("ɜ", 62), ("ɡ", 66),
        ("ɪ", 74), ("ɹ", 88), ("ɾ", 92), ("ʃ", 96), ("ʊ", 100), ("ʌ", 102), ("ʒ", 108), ("ʔ", 109), ("ˈ", 120),
        ("ˌ", 121), ("ː", 122), ("θ", 126), ("ᵻ", 128), ("\u0327", 140), ("\u0303", 141), ("\u0329", 144),
    ];

    public static IReadOnlyDictionary<Rune, long[]> IdMap { get; } =
        EnUsSubset.ToDictionary(e => Rune.GetRuneAt(e.Phoneme, 0), e => new[] { (long)e.Id });

    /// <summary>Writes <c>name.onnx</c> and <c>name.onnx.json</c> into <paramref name="directory"/>; returns the model path.</summary>
    public static string Write(
        string directory,
        string name,
        bool multiSpeaker = false,
        string phonemeType = "espeak",
        float lengthScale = 1f,
        Action<JsonObject>? editConfig = null)
    {
        string modelPath = Path.Combine(directory, name + ".onnx");
        BuildModel(multiSpeaker).Save(modelPath);

        var idMap = new JsonObject();
        foreach (var (phoneme, id) in EnUsSubset)
        {
            idMap[phoneme] = new JsonArray(id);
        }

        var config = new JsonObject
        {
            ["audio"] = new JsonObject { ["sample_rate"] = 22050, ["quality"] = "medium" },
            ["espeak"] = new JsonObject { ["voice"] = "en-us" },
            ["language"] = new JsonObject { ["code"] = "en_US" },
            ["inference"] = new JsonObject { ["noise_scale"] = 0.667, ["length_scale"] = lengthScale, ["noise_w"] = 0.8 },
            ["phoneme_type"] = phonemeType,
            ["phoneme_map"] = new JsonObject(),
            ["phoneme_id_map"] = idMap,
            ["num_symbols"] = 256,
            ["num_speakers"] = multiSpeaker ? 4 : 1,
            ["speaker_id_map"] = multiSpeaker
                ? new JsonObject { ["alice"] = 0, ["bob"] = 3, ["carol"] = 1 }
                : new JsonObject(),
            ["piper_version"] = "1.0.0",
        };
        editConfig?.Invoke(config);
        File.WriteAllText(modelPath + ".json", config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return modelPath;
    }

    /// <summary>The echo graph described on the class.</summary>
    public static OnnxModelWriter BuildModel(bool multiSpeaker)
    {
        var model = new OnnxModelWriter()
            .Input("input", OnnxModelWriter.Int64, 1, "phonemes")
            .Input("input_lengths", OnnxModelWriter.Int64, 1)
            .Input("scales", OnnxModelWriter.Float, 3);
        if (multiSpeaker)
        {
            model.Input("sid", OnnxModelWriter.Int64, 1);
        }

        model.Output("output", OnnxModelWriter.Float, 1, 1, "time")
            .Constant("one", [1f], 1)
            .Constant("c256", [(float)SamplesPerId], 1)
            .Constant("c10", [10f], 1)
            .Constant("c1024", [1024f], 1)
            .Constant("flat", [-1L], 1)
            .Constant("index1", [1L], 1)
            .Constant("out_shape", [1L, 1L, -1L], 3)
            .Node("Cast", ["input"], ["ids_f"], ("to", OnnxModelWriter.Float))
            .Node("Reshape", ["ids_f", "flat"], ["ids_flat"])
            .Node("Div", ["ids_flat", "c256"], ["ids_scaled"])
            .Node("Div", ["scales", "c10"], ["scales_scaled"])
            .Node("Cast", ["input_lengths"], ["len_f"], ("to", OnnxModelWriter.Float))
            .Node("Div", ["len_f", "c1024"], ["len_scaled"])
            .Node("Gather", ["scales", "index1"], ["length_scale"], ("axis", 0))
            .Node("Mul", ["len_f", "length_scale"], ["tail_a"])
            .Node("Mul", ["tail_a", "c256"], ["tail_b"])
            .Node("Floor", ["tail_b"], ["tail_c"])
            .Node("Cast", ["tail_c"], ["tail_len"], ("to", OnnxModelWriter.Int64))
            .Node("ConstantOfShape", ["tail_len"], ["tail"], ("value", new[] { TailLevel }));

        var header = new List<string> { "one", "scales_scaled", "len_scaled" };
        if (multiSpeaker)
        {
            model.Node("Cast", ["sid"], ["sid_f"], ("to", OnnxModelWriter.Float))
                .Node("Div", ["sid_f", "c256"], ["sid_scaled"]);
            header.Add("sid_scaled");
        }

        header.Add("ids_scaled");
        return model
            .Node("Concat", [.. header], ["head"], ("axis", 0))
            .Node("Concat", ["head", "tail"], ["wave"], ("axis", 0))
            .Node("Reshape", ["wave", "out_shape"], ["output"]);
    }

    /// <summary>Reads the echoed inputs back from synthesised PCM (one inference's worth).</summary>
    public static Echo Decode(short[] pcm, bool multiSpeaker)
    {
        double Value(int index) => pcm[index] / 32767.0;
        int headerFixed = multiSpeaker ? 6 : 5;
        if (pcm.Length < headerFixed || pcm[0] != short.MaxValue)
        {
            throw new InvalidOperationException($"Not an echo waveform (length {pcm.Length}, first sample {(pcm.Length > 0 ? pcm[0] : 0)}).");
        }

        float[] scales = [(float)(Value(1) * 10), (float)(Value(2) * 10), (float)(Value(3) * 10)];
        int length = (int)Math.Round(Value(4) * 1024);
        long? sid = multiSpeaker ? (long)Math.Round(Value(5) * SamplesPerId) : null;
        long[] ids = Enumerable.Range(headerFixed, length).Select(i => (long)Math.Round(Value(i) * SamplesPerId)).ToArray();
        int tail = pcm.Length - headerFixed - length;
        return new Echo(scales, length, sid, ids, tail);
    }

    /// <summary>The samples the echo model produces for <paramref name="idCount"/> ids.</summary>
    public static int ExpectedSamples(int idCount, float lengthScale, bool multiSpeaker) =>
        (multiSpeaker ? 6 : 5) + idCount + (int)Math.Floor(idCount * lengthScale * SamplesPerId);

    public static string Describe(IEnumerable<long> ids) => string.Join(",", ids.Select(i => i.ToString(CultureInfo.InvariantCulture)));

    public sealed record Echo(float[] Scales, int Length, long? SpeakerId, long[] Ids, int TailSamples);
}

/// <summary>A temporary directory for voice files, deleted afterwards.</summary>
internal sealed class TempVoiceDirectory : IDisposable
{
    public TempVoiceDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "audioflow-piper-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
