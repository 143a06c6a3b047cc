using AudioFlow.Engines.Stt.Whisper;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace AudioFlow.Engines.Tests.Stt.Whisper;

/// <summary>
/// Drives the test decoder by hand, without <see cref="WhisperRecognizer"/>, to show that it really
/// punishes wrong KV-cache handling: the right cache gives the next token of the transcript, every
/// plausible mistake gives the "wrong" token. (So the recognizer tests passing means the recognizer's
/// cache handling is right.)
/// </summary>
public sealed class WhisperTestModelCacheTests : IDisposable
{
    private const int Layers = WhisperTestModels.Layers;

    private readonly List<IDisposable> _disposables = [];
    private readonly Lazy<(InferenceSession Encoder, InferenceSession Decoder, OrtValue Hidden)> _model;

    public WhisperTestModelCacheTests()
    {
        _model = new(() =>
        {
            var models = WhisperTestModels.Get();
            var encoder = Track(new InferenceSession(Path.Combine(models.Ok, "encoder_model.onnx")));
            var decoder = Track(new InferenceSession(Path.Combine(models.Ok, "decoder_model_merged.onnx")));
            var features = new WhisperLogMel(WhisperMelFilters.Slaney(80)).Compute(WhisperAudio.Jfk());
            var input = Track(OrtValue.CreateTensorValueFromMemory(features, [1, 80, 3000]));
            var encoded = Track(encoder.Run(Track(new RunOptions()), ["input_features"], [input], ["last_hidden_state"]));
            return (encoder, decoder, encoded.First());
        });
    }

    private static WhisperTestModels Models => WhisperTestModels.Get();

    private int[] Expected => [.. Models.Tokenizer.Encode(" " + WhisperAudio.JfkTranscript)];

