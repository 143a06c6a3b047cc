using System.Diagnostics;
using AudioFlow.Engines.Stt;
using AudioFlow.Engines.Stt.Sphinx;
using Xunit;
using Xunit.Abstractions;

namespace AudioFlow.Engines.Tests.Stt;

/// <summary>Pool, concurrency, cancellation, edge cases and errors of <see cref="SphinxRecognizer"/>.</summary>
[Collection(SphinxCollection.Name)]
public sealed class SphinxRecognizerTests(SphinxFixture fixture, ITestOutputHelper output)
{
    private const string LongText =
        "Thank you for calling. I would like to ask about the opening hours of your shop on the weekend, " +
        "and whether I can book an appointment for next Tuesday afternoon, because my car needs new tyres " +
        "and the brakes make a strange noise whenever I stop at a red light.";

    [SphinxFact]
    public void Empty_or_silent_utterances_give_an_empty_transcript()
    {
        Assert.Same(Transcript.Empty, fixture.Recognizer.Recognize(ReadOnlySpan<short>.Empty, fixture.FrontDesk, CancellationToken.None));
        Assert.Same(Transcript.Empty, fixture.Recognizer.Recognize(new short[100], RecognitionContext.FreeForm, CancellationToken.None));
        Assert.Same(Transcript.Empty, fixture.Recognizer.Recognize(new short[16000], fixture.FrontDesk, CancellationToken.None));
        Assert.Equal("pocketsphinx", fixture.Recognizer.Name);
        Assert.Equal(16000, fixture.Recognizer.SampleRate);
    }

    [SphinxFact("flite", "sox")]
    public void Four_parallel_recognitions_on_a_pool_of_two_match_the_sequential_results()
    {
        (string Phrase, string Voice)[] cases =
        [
            ("what are your opening hours", "slt"), ("an operator", "kal"), ("goodbye", "rms"), ("opening hours please", "awb"),
        ];
        var audio = cases.Select(c => fixture.Speech(c.Phrase, c.Voice)).ToArray();
        var sequential = cases.Select(c => fixture.FrontDeskResult(c.Phrase, c.Voice)).ToArray();

        using var barrier = new Barrier(cases.Length);
        var tasks = Enumerable.Range(0, cases.Length).Select(i => Dedicated(() =>
        {
            barrier.SignalAndWait();
            return fixture.Recognizer.RecognizeDetailed(audio[i], fixture.FrontDesk, CancellationToken.None);
        })).ToArray();
        Assert.True(Task.WaitAll(tasks, TimeSpan.FromSeconds(60)));

        for (var i = 0; i < cases.Length; i++)
        {
            var parallel = tasks[i].Result;
            output.WriteLine($"{cases[i].Phrase} ({cases[i].Voice}): {parallel.Transcript.Text} {parallel.Confidence:0.000} in {parallel.Elapsed.TotalMilliseconds:0} ms");
            Assert.Equal(cases[i].Phrase, parallel.Transcript.Text);

            // Decoders are reset per utterance (stream, cepstral mean, search), so the result does not depend
            // on which one decoded it — up to pocketsphinx's Gaussian top-N cache, which carries over from the
            // previous utterance and moves the confidence in the 4th decimal.
            Assert.Equal(sequential[i].BestGuess, parallel.BestGuess);
            Assert.Equal(sequential[i].Confidence, parallel.Confidence, 0.02f);
        }

        Assert.InRange(fixture.Recognizer.LoadedDecoders, 1, 2);
    }

    [SphinxFact("flite", "sox")]
    public void Cancellation_stops_a_long_decode_promptly_and_the_decoder_stays_usable()
    {
        var audio = fixture.Speech(LongText, "kal");
        using var cts = new CancellationTokenSource();
        var stopwatch = Stopwatch.StartNew();
        using var started = new ManualResetEventSlim();
        var task = Dedicated(() =>
        {
            started.Set();
            return fixture.Recognizer.Recognize(audio, RecognitionContext.FreeForm, cts.Token);
        });
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        Thread.Sleep(300);
        var cancelledAt = stopwatch.Elapsed;
        cts.Cancel();

        var ex = Assert.ThrowsAny<OperationCanceledException>(() => task.GetAwaiter().GetResult());
        var reaction = stopwatch.Elapsed - cancelledAt;
        output.WriteLine($"{audio.Length / 16000.0:0.0} s of audio; cancelled after {cancelledAt.TotalMilliseconds:0} ms, threw {reaction.TotalMilliseconds:0} ms later");
        Assert.Equal(cts.Token, ex.CancellationToken);
        Assert.True(reaction < TimeSpan.FromSeconds(1), $"took {reaction.TotalMilliseconds:0} ms to stop");

        // Both pooled decoders still work (each call borrows whichever is idle).
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal("goodbye", fixture.Recognizer.Recognize(fixture.Speech("goodbye", "rms"), fixture.FrontDesk, CancellationToken.None).Text);
        }

