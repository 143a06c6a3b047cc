using System.Globalization;
using System.Text;
using AudioFlow.Engines.Stt;
using Xunit;
using Xunit.Abstractions;

namespace AudioFlow.Engines.Tests.Stt;

[CollectionDefinition(Name)]
public sealed class SphinxCollection : ICollectionFixture<SphinxFixture>
{
    public const string Name = "pocketsphinx";
}

/// <summary>Grammar mode on the front-desk phrases, spoken by four flite voices and espeak-ng over 8 kHz µ-law.</summary>
[Collection(SphinxCollection.Name)]
public sealed class SphinxGrammarTests(SphinxFixture fixture, ITestOutputHelper output)
{
    /// <summary>
    /// Combinations excluded from the per-combination assertion, with the measured reason. Everything
    /// else (54 of 55) is asserted.
    /// </summary>
    private static readonly Dictionary<(string Phrase, string Voice), string> KnownMisses = new()
    {
        // espeak-ng's "sales" (0.75 s, very fast sibilants) produces no hypothesis at all: the FSG search
        // reaches no final state within the default beams. Same without the noise floor, with
        // -remove_silence no and with pocketsphinx's -dither; the four flite voices all pass.
        [("sales", "espeak")] = "no hypothesis (measured)",
    };

    public static TheoryData<string, string> Combinations()
    {
        var data = new TheoryData<string, string>();
        foreach (var phrase in SphinxFixture.FrontDeskPhrases)
        {
            foreach (var voice in SphinxFixture.Voices)
            {
                if (!KnownMisses.ContainsKey((phrase, voice)))
                {
                    data.Add(phrase, voice);
                }
            }
        }

        return data;
    }

    [SphinxTheory("flite", "espeak-ng", "sox")]
    [MemberData(nameof(Combinations))]
    public void Front_desk_phrase_over_a_phone_line_is_recognised_as_that_phrase(string phrase, string voice)
    {
        var result = fixture.FrontDeskResult(phrase, voice);

        Assert.Equal(phrase, result.BestGuess);
        if (result.Rejected)
        {
            // Correct but below the out-of-grammar threshold: counted by the acceptance-rate test below.
            output.WriteLine($"correct but rejected: confidence {result.Confidence:0.00}, ratio {result.LikelihoodRatioPerFrame:0.0}");
        }
        else
        {
            Assert.Equal(phrase, result.Transcript.Text);
            Assert.True(result.Transcript.FromGrammar);
            Assert.InRange(result.Transcript.Confidence, 0.5f, 1f);
        }
    }

    /// <summary>
    /// Accuracy / acceptance / latency over the whole phrase × voice set, printed as a table. Measured:
    /// the grammar picks the right phrase 54/55 times; 47/55 are also above the out-of-grammar threshold
    /// (the others, right but rejected: "support" ×3, "yes" ×3, "speak to a person" by espeak-ng). The
    /// asserted floors leave a little room for other library builds.
    /// </summary>
    [SphinxFact("flite", "espeak-ng", "sox")]
    public void Accuracy_and_latency_over_all_voices()
    {
        var table = new StringBuilder();
        int total = 0, correct = 0, accepted = 0;
        var latencies = new List<double>();
        double audioSeconds = 0;
        foreach (var phrase in SphinxFixture.FrontDeskPhrases)
        {
            foreach (var voice in SphinxFixture.Voices)
            {
                var result = fixture.FrontDeskResult(phrase, voice);
                var seconds = fixture.Speech(phrase, voice).Length / (double)fixture.Recognizer.SampleRate;
                total++;
                correct += result.BestGuess == phrase ? 1 : 0;
                accepted += result.Transcript.Text == phrase ? 1 : 0;
                latencies.Add(result.Elapsed.TotalMilliseconds);
                audioSeconds += seconds;
                table.AppendLine(CultureInfo.InvariantCulture,
                    $"{voice,-7} {phrase,-28} -> {result.BestGuess ?? "(nothing)",-28} conf {result.Confidence:0.00} ratio {result.LikelihoodRatioPerFrame,6:0.0} {(result.Rejected ? "REJECTED" : "accepted")} {result.Elapsed.TotalMilliseconds,5:0} ms / {seconds:0.00} s");
            }
        }

        latencies.Sort();
        output.WriteLine(table.ToString());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"grammar decision correct {correct}/{total}, accepted and correct {accepted}/{total}; latency mean {latencies.Average():0} ms, p95 {latencies[(int)(0.95 * (latencies.Count - 1))]:0} ms, max {latencies[^1]:0} ms; real-time factor {latencies.Sum() / 1000 / audioSeconds:0.000}"));

        Assert.True(correct >= total - 2, $"only {correct}/{total} correct");
        Assert.True(accepted >= total - 11, $"only {accepted}/{total} accepted");
    }

    [SphinxFact("flite", "sox")]
    public void Phrases_are_normalised_and_mapped_back_to_the_callers_spelling()
    {
        var phrases = new[] { "Sales!", "Opening-hours, please?", "Speak to a PERSON", "Good-bye", "Zorblax the operator" };
        var context = new RecognitionContext(phrases);

        var hours = fixture.Recognizer.Recognize(fixture.Speech("opening hours please", "kal"), context, CancellationToken.None);
        var person = fixture.Recognizer.Recognize(fixture.Speech("speak to a person", "slt"), context, CancellationToken.None);

        Assert.Equal("Opening-hours, please?", hours.Text);
        Assert.Equal("Speak to a PERSON", person.Text);
        Assert.Contains(fixture.LogMessages, m => m.Contains("'zorblax'", StringComparison.Ordinal) && m.Contains("dictionary", StringComparison.Ordinal));
        Assert.Equal(["zorblax"], fixture.Recognizer.FindUnknownWords(phrases));
    }

    [SphinxFact]
    public void A_grammar_without_any_known_word_is_a_clear_error()
    {
        var context = new RecognitionContext(["zorblax", "qwxzt vrrp"]);
        var audio = new short[16000];
        new Random(1).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(audio.AsSpan()));

        var ex = Assert.Throws<SpeechEngineException>(() => fixture.Recognizer.Recognize(audio, context, CancellationToken.None));

        Assert.Contains("'zorblax'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'qwxzt'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dictionary", ex.Message, StringComparison.Ordinal);
    }
}
