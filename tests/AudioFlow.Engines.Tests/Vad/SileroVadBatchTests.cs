using AudioFlow.Engines.Vad;
using Xunit;

namespace AudioFlow.Engines.Tests.Vad;

/// <summary>ProcessBatch gives what each session would give on its own, and advances each session the same way.</summary>
[Collection(SileroVadCollection.Name)]
public sealed class SileroVadBatchTests(SileroVadFixture fixture)
{
    private const double Tolerance = 1e-4;

    [Theory]
    [InlineData(16000, 1, 1.0)]
    [InlineData(16000, 6, 1.0)]
    [InlineData(16000, 21, 1.0)]
    [InlineData(16000, 64, 0.5)]
    [InlineData(8000, 1, 1.0)]
    [InlineData(8000, 6, 1.0)]
    [InlineData(8000, 21, 1.0)]
    public void Batch_EqualsSingle_SyntheticAudio(int rate, int sessions, double seconds)
    {
        int samples = (int)(seconds * rate);
        var signals = Enumerable.Range(0, sessions).Select(i => (i % 4) switch
        {
            0 => VadTestAudio.Voiceish(rate, seconds, seed: 100 + i),
            1 => VadTestAudio.Noise(samples, rms: 30 + 300 * i, seed: i),
            2 => new short[samples],
            _ => VadTestAudio.Voiceish(rate, seconds, seed: 200 + i)
                .Zip(VadTestAudio.Noise(samples, 500, i), (a, b) => (short)Math.Clamp(a + b, short.MinValue, short.MaxValue))
                .ToArray(),
        }).ToList();
        AssertBatchMatchesSingle(rate, signals);
    }

    [RequiresFileFact(VadTestPaths.JfkWav, VadTestPaths.SileroTestWav)]
    public void Batch_EqualsSingle_RealSpeech_BothRates()
    {
        var (_, jfk) = VadTestPaths.ReadShared(VadTestPaths.JfkWav);
        var (_, silero) = VadTestPaths.ReadShared(VadTestPaths.SileroTestWav);
        foreach (int rate in new[] { 16000, 8000 })
        {
            int seconds = 4;
            // Different calls: different recordings, different offsets, one with speech starting late.
            var sources = new[]
            {
                jfk.AsSpan(0, seconds * 16000).ToArray(),
                jfk.AsSpan(5 * 16000, seconds * 16000).ToArray(),
                silero.AsSpan(0, seconds * 16000).ToArray(),
                silero.AsSpan(20 * 16000, seconds * 16000).ToArray(),
                silero.AsSpan(45 * 16000, seconds * 16000).ToArray(),
                new short[16000].Concat(jfk.AsSpan(0, (seconds - 1) * 16000).ToArray()).ToArray(),
            };
            var signals = sources.Select(s => rate == 16000 ? s : HalfbandDecimator.Decimate(s)).ToList();
            AssertBatchMatchesSingle(rate, signals);
        }
    }

    [Fact]
    public void Batch_RejectsBadArguments_WithoutTouchingState()
    {
        var model = fixture.Model;
        using var a = model.CreateSession(16000);
        using var b = model.CreateSession(16000);
        using var narrow = model.CreateSession(8000);
        var w = new float[512];
        var p = new float[4];

        var e = Assert.Throws<ArgumentException>(() => model.ProcessBatch([a, b], [w], p));
        Assert.Contains("2 sessions but 1 windows", e.Message);

        e = Assert.Throws<ArgumentException>(() => model.ProcessBatch([a, narrow], [w, new float[256]], p));
        Assert.Contains("one sample rate", e.Message);

        e = Assert.Throws<ArgumentException>(() => model.ProcessBatch([a, b], [w, new float[320]], p));
        Assert.Contains("exactly 512 samples", e.Message);
        Assert.Contains("windows[1] has 320", e.Message);

        e = Assert.Throws<ArgumentException>(() => model.ProcessBatch([a, a], [w, w], p));
        Assert.Contains("more than once", e.Message);

        e = Assert.Throws<ArgumentException>(() => model.ProcessBatch([a, b], [w, w], new float[1]));
        Assert.Contains("Room for 1 probabilities but 2 sessions", e.Message);

        e = Assert.Throws<ArgumentException>(() => model.ProcessBatch([a, new ForeignSession()], [w, w], p));
        Assert.Contains("sessions[1] was not created by this SileroVadModel", e.Message);

        model.ProcessBatch([], [], Span<float>.Empty); // an empty batch is a no-op

        // None of the rejected calls advanced a session.
        using var fresh = model.CreateSession(16000);
        var probe = VadTestAudio.Windows(VadTestAudio.Voiceish(16000, 0.2, seed: 9), 512)[0];
        float expected = fresh.Process(probe);
        Assert.Equal(expected, a.Process(probe));
        Assert.Equal(expected, b.Process(probe));
    }

