using AudioFlow.Engines.Stt;
using AudioFlow.Engines.Stt.Sphinx;
using Xunit;
using Xunit.Abstractions;

namespace AudioFlow.Engines.Tests.Stt;

/// <summary>
/// Free-form decoding with the en-us trigram model. It is weak (small model, telephone audio): the
/// assertions are loose and the measured word error rates are printed.
/// </summary>
[Collection(SphinxCollection.Name)]
public sealed class SphinxFreeFormTests(SphinxFixture fixture, ITestOutputHelper output)
{
    /// <summary>
    /// Measured WER: 18% on the original 16 kHz recording decoded without the noise floor (the setting for
    /// wide-band input), 68-73% after the 8 kHz µ-law phone line with the default settings.
    /// </summary>
    [SphinxFact("sox")]
    public void Jfk_is_transcribed_with_recognisable_words()
    {
        var path = SttTestData.SharedAudio("jfk.wav");
        if (path is null)
        {
            output.WriteLine("Skipped: jfk.wav not found under ../shared/data/audio.");
            return;
        }

        var reference = File.ReadAllText(Path.ChangeExtension(path, ".txt"));
        var original = TelephonyAudio.ReadAt(path, fixture.Recognizer.SampleRate, fixture.WorkDirectory);
        var phone = TelephonyAudio.ThroughPhoneLine(path, fixture.Recognizer.SampleRate, fixture.WorkDirectory);

        using var wideBand = new SphinxRecognizer(new SphinxOptions { NoiseFloor = 0, PoolSize = 1 });
        var clean = wideBand.RecognizeDetailed(original, RecognitionContext.FreeForm, CancellationToken.None);
        var telephone = fixture.Recognizer.RecognizeDetailed(phone, RecognitionContext.FreeForm, CancellationToken.None);
        var cleanWer = SttTestData.WordErrorRate(reference, clean.Transcript.Text);
        var phoneWer = SttTestData.WordErrorRate(reference, telephone.Transcript.Text);
        output.WriteLine($"reference: {reference.Trim()}");
        output.WriteLine($"16 kHz original, no noise floor: WER {cleanWer:P0}, confidence {clean.Confidence:0.00}, {clean.Elapsed.TotalMilliseconds:0} ms for 11 s: {clean.Transcript.Text}");
        output.WriteLine($"8 kHz µ-law, default options:   WER {phoneWer:P0}, confidence {telephone.Confidence:0.00}, {telephone.Elapsed.TotalMilliseconds:0} ms for 11 s: {telephone.Transcript.Text}");

        Assert.False(clean.Transcript.FromGrammar);
        Assert.Contains("country", SttTestData.Words(clean.Transcript.Text));
        Assert.True(cleanWer < 0.4, $"WER {cleanWer:P0}");
        Assert.False(telephone.Transcript.IsEmpty);
        Assert.True(SttTestData.Words(telephone.Transcript.Text).Intersect(SttTestData.Words(reference)).Count() >= 5);
        Assert.True(phoneWer < 0.9, $"WER {phoneWer:P0}");
    }

    /// <summary>Measured WER over the phone line: rms 17%, kal 25%, awb 17%, slt 25%, espeak 58%.</summary>
    [SphinxFact("flite", "sox")]
    public void A_flite_sentence_over_the_phone_is_mostly_transcribed()
    {
        const string sentence = "I would like to book a table for two people tomorrow evening";
        foreach (var voice in new[] { "rms", "kal" })
        {
            var result = fixture.Recognizer.RecognizeDetailed(fixture.Speech(sentence, voice), RecognitionContext.FreeForm, CancellationToken.None);
            var wer = SttTestData.WordErrorRate(sentence, result.Transcript.Text);
            output.WriteLine($"{voice}: WER {wer:P0}, confidence {result.Confidence:0.00}, {result.Elapsed.TotalMilliseconds:0} ms: {result.Transcript.Text}");

            Assert.False(result.Transcript.IsEmpty);
            Assert.Contains("table", SttTestData.Words(result.Transcript.Text));
            Assert.True(wer <= 0.4, $"{voice}: WER {wer:P0}");
        }
    }
}
