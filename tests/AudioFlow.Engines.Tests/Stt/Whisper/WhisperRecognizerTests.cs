using System.Diagnostics;
using AudioFlow.Engines.Stt;
using AudioFlow.Engines.Stt.Whisper;
using Xunit;
using Xunit.Abstractions;

namespace AudioFlow.Engines.Tests.Stt.Whisper;

/// <summary>One recognizer on the "ok" test model, created on first use (tests that need no model never build it).</summary>
public sealed class WhisperRecognizerFixture : IDisposable
{
    private readonly Lazy<WhisperRecognizer> _recognizer = new(() =>
        new WhisperRecognizer(new WhisperOptions { ModelDirectory = WhisperTestModels.Get().Ok }));

    internal WhisperTestModels Models => WhisperTestModels.Get();

    public WhisperRecognizer Recognizer => _recognizer.Value;

    public void Dispose()
    {
        if (_recognizer.IsValueCreated)
        {
            _recognizer.Value.Dispose();
        }
    }
}

/// <summary>
/// <see cref="WhisperRecognizer"/> end to end on the tiny models of Models/build_test_models.py (real
/// export signature, real tiny.en tokenizer, decoder logits that depend on correct KV-cache handling).
/// </summary>
public sealed class WhisperRecognizerTests(WhisperRecognizerFixture fixture, ITestOutputHelper output) : IClassFixture<WhisperRecognizerFixture>
{
    private static short[] Silence(double seconds) => new short[(int)(seconds * 16000)];

