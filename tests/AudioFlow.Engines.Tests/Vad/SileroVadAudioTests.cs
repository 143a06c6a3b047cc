using System.Diagnostics;
using Xunit;

namespace AudioFlow.Engines.Tests.Vad;

/// <summary>
/// Real inference on real speech. "Speech" and "quiet" windows are labelled from the signal level alone
/// (independent of the model): loud windows must score high, windows in stretches of quiet must score low.
/// 8 kHz runs use the same recordings decimated by <see cref="HalfbandDecimator"/>, checked against sox below.
/// </summary>
[Collection(SileroVadCollection.Name)]
public sealed class SileroVadAudioTests(SileroVadFixture fixture)
{
    private const double LoudDbfs = -25;  // a window this loud in these clean recordings is speech
    private const double QuietDbfs = -35; // a window whose ±0.25 s neighbourhood stays below this is a pause

    [RequiresFileFact(VadTestPaths.JfkWav)]
    public void Jfk_16k_HighOnSpeechLowOnPauses() => AssertSpeechAndPauses(VadTestPaths.JfkWav, 16000);

    [RequiresFileFact(VadTestPaths.JfkWav)]
    public void Jfk_8k_HighOnSpeechLowOnPauses() => AssertSpeechAndPauses(VadTestPaths.JfkWav, 8000);

    [RequiresFileFact(VadTestPaths.SileroTestWav)]
    public void SileroTest_16k_HighOnSpeechLowOnPauses() => AssertSpeechAndPauses(VadTestPaths.SileroTestWav, 16000);

    [RequiresFileFact(VadTestPaths.SileroTestWav)]
    public void SileroTest_8k_HighOnSpeechLowOnPauses() => AssertSpeechAndPauses(VadTestPaths.SileroTestWav, 8000);

    [RequiresFileFact(VadTestPaths.JfkWav)]
    public void Speech_BetweenDigitalSilenceAndLowNoise_IsSeparated()
    {
        foreach (int rate in new[] { 16000, 8000 })
        {
            var (_, jfk16) = VadTestPaths.ReadShared(VadTestPaths.JfkWav);
            var speech = rate == 16000 ? jfk16 : HalfbandDecimator.Decimate(jfk16);
            int window = fixture.Model.WindowSamples(rate);
            // 2 s digital silence | speech | 2 s digital silence | 3 s white noise at about -50 dBFS
            var pcm = new short[2 * rate]
                .Concat(speech)
                .Concat(new short[2 * rate])
                .Concat(VadTestAudio.Noise(3 * rate, rms: 100, seed: 3))
                .ToArray();
            var p = VadTestAudio.Probabilities(fixture.Model, rate, pcm);

            int speechStart = 2 * rate / window, speechEnd = (2 * rate + speech.Length) / window;
            var leadingSilence = p[..speechStart];
            // Give the model 0.75 s after the last word to come back down.
            var trailing = p[(speechEnd + (int)(0.75 * rate / window))..];
            var during = p[speechStart..speechEnd];

            Assert.True(leadingSilence.Max() < 0.1, $"{rate} Hz: digital silence before speech scored up to {leadingSilence.Max():F3}");
            Assert.True(trailing.Max() < 0.2, $"{rate} Hz: silence/low noise after speech scored up to {trailing.Max():F3}");
            double speechFraction = during.Count(x => x > 0.5) / (double)during.Length;
            Assert.True(speechFraction > 0.55, $"{rate} Hz: only {speechFraction:P0} of the speech part scored > 0.5");
        }
    }

    [RequiresFileFact(VadTestPaths.Aepyx8kWav)]
    public void NativeTelephony8k_IsMostlySpeechWithQuietStart()
    {
        var (rate, all) = VadTestPaths.ReadShared(VadTestPaths.Aepyx8kWav);
        Assert.Equal(8000, rate);
        var p = VadTestAudio.Probabilities(fixture.Model, 8000, all.AsSpan(0, 20 * rate));
        double speechFraction = p.Count(x => x > 0.5) / (double)p.Length;
        Assert.InRange(speechFraction, 0.6, 0.97);
        // The first second of the recording is background before the first word.
        Assert.True(p[..(rate / 256)].Max() < 0.5, $"the opening background scored up to {p[..(rate / 256)].Max():F3}");
    }

