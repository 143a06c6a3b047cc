using System.Text.Json.Nodes;
using AudioFlow.Engines.Stt;
using AudioFlow.Engines.Stt.Whisper;
using Xunit;

namespace AudioFlow.Engines.Tests.Stt.Whisper;

/// <summary>A missing or mismatched model file fails in the constructor with a message naming it.</summary>
public sealed class WhisperModelLoadingTests
{
    private static WhisperTestModels Models => WhisperTestModels.Get();

    private static SpeechEngineException LoadFails(string directory) =>
        Assert.Throws<SpeechEngineException>(() => new WhisperRecognizer(new WhisperOptions { ModelDirectory = directory }).Dispose());

    [Fact]
    public void MissingFolder_IsNamed()
    {
        var missing = Path.Combine(Path.GetTempPath(), "no-such-whisper-" + Guid.NewGuid().ToString("N"));
        Assert.Contains(missing, LoadFails(missing).Message);
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void MissingFiles_AreNamed()
    {
        foreach (var file in new[] { "encoder_model.onnx", "decoder_model_merged.onnx", "config.json", "generation_config.json", "added_tokens.json" })
        {
            var copy = Models.CopyOf(Models.Ok, omit: file);
            try
            {
                var message = LoadFails(copy).Message;
                Assert.Contains(file, message);
            }
            finally
            {
                Directory.Delete(copy, recursive: true);
            }
        }
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void MissingDecoderInput_IsNamed()
    {
        var message = LoadFails(Models.MissingInput).Message;
        Assert.Contains("past_key_values.1.encoder.value", message);
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void EncoderWithOtherMelCount_IsRejected()
    {
        var message = LoadFails(Models.WrongMels).Message;
        Assert.Contains("input_features", message);
        Assert.Contains("128", message);
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void ConfigThatDisagreesWithTheOnnxFiles_IsRejected()
    {
        AssertConfigEditFails(c => c["decoder_layers"] = 3, "decoder_layers");
        AssertConfigEditFails(c => c["decoder_attention_heads"] = 4, "decoder_attention_heads");
        AssertConfigEditFails(c => c["vocab_size"] = 51865, "vocab_size");
        AssertConfigEditFails(c => c["num_mel_bins"] = 128, "feature_size");
        AssertConfigEditFails(c => c["model_type"] = "bart", "model_type");
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void TokenizerThatDisagreesWithTheConfig_IsRejected()
    {
        var copy = Models.CopyOf(Models.Ok);
        try
        {
            var path = Path.Combine(copy, "generation_config.json");
            var generation = JsonNode.Parse(File.ReadAllText(path))!;
            generation["eos_token_id"] = 50257;
            File.WriteAllText(path, generation.ToJsonString());
            Assert.Contains("eos_token_id", LoadFails(copy).Message);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void EnglishOnlyModel_RefusesOtherLanguagesAndTranslation()
    {
        Assert.Throws<SpeechEngineException>(() => new WhisperRecognizer(new WhisperOptions { ModelDirectory = Models.Ok, Language = "de" }));
        Assert.Throws<SpeechEngineException>(() => new WhisperRecognizer(new WhisperOptions { ModelDirectory = Models.Ok, Task = WhisperTask.Translate }));
        using var english = new WhisperRecognizer(new WhisperOptions { ModelDirectory = Models.Ok, Language = "en" });
        Assert.Equal(WhisperAudio.JfkTranscript, english.Recognize(WhisperAudio.JfkPcm, RecognitionContext.FreeForm, CancellationToken.None).Text);
    }

    private static void AssertConfigEditFails(Action<JsonNode> edit, string expected)
    {
        var copy = Models.CopyOf(Models.Ok);
        try
        {
            var path = Path.Combine(copy, "config.json");
            var config = JsonNode.Parse(File.ReadAllText(path))!;
            edit(config);
            File.WriteAllText(path, config.ToJsonString());
            Assert.Contains(expected, LoadFails(copy).Message);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }
}