    [Fact]
    public void Batch_RejectsDisposedSession()
    {
        var model = fixture.Model;
        var s = model.CreateSession(16000);
        s.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.ProcessBatch([s], [new float[512]], new float[1]));
        Assert.Throws<ObjectDisposedException>(() => s.Process(new float[512]));
    }

    /// <summary>
    /// Drives one set of sessions window by window alone and a twin set through ProcessBatch. The batch
    /// membership and order change from step to step, and the left-out twins take that step through
    /// Process, so the two paths must also hand state to each other correctly.
    /// </summary>
    private void AssertBatchMatchesSingle(int rate, IReadOnlyList<short[]> signals)
    {
        var model = fixture.Model;
        int n = signals.Count;
        var windows = signals.Select(s => VadTestAudio.Windows(s, model.WindowSamples(rate))).ToArray();
        int steps = windows.Min(w => w.Length);
        var single = Enumerable.Range(0, n).Select(_ => model.CreateSession(rate)).ToArray();
        var twins = Enumerable.Range(0, n).Select(_ => model.CreateSession(rate)).ToArray();
        var rnd = new Random(n * 31 + rate);
        double maxDiff = 0;
        var probabilities = new float[n];
        try
        {
            for (int t = 0; t < steps; t++)
            {
                var expected = Enumerable.Range(0, n).Select(i => single[i].Process(windows[i][t])).ToArray();

                // Usually everyone, in a shuffled order; every fourth step a random subset.
                var order = Enumerable.Range(0, n).OrderBy(_ => rnd.Next()).ToList();
                var inBatch = t % 4 == 3 && n > 1 ? order.Take(1 + rnd.Next(n - 1)).ToList() : order;
                model.ProcessBatch(
                    inBatch.Select(i => (IVadSession)twins[i]).ToList(),
                    inBatch.Select(i => windows[i][t]).ToList(),
                    probabilities);
                for (int k = 0; k < inBatch.Count; k++)
                {
                    int i = inBatch[k];
                    double diff = Math.Abs(probabilities[k] - expected[i]);
                    maxDiff = Math.Max(maxDiff, diff);
                    Assert.True(diff <= Tolerance, $"{rate} Hz, step {t}, session {i} (batch of {inBatch.Count}): batch {probabilities[k]}, single {expected[i]}");
                }
                foreach (int i in order.Except(inBatch))
                {
                    float p = twins[i].Process(windows[i][t]);
                    Assert.True(Math.Abs(p - expected[i]) <= Tolerance, $"{rate} Hz, step {t}, session {i} (left out): {p} vs {expected[i]}");
                }
            }
        }
        finally
        {
            foreach (var s in single.Concat(twins))
            {
                s.Dispose();
            }
        }
        Assert.True(steps > 10, "too few windows to exercise the state");
    }

    private sealed class ForeignSession : IVadSession
    {
        public int SampleRate => 16000;
        public int WindowSamples => 512;
        public float Process(ReadOnlySpan<float> window) => 0;
        public void Reset() { }
        public void Dispose() { }
    }
}
