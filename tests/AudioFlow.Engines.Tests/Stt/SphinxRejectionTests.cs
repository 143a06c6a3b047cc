using System.Globalization;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace AudioFlow.Engines.Tests.Stt;

/// <summary>
/// Out-of-grammar speech against the front-desk grammar. A grammar search force-matches anything to some
/// phrase (or finds no path at all); the recogniser rejects matches whose likelihood ratio against a
/// phone loop is below the operating point, returning <see cref="AudioFlow.Engines.Stt.Transcript.Empty"/>.
/// </summary>
[Collection(SphinxCollection.Name)]
public sealed class SphinxRejectionTests(SphinxFixture fixture, ITestOutputHelper output)
{
    /// <summary>
    /// Measured: 49 of 50 out-of-grammar utterances (10 phrases × 5 voices) rejected — 22 because the
    /// grammar search found no path, 27 by confidence; kal's "pizza" passes as "repeat that" (0.73). The
    /// floor asserted leaves room for other library builds. (On a held-out banking grammar, 12 phrases and
    /// 10 out-of-grammar sentences × 7 voices, the same settings rejected 68 of 70 and accepted 76 of 84
    /// in-grammar utterances; near-misses such as "hello" → "help" are what gets through.)
    /// </summary>
    [SphinxFact("flite", "espeak-ng", "sox")]
    public void Out_of_grammar_speech_is_rejected()
    {
        var table = new StringBuilder();
        int total = 0, rejected = 0;
        var accepted = new List<string>();
        foreach (var phrase in SphinxFixture.OutOfGrammarPhrases)
        {
            foreach (var voice in SphinxFixture.Voices)
            {
                var result = fixture.Recognizer.RecognizeDetailed(fixture.Speech(phrase, voice), fixture.FrontDesk, CancellationToken.None);
                total++;
                if (result.Transcript.IsEmpty)
                {
                    rejected++;
                }
                else
                {
                    accepted.Add($"{voice}: \"{phrase}\" -> \"{result.Transcript.Text}\" ({result.Confidence:0.00})");
                }

                table.AppendLine(CultureInfo.InvariantCulture,
                    $"{voice,-7} {phrase,-44} -> {result.BestGuess ?? "(no path)",-28} conf {result.Confidence:0.00} ratio {result.LikelihoodRatioPerFrame,6:0.0} {(result.Transcript.IsEmpty ? "rejected" : "ACCEPTED")}");
            }
        }

        output.WriteLine(table.ToString());
        output.WriteLine($"rejected {rejected}/{total}; accepted: {string.Join("; ", accepted)}");
        Assert.True(rejected >= total - 5, $"only {rejected}/{total} out-of-grammar utterances rejected: {string.Join("; ", accepted)}");
    }

    [SphinxFact("sox")]
    public void A_long_out_of_grammar_speech_is_not_a_confident_intent()
    {
        var jfk = SttTestData.SharedAudio("jfk.wav");
        if (jfk is null)
        {
            output.WriteLine("jfk.wav not found under ../shared/data/audio: nothing to check.");
            return;
        }

        var audio = TelephonyAudio.ThroughPhoneLine(jfk, fixture.Recognizer.SampleRate, fixture.WorkDirectory);
        var result = fixture.Recognizer.RecognizeDetailed(audio, fixture.FrontDesk, CancellationToken.None);
        output.WriteLine($"JFK against the front-desk grammar: best guess \"{result.BestGuess}\", confidence {result.Confidence:0.00}, ratio {result.LikelihoodRatioPerFrame:0.0}, {result.Elapsed.TotalMilliseconds:0} ms");

        Assert.True(result.Transcript.IsEmpty, $"accepted \"{result.Transcript.Text}\" with confidence {result.Confidence}");
        Assert.True(result.Confidence < 0.2f);
    }
}
