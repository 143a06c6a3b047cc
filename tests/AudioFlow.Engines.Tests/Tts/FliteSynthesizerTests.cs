using System.Diagnostics;
using AudioFlow.Engines.Tts;
using AudioFlow.Engines.Tts.Flite;
using Xunit;

namespace AudioFlow.Engines.Tests.Tts;

[Collection(NativeTtsCollection.Name)]
public sealed class FliteSynthesizerTests
{
    private const string Sentence = "opening hours please";

    private static readonly FliteOptions Raw = new() { TrimSilence = null };

    [FliteTheory]
    [InlineData("slt", 16000)]
    [InlineData("kal", 8000)]
    [InlineData("kal16", 16000)]
    [InlineData("rms", 16000)]
    [InlineData("awb", 16000)]
    public void Each_voice_synthesizes_plausible_non_silent_audio_at_its_rate(string voice, int sampleRate)
    {
        using var tts = new FliteSynthesizer(new FliteOptions { Voice = voice });

        short[] audio = tts.Synthesize(Sentence, CancellationToken.None);

        Assert.Equal(sampleRate, tts.SampleRate);
        Assert.Equal($"flite/{voice}", tts.Name);
        Assert.InRange(TtsAudio.Seconds(audio, tts.SampleRate), 0.5, 4.0);
        Assert.True(TtsAudio.Rms(audio) > 300, $"RMS {TtsAudio.Rms(audio):F0} is too low for speech.");
    }

    [FliteFact]
    public void Longer_text_gives_longer_audio()
    {
        using var tts = new FliteSynthesizer();

        short[] shortAudio = tts.Synthesize("Good morning.", CancellationToken.None);
        short[] longAudio = tts.Synthesize("Good morning, our opening hours are nine to five on weekdays.", CancellationToken.None);

        Assert.True(longAudio.Length > 2 * shortAudio.Length, $"{longAudio.Length} vs {shortAudio.Length}");
    }

    [FliteTheory(Cli = "flite")]
    [InlineData("slt")]
    [InlineData("kal")]
    [InlineData("awb")]
    public void Matches_the_flite_command_line_exactly(string voice)
    {
        using var tts = new FliteSynthesizer(Raw with { Voice = voice });
        const string text = "Our office is open from nine until five, Monday to Friday.";

        short[] library = tts.Synthesize(text, CancellationToken.None);
        TtsWav.Audio cli = TtsAudio.RunCli("flite", "-voice", voice, "-t", text, "-o", "{wav}");

        Assert.Equal(tts.SampleRate, cli.SampleRate);
        Assert.Equal(1, cli.Channels);
        Assert.Equal(cli.Samples.Length, library.Length);
        // Deterministic mode reseeds rand() as a fresh CLI process has it, so the samples are identical.
        Assert.True(cli.Samples.AsSpan().SequenceEqual(library), "samples differ from the flite CLI");
    }

    [FliteFact]
    public void Same_sentence_gives_identical_audio_every_time()
    {
        using var tts = new FliteSynthesizer();

        short[] first = tts.Synthesize(Sentence, CancellationToken.None);
        tts.Synthesize("Something else in between.", CancellationToken.None);
        short[] second = tts.Synthesize(Sentence, CancellationToken.None);

        Assert.Equal(first, second);
    }

    [FliteFact]
    public void Concurrent_synthesis_gives_the_same_audio_as_sequential()
    {
        using var tts = new FliteSynthesizer(Raw);
        using var kal = new FliteSynthesizer(Raw with { Voice = "kal" });
        (ISpeechSynthesizer Engine, string Text)[] jobs =
        [
            (tts, "Your appointment is confirmed for Tuesday."),
            (tts, "Please hold while I transfer you to a colleague."),
            (kal, "The pharmacy closes at six in the evening."),
            (tts, "I did not catch that, could you repeat it?"),
        ];
        short[][] sequential = jobs.Select(j => j.Engine.Synthesize(j.Text, CancellationToken.None)).ToArray();

        var results = new short[jobs.Length][][];
        using var start = new Barrier(jobs.Length);
        Thread[] threads = jobs.Select((job, t) => new Thread(() =>
        {
            start.SignalAndWait();
            results[t] = Enumerable.Range(0, 3).Select(_ => job.Engine.Synthesize(job.Text, CancellationToken.None)).ToArray();
        })).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        for (int t = 0; t < jobs.Length; t++)
        {
            foreach (short[] audio in results[t])
            {
                Assert.True(sequential[t].AsSpan().SequenceEqual(audio), $"job {t} differs from its sequential synthesis");
            }
        }
    }

