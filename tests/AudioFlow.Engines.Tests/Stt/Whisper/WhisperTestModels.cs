using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using AudioFlow.Engines.Stt.Whisper;

namespace AudioFlow.Engines.Tests.Stt.Whisper;

/// <summary>
/// Builds (once per test run, in a temporary folder) the tiny Whisper-shaped model folders of
/// <c>Models/build_test_models.py</c>: the ONNX files from the script, the real tiny.en tokenizer,
/// generation and preprocessor files, and tiny.en's config.json with the test model's dimensions
/// (2 decoder layers × 2 heads × 4, d_model 8). The expected token sequences are made here with the real
/// tokenizer and handed to the script as a JSON spec.
/// </summary>
internal sealed class WhisperTestModels
{
    public const int Layers = 2;
    public const int Heads = 2;
    public const int HeadDim = 4;

    /// <summary>What the silence class "hallucinates" (with low confidence and a high no-speech probability).</summary>
    public const string SilenceText = "Thank you.";

    public const string WrongWord = " wrong";

    public static readonly string[] PromptPhrases = ["billing", "technical support"];

    /// <summary>The language the "multilingual" model expects (and "detects": its first-step logits rank it first).</summary>
    public const string MultilingualLanguage = "de";

    private static readonly Lazy<WhisperTestModels> Instance = new(() => new WhisperTestModels());

    private WhisperTestModels()
    {
        var stopwatch = Stopwatch.StartNew();
        Root = Directory.CreateTempSubdirectory("audioflow-whisper-models-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(Root, recursive: true);
            }
            catch (IOException)
            {
            }
        };

        var tiny = WhisperTestEnvironment.TinyEnDirectory;
        Tokenizer = WhisperTokenizer.FromDirectory(tiny);
        var speech = Tokenizer.Encode(" " + WhisperAudio.JfkTranscript);
        var silence = Tokenizer.Encode(" " + SilenceText);
        var wrong = Tokenizer.Encode(WrongWord);
        if (wrong.Count != 1)
        {
            throw new InvalidOperationException($"'{WrongWord}' is not one token.");
        }

        WrongToken = wrong[0];
        int[] plain = [Tokenizer.StartOfTranscript, Tokenizer.NoTimestamps];
        int[] prompted = [Tokenizer.StartOfPrev, .. Tokenizer.Encode(" " + string.Join(", ", PromptPhrases)), .. plain];
        int[] german = [Tokenizer.StartOfTranscript, Tokenizer.LanguageToken(MultilingualLanguage)!.Value, Tokenizer.Transcribe, Tokenizer.NoTimestamps];

        var spec = new JsonObject
        {
            ["vocab_size"] = 51864,
            ["eot"] = Tokenizer.EndOfText,
            ["nospeech"] = Tokenizer.NoSpeech,
            ["wrong"] = WrongToken,
            ["layers"] = Layers,
            ["heads"] = Heads,
            ["head_dim"] = HeadDim,
            ["n_mels"] = 80,
            ["max_positions"] = 448,
            ["variants"] = new JsonArray(
                Variant("ok", plain, 0, speech, silence),
                Variant("prompt", prompted, prompted.Length - 2, speech, silence),
                Variant("missing-input", plain, 0, speech, silence, omitInput: "past_key_values.1.encoder.value"),
                Variant("wrong-mels", plain, 0, speech, silence, encoderMels: 128),
                Variant("multilingual", german, 0, speech, silence)),
        };
        var specPath = Path.Combine(Root, "spec.json");
        File.WriteAllText(specPath, spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        WhisperTestEnvironment.RunPython(
            WhisperTestEnvironment.OnnxPython ?? throw new InvalidOperationException("python3-onnx is not available."),
            Path.Combine(WhisperTestEnvironment.ScriptsDirectory, "build_test_models.py"), specPath, Root);

        foreach (var name in new[] { "ok", "prompt", "missing-input", "wrong-mels", "multilingual" })
        {
            CopyModelFiles(tiny, Path.Combine(Root, name), multilingual: name == "multilingual");
        }

        BuildTime = stopwatch.Elapsed;
    }

    public static WhisperTestModels Get() => Instance.Value;