    public void Dispose()
    {
        for (var i = _disposables.Count - 1; i >= 0; i--)
        {
            _disposables[i].Dispose();
        }
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void RightCache_GivesTheTranscript()
    {
        var step0 = Prompt();
        Assert.Equal(Expected[0], Argmax(step0));
        var step1 = Step(Expected[0], SelfPresent(step0), CrossPresent(step0));
        Assert.Equal(Expected[1], Argmax(step1));
        var step2 = Step(Expected[1], SelfPresent(step1), CrossPresent(step0));
        Assert.Equal(Expected[2], Argmax(step2));
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void EmptySelfAttentionCache_GivesWrong()
    {
        var step0 = Prompt();
        var empty = Empty();
        Assert.Equal(Models.WrongToken, Argmax(Step(Expected[0], Enumerable.Repeat(empty, 2 * Layers).ToArray(), CrossPresent(step0))));
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void StaleSelfAttentionCache_GivesWrong()
    {
        var step0 = Prompt();
        var step1 = Step(Expected[0], SelfPresent(step0), CrossPresent(step0));
        Assert.Equal(Models.WrongToken, Argmax(Step(Expected[1], SelfPresent(step0), CrossPresent(step0))));
        Assert.Equal(Expected[2], Argmax(Step(Expected[1], SelfPresent(step1), CrossPresent(step0))));
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void FeedingAnotherTokenThanTheChosenOne_GivesWrong()
    {
        var step0 = Prompt();
        Assert.Equal(Models.WrongToken, Argmax(Step(Expected[0] + 1, SelfPresent(step0), CrossPresent(step0))));
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void CrossAttentionCacheFromALaterStep_GivesWrong()
    {
        var step0 = Prompt();
        var step1 = Step(Expected[0], SelfPresent(step0), CrossPresent(step0));

        // With use_cache_branch=true the encoder presents are empty dummies, as in Optimum's merged decoder.
        Assert.Equal(0, step1[3].GetTensorTypeAndShape().Shape[2]);
        Assert.Equal(Models.WrongToken, Argmax(Step(Expected[1], SelfPresent(step1), CrossPresent(step1))));
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void NoCacheBranchForLaterSteps_GivesWrong()
    {
        var step0 = Prompt();
        Assert.Equal(Models.WrongToken, Argmax(Step(Expected[0], SelfPresent(step0), CrossPresent(step0), useCache: false)));
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void SwappedLayersOrKeysAndValues_GiveWrong()
    {
        var step0 = Prompt();
        var self = SelfPresent(step0);
        OrtValue[] swappedLayers = [self[2], self[3], self[0], self[1]];
        Assert.Equal(Models.WrongToken, Argmax(Step(Expected[0], swappedLayers, CrossPresent(step0))));
        OrtValue[] swappedKv = [self[1], self[0], self[2], self[3]];
        Assert.Equal(Models.WrongToken, Argmax(Step(Expected[0], swappedKv, CrossPresent(step0))));
        var cross = CrossPresent(step0);
        OrtValue[] swappedCross = [cross[2], cross[3], cross[0], cross[1]];
        Assert.Equal(Models.WrongToken, Argmax(Step(Expected[0], self, swappedCross)));
    }

    private OrtValue[] Prompt()
    {
        var tokenizer = Models.Tokenizer;
        var empty = Empty();
        return Run([tokenizer.StartOfTranscript, tokenizer.NoTimestamps], false,
            Enumerable.Repeat(empty, 2 * Layers).ToArray(), Enumerable.Repeat(empty, 2 * Layers).ToArray());
    }

    private OrtValue[] Step(int token, OrtValue[] self, OrtValue[] cross, bool useCache = true) => Run([token], useCache, self, cross);

    private OrtValue[] Run(long[] ids, bool useCache, OrtValue[] self, OrtValue[] cross)
    {
        var (_, decoder, hidden) = _model.Value;
        var names = new List<string> { "input_ids", "encoder_hidden_states", "use_cache_branch" };
        var values = new List<OrtValue>
        {
            Track(OrtValue.CreateTensorValueFromMemory(ids, [1, ids.Length])),
            hidden,
            Track(OrtValue.CreateTensorValueFromMemory(new[] { useCache }, [1])),
        };
        for (var i = 0; i < Layers; i++)
        {
            names.AddRange([$"past_key_values.{i}.decoder.key", $"past_key_values.{i}.decoder.value", $"past_key_values.{i}.encoder.key", $"past_key_values.{i}.encoder.value"]);
            values.AddRange([self[2 * i], self[(2 * i) + 1], cross[2 * i], cross[(2 * i) + 1]]);
        }

        var outputs = new List<string> { "logits" };
        for (var i = 0; i < Layers; i++)
        {
            outputs.AddRange([$"present.{i}.decoder.key", $"present.{i}.decoder.value", $"present.{i}.encoder.key", $"present.{i}.encoder.value"]);
        }

        return [.. Track(decoder.Run(Track(new RunOptions()), names, values, outputs))];
    }

    private static OrtValue[] SelfPresent(OrtValue[] outputs) => [outputs[1], outputs[2], outputs[5], outputs[6]];

    private static OrtValue[] CrossPresent(OrtValue[] outputs) => [outputs[3], outputs[4], outputs[7], outputs[8]];

    private OrtValue Empty() =>
        Track(OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, TensorElementType.Float, [1, WhisperTestModels.Heads, 0, WhisperTestModels.HeadDim]));

    /// <summary>Argmax of the last position's logits, skipping tokens the engine would suppress (trap logits).</summary>
    private static int Argmax(OrtValue[] outputs)
    {
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        var vocabulary = (int)shape[2];
        var row = outputs[0].GetTensorDataAsSpan<float>().Slice((int)(shape[1] - 1) * vocabulary, vocabulary);
        var best = 0;
        for (var v = 0; v < vocabulary; v++)
        {
            if (row[v] >= 25f)
            {
                continue; // a trap for the engine's suppression, not part of this check
            }

            if (row[v] > row[best])
            {
                best = v;
            }
        }

        return best;
    }

    private T Track<T>(T value)
        where T : IDisposable
    {
        _disposables.Add(value);
        return value;
    }
}