    [WhisperPythonFact(NeedsOnnx = true)]
    public void Jfk_IsTranscribedExactly_ThroughTheCache()
    {
        var recognizer = fixture.Recognizer;
        output.WriteLine($"test models built in {fixture.Models.BuildTime.TotalMilliseconds:F0} ms");
        var result = recognizer.RecognizeDetailed(WhisperAudio.JfkPcm, RecognitionContext.FreeForm, CancellationToken.None);

        Assert.Equal(WhisperAudio.JfkTranscript, result.Transcript.Text);
        Assert.False(result.Transcript.FromGrammar);
        Assert.True(result.Transcript.Confidence > 0.99f, $"confidence {result.Transcript.Confidence}");
        var window = Assert.Single(result.Windows);
        Assert.Equal(fixture.Models.Tokenizer.Encode(" " + WhisperAudio.JfkTranscript), window.Tokens);
        Assert.True(window.ReachedEndOfText);
        Assert.False(window.SkippedAsNoSpeech);
        Assert.True(window.NoSpeechProbability < 1e-6f);
        Assert.Equal(window.Tokens.Count + 1, window.DecoderSteps); // prompt step + one per further token incl. <|endoftext|>
        Assert.Null(window.Language);
        output.WriteLine(
            $"front end {window.FrontEndTime.TotalMilliseconds:F1} ms, encoder {window.EncoderTime.TotalMilliseconds:F1} ms, " +
            $"decoder {window.DecoderTime.TotalMilliseconds:F1} ms for {window.DecoderSteps} steps");
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void DecoderStep_Speed()
    {
        var recognizer = fixture.Recognizer;
        recognizer.Recognize(WhisperAudio.JfkPcm, RecognitionContext.FreeForm, CancellationToken.None);
        var best = double.MaxValue;
        WhisperWindowResult? window = null;
        for (var run = 0; run < 5; run++)
        {
            var result = recognizer.RecognizeDetailed(WhisperAudio.JfkPcm, RecognitionContext.FreeForm, CancellationToken.None);
            window = result.Windows[0];
            best = Math.Min(best, window.DecoderTime.TotalMilliseconds / window.DecoderSteps);
        }

        output.WriteLine(
            $"test model: {best:F2} ms per decoder step (vocabulary 51864, 2 layers; engine overhead + ORT), " +
            $"front end {window!.FrontEndTime.TotalMilliseconds:F1} ms, encoder {window.EncoderTime.TotalMilliseconds:F1} ms");
        Assert.True(best < 50, $"{best} ms per step");
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void ModelInfo_ComesFromTheSignatureAndConfig()
    {
        var info = fixture.Recognizer.Info;
        Assert.Equal(WhisperTestModels.Layers, info.DecoderLayers);
        Assert.Equal(WhisperTestModels.Heads, info.DecoderHeads);
        Assert.Equal(WhisperTestModels.HeadDim, info.HeadDim);
        Assert.Equal(8, info.DModel);
        Assert.Equal(80, info.MelBins);
        Assert.Equal(51864, info.VocabularySize);
        Assert.False(info.IsMultilingual);
        Assert.Equal("computed (slaney)", info.MelFilterSource);
        Assert.Equal("whisper", fixture.Recognizer.Name);
        Assert.Equal(16000, fixture.Recognizer.SampleRate);
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void Silence_IsEmpty_ByTheNoSpeechRule()
    {
        var result = fixture.Recognizer.RecognizeDetailed(Silence(2), RecognitionContext.FreeForm, CancellationToken.None);

        Assert.Same(Transcript.Empty, result.Transcript);
        var window = Assert.Single(result.Windows);
        Assert.True(window.SkippedAsNoSpeech);
        Assert.True(window.NoSpeechProbability > 0.9f, $"no-speech {window.NoSpeechProbability}");
        Assert.Equal(WhisperTestModels.SilenceText, window.RawText); // decoded, then vetoed (avg logprob < -1)
        Assert.True(window.AverageLogProbability < -1f);
        Assert.Equal(WhisperTestModels.SilenceText, result.RawText);
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void Silence_WithTheRuleDisabled_GivesTheLowConfidenceHallucination()
    {
        using var recognizer = new WhisperRecognizer(new WhisperOptions { ModelDirectory = fixture.Models.Ok, NoSpeechThreshold = 1f });
        var transcript = recognizer.Recognize(Silence(2), RecognitionContext.FreeForm, CancellationToken.None);

        Assert.Equal(WhisperTestModels.SilenceText, transcript.Text);
        Assert.True(transcript.Confidence < 0.01f, $"confidence {transcript.Confidence}");
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void Silence_WithoutLogProbVeto_IsSkippedWithoutDecoding()
    {
        using var recognizer = new WhisperRecognizer(new WhisperOptions { ModelDirectory = fixture.Models.Ok, LogProbThreshold = null });
        var result = recognizer.RecognizeDetailed(Silence(2), RecognitionContext.FreeForm, CancellationToken.None);

        Assert.Same(Transcript.Empty, result.Transcript);
        var window = Assert.Single(result.Windows);
        Assert.True(window.SkippedAsNoSpeech);
        Assert.Empty(window.Tokens);
        Assert.Equal(1, window.DecoderSteps);

        Assert.Equal(WhisperAudio.JfkTranscript, recognizer.Recognize(WhisperAudio.JfkPcm, RecognitionContext.FreeForm, CancellationToken.None).Text);
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void EmptyUtterance_IsEmpty()
    {
        var result = fixture.Recognizer.RecognizeDetailed([], RecognitionContext.FreeForm, CancellationToken.None);
        Assert.Same(Transcript.Empty, result.Transcript);
        Assert.Empty(result.Windows);
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void LongUtterance_IsSplitIntoEqualWindows()
    {
        var pcm = WhisperAudio.JfkPcm;
        var three = new short[3 * pcm.Length]; // 33 s -> two windows of 16.5 s, both starting with speech
        for (var i = 0; i < 3; i++)
        {
            pcm.CopyTo(three, i * pcm.Length);
        }

        var result = fixture.Recognizer.RecognizeDetailed(three, RecognitionContext.FreeForm, CancellationToken.None);
        Assert.Equal(2, result.Windows.Count);
        Assert.Equal(WhisperAudio.JfkTranscript + " " + WhisperAudio.JfkTranscript, result.Transcript.Text);
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void Batch_DecodesRowsInLockstep_LikeSingleCalls()
    {
        using var recognizer = new WhisperRecognizer(new WhisperOptions { ModelDirectory = fixture.Models.Ok, MaxBatchSize = 3, NoSpeechThreshold = 1f });
        var jfk = WhisperAudio.JfkPcm;
        ReadOnlyMemory<short>[] utterances = [jfk, Silence(1.5), jfk.AsMemory(0, 10 * 16000 + 5000), Silence(0.5), jfk, ReadOnlyMemory<short>.Empty];
        var stopwatch = Stopwatch.StartNew();
        var batch = recognizer.RecognizeBatch(utterances, RecognitionContext.FreeForm, CancellationToken.None);
        output.WriteLine($"batch of {utterances.Length}: {stopwatch.Elapsed.TotalMilliseconds:F0} ms");

        Assert.Equal(utterances.Length, batch.Count);
        for (var i = 0; i < utterances.Length; i++)
        {
            var single = recognizer.RecognizeDetailed(utterances[i].Span, RecognitionContext.FreeForm, CancellationToken.None);
            Assert.Equal(single.Transcript.Text, batch[i].Transcript.Text);
            Assert.Equal(single.Transcript.Confidence, batch[i].Transcript.Confidence, 5);
        }

        Assert.Equal(WhisperAudio.JfkTranscript, batch[0].Transcript.Text);
        Assert.Equal(WhisperTestModels.SilenceText, batch[1].Transcript.Text); // threshold 1: the rule is off
        Assert.Equal(WhisperAudio.JfkTranscript, batch[2].Transcript.Text);
        Assert.True(batch[5].Transcript.IsEmpty);

        // Rows ended at different steps (short silence text, long speech text) in one lockstep batch.
        Assert.Equal(batch[0].Windows[0].DecoderSteps, batch[1].Windows[0].DecoderSteps);
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void ConcurrentCalls_ShareOneModel()
    {
        var recognizer = fixture.Recognizer;
        var jfk = WhisperAudio.JfkPcm;
        var results = new string[8];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            results[i] = i % 2 == 0
                ? recognizer.Recognize(jfk, RecognitionContext.FreeForm, CancellationToken.None).Text
                : recognizer.Recognize(Silence(1), RecognitionContext.FreeForm, CancellationToken.None).Text;
        });

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(i % 2 == 0 ? WhisperAudio.JfkTranscript : string.Empty, results[i]);
        }
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void ExpectedPhrases_BecomeAPrompt_OnlyWhenEnabled()
    {
        var context = new RecognitionContext(WhisperTestModels.PromptPhrases);
        using (var prompted = new WhisperRecognizer(new WhisperOptions { ModelDirectory = fixture.Models.Prompt, PromptWithExpectedPhrases = true }))
        {
            var result = prompted.Recognize(WhisperAudio.JfkPcm, context, CancellationToken.None);
            Assert.Equal(WhisperAudio.JfkTranscript, result.Text);
            Assert.False(result.FromGrammar);
        }

        // The prompt model only answers correctly after "<|startofprev|> billing, technical support".
        using var plain = new WhisperRecognizer(new WhisperOptions { ModelDirectory = fixture.Models.Prompt, MaxTokens = 4 });
        var ignored = plain.Recognize(WhisperAudio.JfkPcm, context, CancellationToken.None);
        Assert.Equal("wrong wrong wrong wrong", ignored.Text);
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void Multilingual_DetectsTheLanguage_AndPromptsLanguageAndTask()
    {
        var models = fixture.Models;
        using (var detecting = new WhisperRecognizer(new WhisperOptions { ModelDirectory = models.Multilingual }))
        {
            Assert.True(detecting.Info.IsMultilingual);
            var result = detecting.RecognizeDetailed(WhisperAudio.JfkPcm, RecognitionContext.FreeForm, CancellationToken.None);
            Assert.Equal(WhisperAudio.JfkTranscript, result.Transcript.Text);
            var window = Assert.Single(result.Windows);
            Assert.Equal(WhisperTestModels.MultilingualLanguage, window.Language);
            Assert.Equal(window.Tokens.Count + 2, window.DecoderSteps); // + the language detection step

            var batch = detecting.RecognizeBatch([WhisperAudio.JfkPcm, WhisperAudio.JfkPcm], RecognitionContext.FreeForm, CancellationToken.None);
            Assert.All(batch, r => Assert.Equal(WhisperAudio.JfkTranscript, r.Transcript.Text));
        }

        using (var german = new WhisperRecognizer(new WhisperOptions { ModelDirectory = models.Multilingual, Language = "de" }))
        {
            var result = german.RecognizeDetailed(WhisperAudio.JfkPcm, RecognitionContext.FreeForm, CancellationToken.None);
            Assert.Equal(WhisperAudio.JfkTranscript, result.Transcript.Text);
            Assert.Equal(result.Windows[0].Tokens.Count + 1, result.Windows[0].DecoderSteps);
        }

        // The model only answers correctly to <|de|> <|transcribe|>.
        using var french = new WhisperRecognizer(new WhisperOptions { ModelDirectory = models.Multilingual, Language = "fr", MaxTokens = 3 });
        Assert.Equal("wrong wrong wrong", french.Recognize(WhisperAudio.JfkPcm, RecognitionContext.FreeForm, CancellationToken.None).Text);
        using var translating = new WhisperRecognizer(new WhisperOptions { ModelDirectory = models.Multilingual, Task = WhisperTask.Translate, MaxTokens = 3 });
        Assert.Equal("wrong wrong wrong", translating.Recognize(WhisperAudio.JfkPcm, RecognitionContext.FreeForm, CancellationToken.None).Text);
        Assert.Throws<SpeechEngineException>(() => new WhisperRecognizer(new WhisperOptions { ModelDirectory = models.Multilingual, Language = "xx" }));
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void MaxTokens_StopsDecoding()
    {
        using var recognizer = new WhisperRecognizer(new WhisperOptions { ModelDirectory = fixture.Models.Ok, MaxTokens = 4 });
        var result = recognizer.RecognizeDetailed(WhisperAudio.JfkPcm, RecognitionContext.FreeForm, CancellationToken.None);
        Assert.Equal("And so my fellow", result.Transcript.Text);
        Assert.False(result.Windows[0].ReachedEndOfText);
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            fixture.Recognizer.Recognize(WhisperAudio.JfkPcm, RecognitionContext.FreeForm, cancelled.Token));
    }

    [WhisperPythonFact(NeedsOnnx = true)]
    public void Disposed_Throws()
    {
        var recognizer = new WhisperRecognizer(new WhisperOptions { ModelDirectory = fixture.Models.Ok, ValidateOnLoad = false });
        recognizer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => recognizer.Recognize(WhisperAudio.JfkPcm, RecognitionContext.FreeForm, CancellationToken.None));
    }
}