    public string Root { get; }

    public WhisperTokenizer Tokenizer { get; }

    public int WrongToken { get; }

    public TimeSpan BuildTime { get; }

    public string Ok => Path.Combine(Root, "ok");

    /// <summary>A model that expects the <see cref="PromptPhrases"/> prompt before start-of-transcript.</summary>
    public string Prompt => Path.Combine(Root, "prompt");

    /// <summary>A decoder whose past_key_values.1.encoder.value is a constant, not an input.</summary>
    public string MissingInput => Path.Combine(Root, "missing-input");

    /// <summary>An encoder declaring 128 mel bins while config.json says 80.</summary>
    public string WrongMels => Path.Combine(Root, "wrong-mels");

    /// <summary>
    /// generation_config says is_multilingual; the model expects &lt;|startoftranscript|&gt; &lt;|de|&gt;
    /// &lt;|transcribe|&gt; &lt;|notimestamps|&gt; (the tiny.en vocabulary has the language and task tokens).
    /// </summary>
    public string Multilingual => Path.Combine(Root, "multilingual");

    /// <summary>The "ok" folder copied without <paramref name="omit"/> (or with a file replaced), for load-error tests.</summary>
    public string CopyOf(string folder, string? omit = null)
    {
        var target = Directory.CreateTempSubdirectory("whisper-broken-").FullName;
        foreach (var file in Directory.GetFiles(folder))
        {
            if (Path.GetFileName(file) != omit)
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        return target;
    }

    /// <summary>
    /// The first generated token is predicted at the last prompt position; traps there and at the next
    /// positions put logit 30 on tokens the engine must suppress.
    /// </summary>
    private JsonObject Variant(string name, int[] prefix, int sotIndex, IReadOnlyList<int> speech, IReadOnlyList<int> silence,
        string? omitInput = null, int? encoderMels = null)
    {
        var first = prefix.Length - 1;
        var traps = new JsonArray(
            new JsonArray(first, 220),                          // " ": begin_suppress_tokens
            new JsonArray(first + 1, 1),                        // '"': suppress_tokens
            new JsonArray(first + 2, Tokenizer.TimestampBegin + 7), // a timestamp (no-timestamps mode)
            new JsonArray(first + 3, Tokenizer.StartOfTranscript),
            new JsonArray(first + 4, Tokenizer.NoSpeech),
            new JsonArray(first + 5, Tokenizer.NoTimestamps));
        return new JsonObject
        {
            ["name"] = name,
            ["prefix"] = new JsonArray(prefix.Select(id => (JsonNode)id).ToArray()),
            ["sot_index"] = sotIndex,
            ["speech"] = new JsonArray(speech.Select(id => (JsonNode)id).ToArray()),
            ["silence"] = new JsonArray(silence.Select(id => (JsonNode)id).ToArray()),
            ["traps"] = traps,
            ["omit_input"] = omitInput,
            ["encoder_mels"] = encoderMels,
        };
    }

    private static void CopyModelFiles(string tiny, string folder, bool multilingual)
    {
        var generation = JsonNode.Parse(File.ReadAllText(Path.Combine(tiny, "generation_config.json")))!.AsObject();
        generation["is_multilingual"] = multilingual;
        File.WriteAllText(Path.Combine(folder, "generation_config.json"), generation.ToJsonString());
        foreach (var file in new[] { "preprocessor_config.json", "vocab.json", "merges.txt", "added_tokens.json", "special_tokens_map.json", "tokenizer_config.json" })
        {
            File.Copy(Path.Combine(tiny, file), Path.Combine(folder, file), overwrite: true);
        }

        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(tiny, "config.json")))!.AsObject();
        config["d_model"] = Heads * HeadDim;
        config["decoder_layers"] = Layers;
        config["encoder_layers"] = Layers;
        config["num_hidden_layers"] = Layers;
        config["decoder_attention_heads"] = Heads;
        config["encoder_attention_heads"] = Heads;
        config["decoder_ffn_dim"] = 16;
        config["encoder_ffn_dim"] = 16;
        File.WriteAllText(Path.Combine(folder, "config.json"), config.ToJsonString());
    }
}
