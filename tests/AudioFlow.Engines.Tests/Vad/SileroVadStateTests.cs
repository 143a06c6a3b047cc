using AudioFlow.Engines.Vad;
using Microsoft.ML.OnnxRuntime;
using Xunit;

namespace AudioFlow.Engines.Tests.Vad;

/// <summary>The recurrent state and the context are carried from window to window, per session, and Reset forgets them.</summary>
[Collection(SileroVadCollection.Name)]
public sealed class SileroVadStateTests(SileroVadFixture fixture)
{
    [Theory]
    [InlineData(16000)]
    [InlineData(8000)]
    public void History_ChangesTheResult_AndResetForgetsIt(int rate)
    {
        var model = fixture.Model;
        var windows = VadTestAudio.Windows(VadTestAudio.Voiceish(rate, 2.0, seed: 11), model.WindowSamples(rate));

        using var carried = model.CreateSession(rate);
        var streamed = windows.Select(w => carried.Process(w)).ToArray();

        // Each window alone in a fresh session (zero state, zero context) scores differently.
        var isolated = windows.Select(w =>
        {
            using var fresh = model.CreateSession(rate);
            return fresh.Process(w);
        }).ToArray();
        Assert.Equal(isolated[0], streamed[0]); // same start: nothing carried yet
        double meanDiff = streamed.Zip(isolated, (a, b) => Math.Abs(a - b)).Skip(1).Average();
        Assert.True(meanDiff > 1e-3, $"carried state made no difference (mean |diff| {meanDiff:E2})");

        // Reset gives exactly a fresh session.
        carried.Reset();
        var again = windows.Select(w => carried.Process(w)).ToArray();
        Assert.Equal(streamed, again);
    }

    /// <summary>
    /// The session against a direct ORT run of the documented Silero v5 streaming recipe: feed
    /// [last ContextSamples of the previous window (zeros at first) | window], carry stateN into state.
    /// </summary>
    [Theory]
    [InlineData(16000)]
    [InlineData(8000)]
    public void Process_MatchesDirectOrtRunOfTheStreamingRecipe(int rate)
    {
        var model = fixture.Model;
        int window = model.WindowSamples(rate), context = SileroVadModel.ContextSamples(rate);
        Assert.Equal(rate == 16000 ? (512, 64) : (256, 32), (window, context));
        var windows = VadTestAudio.Windows(VadTestAudio.Voiceish(rate, 1.0, seed: 5), window);

        using var session = model.CreateSession(rate);
        var ours = windows.Select(w => session.Process(w)).ToArray();

        using var ort = new InferenceSession(VadTestPaths.RequireSileroModel());
        using var runOptions = new RunOptions();
        var state = new float[2 * 128];
        var previous = new float[window];
        var reference = new float[windows.Length];
        for (int k = 0; k < windows.Length; k++)
        {
            var fed = previous[^context..].Concat(windows[k]).ToArray();
            using var input = OrtValue.CreateTensorValueFromMemory(fed, [1, fed.Length]);
            using var stateIn = OrtValue.CreateTensorValueFromMemory(state, [2, 1, 128]);
            using var sr = OrtValue.CreateTensorValueFromMemory(new long[] { rate }, []);
            using var results = ort.Run(runOptions, ["input", "state", "sr"], [input, stateIn, sr], ["output", "stateN"]);
            reference[k] = results[0].GetTensorDataAsSpan<float>()[0];
            state = results[1].GetTensorDataAsSpan<float>().ToArray();
            previous = windows[k];
        }

        for (int k = 0; k < windows.Length; k++)
        {
            Assert.True(Math.Abs(ours[k] - reference[k]) <= 1e-5, $"window {k}: session {ours[k]}, direct ORT {reference[k]}");
        }
    }

    [Fact]
    public void Sessions_DoNotShareState()
    {
        var model = fixture.Model;
        var speechLike = VadTestAudio.Windows(VadTestAudio.Voiceish(16000, 1.0, seed: 2), 512);
        var silence = new float[512];

        using var busy = model.CreateSession(16000);
        using var idle = model.CreateSession(16000);
        using var reference = model.CreateSession(16000);
        foreach (var w in speechLike)
        {
            busy.Process(w);
        }
        Assert.Equal(reference.Process(silence), idle.Process(silence));
    }
}
