using AudioFlow.Engines.Agents.Flow;
using Xunit;

namespace AudioFlow.Engines.Tests.Agents;

public sealed class FlowTextTests
{
    [Theory]
    [InlineData("  Uh, what's   the OPENING hours?! ", "uh whats the opening hours")]
    [InlineData("I'd like sales.", "id like sales")]
    [InlineData("123-456", "123 456")]
    public void Normalize(string text, string expected) => Assert.Equal(expected, PhraseText.Normalize(text));

    [Theory]
    [InlineData("speak to a person")]
    [InlineData("what's up")]
    [InlineData("I don't know")]
    public void Speakable(string phrase) => Assert.Null(PhraseText.CheckSpeakable(phrase));

    [Theory]
    [InlineData("24", "twenty four")]
    [InlineData("7", "seven")]
    [InlineData("100", "one hundred")]
    [InlineData("2025", "two thousand twenty five")]
    [InlineData("007", "zero zero seven")]
    public void SpellNumber(string digits, string expected) => Assert.Equal(expected, PhraseText.SpellNumber(digits));

    [Theory]
    [InlineData("one two three", "123", 0)]
    [InlineData("oh double five triple nine", "055999", 0)]
    [InlineData("my number is 12 34", "1234", 3)]
    [InlineData("speak to a person", "", 4)]
    public void ExtractSpokenDigits(string text, string digits, int others)
    {
        var (found, other) = PhraseText.ExtractSpokenDigits(PhraseText.Tokenize(text));
        Assert.Equal(digits, found);
        Assert.Equal(others, other.Count);
    }

    [Theory]
    [InlineData("Ticket {t:digits}, {{literal}}, name {n}.", "Ticket one two three, {literal}, name Bo.")]
    [InlineData("No slots.", "No slots.")]
    [InlineData("Missing {zzz}!", "Missing !")]
    public void Render(string template, string expected) =>
        Assert.Equal(expected, SlotTemplate.Render(template, new Dictionary<string, string> { ["t"] = "123", ["n"] = "Bo" }));

    [Fact]
    public void Matcher_prefers_exact_then_contained_then_keywords_and_refuses_ties()
    {
        var a = Intent("hours", "opening hours", "when are you open");
        var b = Intent("sales", "sales", "place an order");
        var c = Intent("support", "support", "problem with an order");
        var matcher = new IntentMatcher([a, b, c], 3);

        Assert.True(matcher.Match("Opening hours.")!.Exact);
        Assert.Equal("hours", matcher.Match("uh what are your opening hours")!.Intent.Name);
        Assert.Equal("hours", matcher.Match("are you open on Monday")!.Intent.Name);
        Assert.Equal("support", matcher.Match("I have a problem")!.Intent.Name);
        Assert.Null(matcher.Match("an order")); // "order" is a keyword of both sales and support: ambiguous
        Assert.Null(matcher.Match("nothing relevant"));
        Assert.Null(matcher.Match(""));
        Assert.Equal("sales", matcher.Match("place order", threshold: 1)!.Intent.Name);
    }

    [Fact]
    public void Matcher_prefers_state_intents_over_global_ones_on_ties()
    {
        var local = Intent("local", "next step");
        var global = Intent("global", "step back");
        Assert.Equal("local", new IntentMatcher([local, global], 1).Match("step")!.Intent.Name);
        Assert.Null(new IntentMatcher([local, global], 2).Match("step"));
    }

    private static FlowIntent Intent(string name, params string[] phrases) =>
        new(name, phrases, [], new FlowAction([name], [], null, null, null, false));
}