        Assert.Throws<OperationCanceledException>(() =>
            fixture.Recognizer.Recognize(audio, RecognitionContext.FreeForm, new CancellationToken(canceled: true)));
    }

    [SphinxFact("flite", "sox")]
    public void Waiting_for_a_busy_pool_is_cancellable()
    {
        // Five times the long sentence: the two busy decodes must outlast the wait below even on an idle machine.
        var once = fixture.Speech(LongText, "kal");
        var audio = Enumerable.Repeat(once, 5).SelectMany(pcm => pcm).ToArray();
        var goodbye = fixture.Speech("goodbye", "rms");
        using var stopBusy = new CancellationTokenSource();
        using var started = new CountdownEvent(2);
        var busy = Enumerable.Range(0, 2).Select(_ => Dedicated(() =>
        {
            started.Signal();
            try
            {
                return fixture.Recognizer.Recognize(audio, RecognitionContext.FreeForm, stopBusy.Token);
            }
            catch (OperationCanceledException)
            {
                return Transcript.Empty;
            }
        })).ToArray();
        Assert.True(started.Wait(TimeSpan.FromSeconds(10)));
        Thread.Sleep(300); // both have borrowed a decoder by now (decoding takes seconds)

        // Cancelled from a thread of its own: a timer-based token needs a free thread-pool thread to fire, and a busy
        // test run may have none for seconds, which is not what this test is about.
        using var waitLimit = new CancellationTokenSource();
        var canceller = new Thread(() =>
        {
            Thread.Sleep(200);
            waitLimit.Cancel();
        });
        canceller.Start();
        var stopwatch = Stopwatch.StartNew();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            fixture.Recognizer.Recognize(goodbye, fixture.FrontDesk, waitLimit.Token));
        output.WriteLine($"gave up waiting after {stopwatch.ElapsedMilliseconds} ms");
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(1.5));

        canceller.Join();
        stopBusy.Cancel();
        Assert.True(Task.WaitAll(busy, TimeSpan.FromSeconds(10)));
    }

    /// <summary>A task on its own thread: the test must not depend on thread-pool availability.</summary>
    private static Task<T> Dedicated<T>(Func<T> work) =>
        Task.Factory.StartNew(work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    [SphinxFact]
    public void Missing_model_files_are_reported_with_the_package_to_install()
    {
        var ex = Assert.Throws<SpeechEngineException>(() => new SphinxRecognizer(new SphinxOptions
        {
            DictionaryPath = "/nonexistent/cmudict.dict",
            AcousticModelDirectory = "/nonexistent/en-us",
        }));

        output.WriteLine(ex.Message);
        Assert.Contains("/nonexistent/cmudict.dict", ex.Message, StringComparison.Ordinal);
        Assert.Contains("/nonexistent/en-us", ex.Message, StringComparison.Ordinal);
        Assert.Contains("apt-get install libpocketsphinx3 pocketsphinx-en-us", ex.Message, StringComparison.Ordinal);
    }

    [SphinxFact]
    public void A_corrupt_model_file_is_reported_with_what_pocketsphinx_said()
    {
        var path = Path.Combine(fixture.WorkDirectory, "broken.lm");
        File.WriteAllText(path, "this is not a language model\n");

        var ex = Assert.Throws<SpeechEngineException>(() => new SphinxRecognizer(new SphinxOptions { LanguageModelPath = path, PoolSize = 1 }));

        output.WriteLine(ex.Message);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.Contains("pocketsphinx said", ex.Message, StringComparison.Ordinal);
    }

    [SphinxFact]
    public void Free_form_without_a_language_model_is_a_clear_error_and_grammar_mode_still_works()
    {
        using var recognizer = new SphinxRecognizer(new SphinxOptions { LanguageModelPath = null, PoolSize = 1 });
        var noise = new short[8000];
        new Random(7).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(noise.AsSpan()));

        var ex = Assert.Throws<SpeechEngineException>(() => recognizer.Recognize(noise, RecognitionContext.FreeForm, CancellationToken.None));
        Assert.Contains("LanguageModelPath", ex.Message, StringComparison.Ordinal);

        // The failure did not poison anything: the same decoder serves a grammar request.
        _ = recognizer.Recognize(noise, fixture.FrontDesk, CancellationToken.None);
        Assert.Equal(1, recognizer.LoadedDecoders);
    }

    /// <summary>
    /// The 8 kHz front end (256-point FFT, filter bank cut at 4000 Hz through a patched feat.params) loads
    /// and decodes; it is not the default because it measured far less accurate (see SphinxOptions.SampleRate).
    /// </summary>
    [SphinxFact("flite", "sox")]
    public void The_8khz_front_end_loads_and_decodes()
    {
        using var recognizer = new SphinxRecognizer(new SphinxOptions { SampleRate = 8000, PoolSize = 1 });
        var audio = TelephonyAudio.Speak("what are your opening hours", "kal", 8000, fixture.WorkDirectory);

        var result = recognizer.RecognizeDetailed(audio, fixture.FrontDesk, CancellationToken.None);

        output.WriteLine($"8 kHz: \"{result.BestGuess}\" confidence {result.Confidence:0.00}");
        Assert.Equal(8000, recognizer.SampleRate);
        Assert.Equal("what are your opening hours", result.BestGuess);
    }
}