    [FliteFact]
    public void Cancellation_aborts_a_long_synthesis_and_the_engine_stays_usable()
    {
        using var tts = new FliteSynthesizer(Raw);
        string longText = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog near the riverbank today. ", 12));
        short[] reference = tts.Synthesize(Sentence, CancellationToken.None);
        var watch = Stopwatch.StartNew();
        tts.Synthesize(longText, CancellationToken.None);
        double fullMs = watch.Elapsed.TotalMilliseconds;

        // Cancel from a dedicated thread (a timer would need a free thread-pool thread).
        using var cts = new CancellationTokenSource();
        watch.Restart();
        var canceller = new Thread(() =>
        {
            Thread.Sleep(20);
            cts.Cancel();
        });
        canceller.Start();
        Assert.ThrowsAny<OperationCanceledException>(() => tts.Synthesize(longText, cts.Token));
        double abortedMs = watch.Elapsed.TotalMilliseconds;
        canceller.Join();

        // Flite can only stop once it generates the waveform; its text analysis (about a third of the time
        // for slt) runs to the end first.
        Assert.True(abortedMs < 0.7 * fullMs, $"aborted after {abortedMs:F0} ms; the full synthesis took {fullMs:F0} ms");
        Assert.Equal(reference, tts.Synthesize(Sentence, CancellationToken.None));
    }

    [FliteFact]
    public void A_cancelled_token_throws_before_synthesising()
    {
        using var tts = new FliteSynthesizer();

        Assert.ThrowsAny<OperationCanceledException>(() => tts.Synthesize(Sentence, new CancellationToken(canceled: true)));
    }

    [FliteFact]
    public void Duration_stretch_slows_down_only_its_own_synthesizer()
    {
        using var normal = new FliteSynthesizer(Raw);
        using var slow = new FliteSynthesizer(Raw with { DurationStretch = 1.5f });

        short[] before = normal.Synthesize(Sentence, CancellationToken.None);
        short[] stretched = slow.Synthesize(Sentence, CancellationToken.None);
        short[] after = normal.Synthesize(Sentence, CancellationToken.None);

        Assert.InRange((double)stretched.Length / before.Length, 1.3, 1.7);
        Assert.Equal(before, after);
    }

    [FliteFact]
    public void Empty_or_blank_text_gives_no_audio()
    {
        using var tts = new FliteSynthesizer();

        Assert.Empty(tts.Synthesize("", CancellationToken.None));
        Assert.Empty(tts.Synthesize(" \t\r\n ", CancellationToken.None));
        Assert.Empty(tts.Synthesize("😀🎉 中文", CancellationToken.None));
    }

    [FliteFact]
    public void Text_the_engine_cannot_speak_does_not_crash()
    {
        using var tts = new FliteSynthesizer();
        using var fast = new FliteSynthesizer(new FliteOptions { Voice = "kal" }); // same front end, 10x faster back end
        string[] awkward =
        [
            "\u0001\u0007\u001b[31m", "<speak><break time=\"3s\"/></speak>", "\ud800 lone surrogate \udfff", "?!...;;;",
            "1234567890123456789012345678901234567890", "a\0b", new string('x', 100), "https://example.com/a?b=c&d=e#f",
            "¯\\_(ツ)_/¯", "$$$ %%% ^^^ ||| ~~~", "3.14159e-10 -0.5 1/3 12:30:45 1,000,000.00", "'''\"\"\"```",
        ];
        foreach (string text in awkward)
        {
            Assert.NotNull(tts.Synthesize(text, CancellationToken.None));
        }

        var random = new Random(1234);
        const string alphabet = "abcXYZ019 .,;:!?'\"()[]{}<>-_/\\@#$%^&*+=~`|\n\té€😀";
        for (int i = 0; i < 60; i++)
        {
            string text = new(Enumerable.Range(0, random.Next(1, 30)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            Assert.NotNull(fast.Synthesize(text, CancellationToken.None));
        }

        Assert.NotEmpty(tts.Synthesize(Sentence, CancellationToken.None));
    }

    [FliteFact]
    public void Accented_and_typographic_characters_are_read_as_their_ascii_forms()
    {
        using var tts = new FliteSynthesizer(Raw);

        short[] folded = tts.Synthesize("The café’s crème brûlée — “naïve” … really.", CancellationToken.None);
        short[] ascii = tts.Synthesize("The cafe's creme brulee - \"naive\" ... really.", CancellationToken.None);

        Assert.Equal(ascii, folded);
    }

    [FliteFact]
    public void Unknown_voice_is_reported_with_the_available_voices_and_the_package()
    {
        var error = Assert.Throws<SpeechSynthesisException>(() => new FliteSynthesizer(new FliteOptions { Voice = "hal9000" }));

        Assert.Contains("hal9000", error.Message);
        Assert.Contains("slt", error.Message);
        Assert.Contains("libflite1", error.Message);
    }

    [FliteFact]
    public void Trimming_keeps_about_50_ms_of_silence_at_each_end()
    {
        using var raw = new FliteSynthesizer(Raw);
        using var trimmed = new FliteSynthesizer();

        short[] untrimmed = raw.Synthesize(Sentence, CancellationToken.None);
        short[] audio = trimmed.Synthesize(Sentence, CancellationToken.None);

        int rate = trimmed.SampleRate;
        Assert.InRange(TtsAudio.FirstAudible(audio), 0, (int)(0.07 * rate));
        Assert.InRange(TtsAudio.TrailingQuiet(audio), 0, (int)(0.07 * rate));
        Assert.True(audio.Length < untrimmed.Length, $"{audio.Length} vs {untrimmed.Length}");
    }
}