    /// <summary>The test decimator is a faithful 16 to 8 kHz resampler: close to sox, and the VAD agrees on both.</summary>
    [RequiresFileFact(VadTestPaths.JfkWav, Tool = "sox")]
    public void Decimator_MatchesSox()
    {
        var source = VadTestPaths.FromRepoRoot(VadTestPaths.JfkWav)!;
        var target = Path.Combine(Path.GetTempPath(), $"audioflow-vad-{Guid.NewGuid():N}.wav");
        try
        {
            using (var sox = Process.Start(new ProcessStartInfo("sox", [source, "-r", "8000", "-b", "16", target]) { RedirectStandardError = true })!)
            {
                string err = sox.StandardError.ReadToEnd();
                sox.WaitForExit();
                Assert.True(sox.ExitCode == 0, $"sox failed: {err}");
            }
            var (soxRate, bySox) = Pcm16Wav.Read(target);
            Assert.Equal(8000, soxRate);
            var (_, jfk) = VadTestPaths.ReadShared(VadTestPaths.JfkWav);
            var ours = HalfbandDecimator.Decimate(jfk);

            int n = Math.Min(ours.Length, bySox.Length);
            double signal = 0, error = 0;
            for (int i = 200; i < n - 200; i++)
            {
                signal += (double)bySox[i] * bySox[i];
                error += (double)(ours[i] - bySox[i]) * (ours[i] - bySox[i]);
            }
            double snr = 10 * Math.Log10(signal / error);
            Assert.True(snr > 30, $"decimator differs from sox: SNR {snr:F1} dB");

            var pOurs = VadTestAudio.Probabilities(fixture.Model, 8000, ours.AsSpan(0, n));
            var pSox = VadTestAudio.Probabilities(fixture.Model, 8000, bySox.AsSpan(0, n));
            double meanAbs = pOurs.Zip(pSox, (a, b) => Math.Abs(a - b)).Average();
            Assert.True(meanAbs < 0.03, $"VAD on our decimation vs sox's differs by {meanAbs:F3} on average");
        }
        finally
        {
            File.Delete(target);
        }
    }

    private void AssertSpeechAndPauses(string file, int rate)
    {
        var (fileRate, pcm16) = VadTestPaths.ReadShared(file);
        Assert.Equal(16000, fileRate);
        var pcm = rate == 16000 ? pcm16 : HalfbandDecimator.Decimate(pcm16);
        int window = fixture.Model.WindowSamples(rate);

        var p = VadTestAudio.Probabilities(fixture.Model, rate, pcm);
        var level = VadTestAudio.WindowLevels(pcm, window);
        int reach = (int)Math.Round(0.25 * rate / window);

        var loud = Enumerable.Range(0, p.Length).Where(i => level[i] > LoudDbfs).ToArray();
        var quiet = Enumerable.Range(0, p.Length)
            .Where(i => Enumerable.Range(Math.Max(0, i - reach), Math.Min(p.Length, i + reach + 1) - Math.Max(0, i - reach))
                .All(j => level[j] < QuietDbfs))
            .ToArray();
        Assert.True(loud.Length >= 50, $"{file}: only {loud.Length} loud windows; the level labelling no longer fits the file");
        Assert.True(quiet.Length >= 20, $"{file}: only {quiet.Length} quiet windows; the level labelling no longer fits the file");

        double loudHigh = loud.Count(i => p[i] > 0.5) / (double)loud.Length;
        double loudMean = loud.Average(i => p[i]);
        double quietLow = quiet.Count(i => p[i] < 0.2) / (double)quiet.Length;
        double quietMean = quiet.Average(i => p[i]);
        string summary = $"{file} at {rate} Hz: loud windows {loud.Length} ({loudHigh:P1} > 0.5, mean {loudMean:F3}); " +
                         $"quiet windows {quiet.Length} ({quietLow:P1} < 0.2, mean {quietMean:F3})";
        Assert.True(loudHigh >= 0.95 && loudMean >= 0.9, summary);
        Assert.True(quietLow >= 0.85 && quietMean <= 0.15, summary);
    }
}
