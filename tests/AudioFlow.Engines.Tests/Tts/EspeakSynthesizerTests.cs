using System.Diagnostics;
using AudioFlow.Engines.Tts;
using AudioFlow.Engines.Tts.Espeak;
using Xunit;

namespace AudioFlow.Engines.Tests.Tts;

[Collection(NativeTtsCollection.Name)]
public sealed class EspeakSynthesizerTests
{
    private const string Sentence = "opening hours please";

    private static readonly EspeakOptions Raw = new() { TrimSilence = null };

    [EspeakFact]
    public void Synthesizes_plausible_non_silent_audio_at_the_declared_rate()
    {
        using var tts = new EspeakSynthesizer();

        short[] audio = tts.Synthesize(Sentence, CancellationToken.None);

        Assert.Equal(22050, tts.SampleRate);
        Assert.Equal("espeak-ng/en-us", tts.Name);
        Assert.InRange(TtsAudio.Seconds(audio, tts.SampleRate), 0.5, 4.0);
        Assert.True(TtsAudio.Rms(audio) > 1000, $"RMS {TtsAudio.Rms(audio):F0} is too low for speech.");
    }

    [EspeakFact]
    public void Longer_text_gives_longer_audio_and_higher_rate_shorter_audio()
    {
        using var tts = new EspeakSynthesizer();
        using var fast = new EspeakSynthesizer(new EspeakOptions { RateWordsPerMinute = 320 });

        short[] shortAudio = tts.Synthesize("Good morning.", CancellationToken.None);
        short[] longAudio = tts.Synthesize("Good morning, our opening hours are nine to five on weekdays.", CancellationToken.None);
        short[] fastAudio = fast.Synthesize("Good morning, our opening hours are nine to five on weekdays.", CancellationToken.None);

        Assert.True(longAudio.Length > 2 * shortAudio.Length, $"{longAudio.Length} vs {shortAudio.Length}");
        Assert.True(fastAudio.Length < 0.75 * longAudio.Length, $"{fastAudio.Length} vs {longAudio.Length}");
    }

    [EspeakFact(Cli = "espeak-ng")]
    public void Matches_the_espeak_ng_command_line()
    {
        using var tts = new EspeakSynthesizer(Raw);
        const string text = "Our office is open from nine until five, Monday to Friday.";

        short[] library = tts.Synthesize(text, CancellationToken.None);
        TtsWav.Audio cli = TtsAudio.RunCli("espeak-ng", "-v", "en-us", "-w", "{wav}", text);

        Assert.Equal(tts.SampleRate, cli.SampleRate);
        Assert.Equal(1, cli.Channels);
        // Not bit-exact in general: eSpeak's wave generator carries state (e.g. pitch flutter phase) from
        // one synthesis to the next, and only the CLI's is fresh (the first synthesis of a process is
        // bit-identical). Length (within a few %) and energy envelope must agree.
        Assert.InRange((double)library.Length / cli.Samples.Length, 0.95, 1.05);
        double correlation = TtsAudio.EnvelopeSimilarity(library, cli.Samples, tts.SampleRate, maxShiftMs: 100);
        Assert.True(correlation > 0.98, $"envelope correlation {correlation:F3}");
    }

