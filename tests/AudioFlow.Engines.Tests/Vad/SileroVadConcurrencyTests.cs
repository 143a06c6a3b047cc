using AudioFlow.Engines.Vad;
using Xunit;

namespace AudioFlow.Engines.Tests.Vad;

/// <summary>One model, many calls on many threads at once: each gets what it gets when run alone.</summary>
[Collection(SileroVadCollection.Name)]
public sealed class SileroVadConcurrencyTests(SileroVadFixture fixture)
{
    [Fact]
    public async Task ParallelSessions_MatchSequentialResults()
    {
        var model = fixture.Model;
        var calls = Enumerable.Range(0, 8).Select(i =>
        {
            int rate = i % 2 == 0 ? 16000 : 8000;
            var pcm = i % 3 == 2 ? VadTestAudio.Noise(rate * 2, 200, i) : VadTestAudio.Voiceish(rate, 2.0, seed: 40 + i);
            return (Rate: rate, Windows: VadTestAudio.Windows(pcm, model.WindowSamples(rate)));
        }).ToArray();

        var sequential = calls.Select(c => Run(model, c.Rate, c.Windows)).ToArray();

        // Also a batch running concurrently on its own sessions.
        var batchCalls = calls.Where(c => c.Rate == 16000).ToArray();
        var batchSequential = RunBatched(model, batchCalls.Select(c => c.Windows).ToArray());

        for (int round = 0; round < 3; round++)
        {
            using var start = new Barrier(calls.Length + 1);
            var tasks = calls.Select(c => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                return Run(model, c.Rate, c.Windows);
            }, TaskCreationOptions.LongRunning)).ToList();
            var batchTask = Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                return RunBatched(model, batchCalls.Select(c => c.Windows).ToArray());
            }, TaskCreationOptions.LongRunning);
            await Task.WhenAll([.. tasks, batchTask]).WaitAsync(TimeSpan.FromSeconds(60));

            for (int i = 0; i < calls.Length; i++)
            {
                AssertClose(sequential[i], await tasks[i], $"round {round}, call {i}");
            }
            for (int i = 0; i < batchCalls.Length; i++)
            {
                AssertClose(batchSequential[i], (await batchTask)[i], $"round {round}, batched call {i}");
            }
        }
    }

    private static float[] Run(SileroVadModel model, int rate, float[][] windows)
    {
        using var session = model.CreateSession(rate);
        return windows.Select(w => session.Process(w)).ToArray();
    }

    private static float[][] RunBatched(SileroVadModel model, float[][][] windows)
    {
        var sessions = windows.Select(_ => (IVadSession)model.CreateSession(16000)).ToList();
        int steps = windows.Min(w => w.Length);
        var result = windows.Select(_ => new float[steps]).ToArray();
        var p = new float[sessions.Count];
        for (int t = 0; t < steps; t++)
        {
            model.ProcessBatch(sessions, windows.Select(w => w[t]).ToList(), p);
            for (int i = 0; i < sessions.Count; i++)
            {
                result[i][t] = p[i];
            }
        }
        foreach (var s in sessions)
        {
            ((IDisposable)s).Dispose();
        }
        return result;
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-6, $"{what}, window {k}: parallel {actual[k]} vs sequential {expected[k]}");
        }
    }
}