    [EspeakFact]
    public void Concurrent_synthesis_gives_the_same_audio_as_sequential()
    {
        using var tts = new EspeakSynthesizer(Raw);
        string[] sentences =
        [
            "Your appointment is confirmed for Tuesday.",
            "Please hold while I transfer you to a colleague.",
            "The pharmacy closes at six in the evening.",
            "I did not catch that, could you repeat it?",
        ];
        short[][] sequential = sentences.Select(s => tts.Synthesize(s, CancellationToken.None)).ToArray();

        var results = new short[sentences.Length][][];
        using var start = new Barrier(sentences.Length);
        Thread[] threads = sentences.Select((sentence, t) => new Thread(() =>
        {
            start.SignalAndWait();
            results[t] = Enumerable.Range(0, 3).Select(_ => tts.Synthesize(sentence, CancellationToken.None)).ToArray();
        })).ToArray();
        foreach (Thread thread in threads)
        {
            thread.Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        for (int t = 0; t < sentences.Length; t++)
        {
            foreach (short[] audio in results[t])
            {
                // eSpeak carries generator state from one synthesis to the next, so timing shifts a little
                // (up to ~3% for a sentence with a comma pause) whatever the order; a mixed-up call would
                // not just shift. Same sentence: similarity > 0.99; a different sentence scores 0.7-0.8,
                // one differing only in its last word ~0.98.
                double ratio = (double)audio.Length / sequential[t].Length;
                Assert.True(Math.Abs(ratio - 1) < 0.05, $"sentence {t}: {audio.Length} samples vs {sequential[t].Length}");
                double correlation = TtsAudio.EnvelopeSimilarity(sequential[t], audio, tts.SampleRate, maxShiftMs: 100);
                Assert.True(correlation > 0.985, $"sentence {t}: envelope similarity {correlation:F3}");
            }
        }
    }

    [EspeakFact]
    public void Cancellation_aborts_a_long_synthesis_promptly_and_the_engine_stays_usable()
    {
        using var tts = new EspeakSynthesizer(Raw);
        string unit = "The quick brown fox jumps over the lazy dog near the riverbank today. ";
        var watch = Stopwatch.StartNew();
        short[] calibration = tts.Synthesize(string.Concat(Enumerable.Repeat(unit, 10)), CancellationToken.None);
        double perUnitMs = watch.Elapsed.TotalMilliseconds / 10;
        string longText = string.Concat(Enumerable.Repeat(unit, 200)); // ~13 minutes of speech
        double expectedFullMs = perUnitMs * 200;

        // Cancel from a dedicated thread: a CancellationTokenSource timer needs a free thread-pool thread,
        // and on a 2-core runner the pool may take ~0.5 s to grow one.
        using var cts = new CancellationTokenSource();
        double cancelledAtMs = -1;
        var canceller = new Thread(() =>
        {
            Thread.Sleep(20);
            cancelledAtMs = watch.Elapsed.TotalMilliseconds;
            cts.Cancel();
        });
        watch.Restart();
        canceller.Start();
        Assert.ThrowsAny<OperationCanceledException>(() => tts.Synthesize(longText, cts.Token));
        double abortedAfterMs = watch.Elapsed.TotalMilliseconds;
        canceller.Join();

        Assert.True(abortedAfterMs - cancelledAtMs < Math.Max(50, 0.1 * expectedFullMs),
            $"aborted after {abortedAfterMs:F0} ms (cancelled at {cancelledAtMs:F0}); the full synthesis takes ~{expectedFullMs:F0} ms");
        short[] after = tts.Synthesize(Sentence, CancellationToken.None);
        Assert.InRange(TtsAudio.Seconds(after, tts.SampleRate), 0.5, 4.0);
        Assert.NotEmpty(calibration);
    }

    [EspeakFact]
    public void A_cancelled_token_throws_before_synthesising()
    {
        using var tts = new EspeakSynthesizer();

        Assert.ThrowsAny<OperationCanceledException>(() => tts.Synthesize(Sentence, new CancellationToken(canceled: true)));
    }

    [EspeakFact]
    public void Empty_or_blank_text_gives_no_audio()
    {
        using var tts = new EspeakSynthesizer();

        Assert.Empty(tts.Synthesize("", CancellationToken.None));
        Assert.Empty(tts.Synthesize(" \t\r\n ", CancellationToken.None));
        Assert.Empty(tts.Synthesize("\0\u0001", CancellationToken.None));
    }

    [EspeakFact]
    public void Text_the_engine_cannot_speak_does_not_crash()
    {
        using var tts = new EspeakSynthesizer();
        string[] awkward =
        [
            "😀🎉👍", "中文字符和日本語のテキスト", "\u0001\u0007\u001b[31m", "<speak><break time=\"3s\"/></speak>",
            "[[h@l'oU]]", "\ud800 lone surrogate \udfff", "\uFFFF\uFFFE\uFEFF", "?!...;;;", "1234567890123456789012345678901234567890",
            "a\0b", new string('x', 5000), "https://example.com/a?b=c&d=e#f", "¯\\_(ツ)_/¯", "Ünïcödé çäfé naïve",
        ];

        foreach (string text in awkward)
        {
            short[] audio = tts.Synthesize(text, CancellationToken.None);
            Assert.NotNull(audio);
        }

        Assert.NotEmpty(tts.Synthesize(Sentence, CancellationToken.None));
    }

    [EspeakFact]
    public void Unknown_voice_is_reported_with_the_name_and_the_package()
    {
        var error = Assert.Throws<SpeechSynthesisException>(() => new EspeakSynthesizer(new EspeakOptions { Voice = "xx-nonexistent" }));

        Assert.Contains("xx-nonexistent", error.Message);
        Assert.Contains("espeak-ng-data", error.Message);

        using var tts = new EspeakSynthesizer();
        Assert.NotEmpty(tts.Synthesize(Sentence, CancellationToken.None));
    }

    [EspeakFact]
    public void A_data_path_without_espeak_data_is_reported()
    {
        string missing = Path.Combine(Path.GetTempPath(), "no-espeak-data-" + Guid.NewGuid().ToString("N"));

        var error = Assert.Throws<SpeechSynthesisException>(() => new EspeakSynthesizer(new EspeakOptions { DataPath = missing }));

        Assert.Contains(missing, error.Message);
        Assert.Contains("apt-get install libespeak-ng1 espeak-ng-data", error.Message);
    }

    [EspeakFact]
    public void Instances_with_different_voices_each_get_their_own_voice()
    {
        using var us = new EspeakSynthesizer(Raw);
        using var gb = new EspeakSynthesizer(Raw with { Voice = "en-gb" });
        const string text = "Can I have a tomato and a bath, please?";

        short[] usFirst = us.Synthesize(text, CancellationToken.None);
        short[] gbAudio = gb.Synthesize(text, CancellationToken.None);
        short[] usAgain = us.Synthesize(text, CancellationToken.None);

        double same = TtsAudio.EnvelopeSimilarity(usFirst, usAgain, us.SampleRate);
        double different = TtsAudio.EnvelopeSimilarity(usFirst, gbAudio, us.SampleRate);
        Assert.True(same > 0.97, $"en-us twice: similarity {same:F3}");
        Assert.True(different < same, $"en-gb ({different:F3}) sounded as much like en-us as en-us itself ({same:F3})");
    }

    [EspeakFact]
    public void Trimming_keeps_about_50_ms_of_silence_at_each_end()
    {
        using var raw = new EspeakSynthesizer(Raw);
        using var trimmed = new EspeakSynthesizer();

        short[] untrimmed = raw.Synthesize(Sentence, CancellationToken.None);
        short[] audio = trimmed.Synthesize(Sentence, CancellationToken.None);

        int rate = trimmed.SampleRate;
        Assert.True(TtsAudio.TrailingQuiet(untrimmed) > 0.15 * rate, "expected eSpeak's end-of-sentence pause");
        Assert.InRange(TtsAudio.FirstAudible(audio), 0, (int)(0.07 * rate));
        Assert.InRange(TtsAudio.TrailingQuiet(audio), 0, (int)(0.07 * rate));
        Assert.True(audio.Length < untrimmed.Length - (0.1 * rate));
    }
}
