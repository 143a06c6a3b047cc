using AudioFlow.Engines.Tts;
using Xunit;

namespace AudioFlow.Engines.Tests.Tts;

public sealed class SentenceSplitterTests
{
    private static readonly SentenceSplitterOptions NoMerging = new() { MinimumWords = 0 };

    [Theory]
    [InlineData("Hello there. How are you today?", new[] { "Hello there.", "How are you today?" })]
    [InlineData("We are open! Come by any time.", new[] { "We are open!", "Come by any time." })]
    [InlineData("Is it open? I think so.", new[] { "Is it open?", "I think so." })]
    [InlineData("First part here; second part there.", new[] { "First part here;", "second part there." })]
    [InlineData("Line one here\nLine two here", new[] { "Line one here", "Line two here" })]
    [InlineData("Windows line one\r\nWindows line two", new[] { "Windows line one", "Windows line two" })]
    [InlineData("Wait what?! That is odd.", new[] { "Wait what?!", "That is odd." })]
    [InlineData("He said \"Stop now.\" Then he left.", new[] { "He said \"Stop now.\"", "Then he left." })]
    [InlineData("(This is an aside.) And then more.", new[] { "(This is an aside.)", "And then more." })]
    [InlineData("No final punctuation here", new[] { "No final punctuation here" })]
    public void Splits_at_sentence_ends(string text, string[] expected)
    {
        Assert.Equal(expected, SentenceSplitter.Split(text));
    }

    [Theory]
    [InlineData("Mr. Smith will call you back.")]
    [InlineData("Please ask Dr. Jones or Mrs. Brown about it.")]
    [InlineData("Bring documents, e.g. Passport or ID card, to the desk.")]
    [InlineData("Bring one document, i.e. A passport, to the desk.")]
    [InlineData("The bus leaves at 9.30 from the station.")]
    [InlineData("The bus leaves at 9:30 from the station.")]
    [InlineData("It costs 3.50 euros in total.")]
    [InlineData("Visit example.com for details.")]
    [InlineData("The U.S.A. has fifty states.")]
    [InlineData("It takes approx. twenty minutes.")]
    [InlineData("Your ticket is No. 42 in the queue.")]
    [InlineData("We open at 9 a.m. and close at 5 p.m. every day.")]
    [InlineData("Fruit, vegetables, etc. are on the left.")]
    [InlineData("Well... maybe we can do that.")]
    [InlineData("It is a .5 percent increase.")]
    public void Does_not_split_inside_abbreviations_numbers_or_lower_case_continuations(string text)
    {
        Assert.Equal([text], SentenceSplitter.Split(text));
    }

    [Fact]
    public void Splits_after_an_abbreviation_that_ends_a_sentence()
    {
        Assert.Equal(
            ["We sell pens, paper, etc.", "Anything else?"],
            SentenceSplitter.Split("We sell pens, paper, etc. Anything else?"));
        Assert.Equal(
            ["We open at 9 a.m.", "See you then."],
            SentenceSplitter.Split("We open at 9 a.m. See you then."));
    }

    [Fact]
    public void Numbered_list_items_are_not_split_after_their_number()
    {
        Assert.Equal(
            ["1. Open the app.", "2. Tap settings.", "3. Choose language."],
            SentenceSplitter.Split("1. Open the app.\n2. Tap settings.\n3. Choose language."));
    }

    [Fact]
    public void Very_short_fragments_are_merged_with_the_next_sentence()
    {
        Assert.Equal(["Yes. That works for me."], SentenceSplitter.Split("Yes. That works for me."));
        Assert.Equal(["Hi! Okay.", "How can I help?"], SentenceSplitter.Split("Hi! Okay. How can I help?"));
        Assert.Equal(["Sure! Let me check that for you."], SentenceSplitter.Split("Sure! Let me check that for you."));
        Assert.Equal(["Thank you.", "Goodbye now."], SentenceSplitter.Split("Thank you. Goodbye now."));
    }

    [Fact]
    public void A_short_fragment_at_the_end_is_still_returned()
    {
        Assert.Equal(["That is all.", "Bye."], SentenceSplitter.Split("That is all. Bye."));
        Assert.Equal(["Okay."], SentenceSplitter.Split("Okay."));
    }

    [Fact]
    public void Merging_can_be_disabled()
    {
        Assert.Equal(["Yes.", "That works."], SentenceSplitter.Split("Yes. That works.", NoMerging));
    }

    [Fact]
    public void Whitespace_is_collapsed_and_trimmed_and_empty_fragments_dropped()
    {
        Assert.Equal(
            ["Hello there.", "How are you?"],
            SentenceSplitter.Split("   Hello \t  there.   \n\n\n  How   are\u00A0you?  \n "));
        Assert.Empty(SentenceSplitter.Split(""));
        Assert.Empty(SentenceSplitter.Split("   \n\t  "));
        Assert.Empty(SentenceSplitter.Split("... !!! ---\n***"));
        Assert.Equal(["Hello there."], SentenceSplitter.Split("Hello there.\n---\n"));
    }

    [Fact]
    public void Run_on_text_is_cut_at_a_comma_near_the_maximum_length()
    {
        var options = new SentenceSplitterOptions { MaximumLength = 60 };
        string text = "We have rooms with a sea view, rooms with a garden view, rooms facing the street and some more rooms";

        IReadOnlyList<string> sentences = SentenceSplitter.Split(text, options);

        Assert.Equal(["We have rooms with a sea view, rooms with a garden view,", "rooms facing the street and some more rooms"], sentences);
        Assert.All(sentences, s => Assert.True(s.Length <= 60));
    }

    [Fact]
    public void Run_on_text_without_commas_is_cut_at_a_space()
    {
        var options = new SentenceSplitterOptions { MaximumLength = 30 };

        IReadOnlyList<string> sentences = SentenceSplitter.Split("one two three four five six seven eight nine ten eleven", options);

        Assert.All(sentences, s => Assert.True(s.Length <= 30, s));
        Assert.Equal("one two three four five six seven eight nine ten eleven", string.Join(" ", sentences));
    }

    [Fact]
    public void Custom_abbreviations_are_honoured()
    {
        var options = new SentenceSplitterOptions { Abbreviations = new HashSet<string> { "Univ" } };

        Assert.Equal(["He studied at Univ. Bonn for years."], SentenceSplitter.Split("He studied at Univ. Bonn for years.", options));
        Assert.Equal(["Call Mr.", "Smith is here."], SentenceSplitter.Split("Call Mr. Smith is here.", options));
    }

    [Fact]
    public void Incremental_splitting_releases_a_sentence_as_soon_as_the_next_token_shows_it_ended()
    {
        var splitter = new SentenceSplitter();

        Assert.Empty(splitter.Append("Our opening"));
        Assert.Empty(splitter.Append(" hours are nine"));
        Assert.Empty(splitter.Append(" to five."));   // could still be "five.5" or "five. and"
        Assert.Equal(["Our opening hours are nine to five."], splitter.Append(" On"));
        Assert.Empty(splitter.Append(" Saturdays we"));
        Assert.Equal(["On Saturdays we close at noon!"], splitter.Append(" close at noon! Any"));
        Assert.Empty(splitter.Append(" questions?"));
        Assert.True(splitter.HasPendingText);
        Assert.Equal(["Any questions?"], splitter.Flush());
        Assert.False(splitter.HasPendingText);
    }

    [Fact]
    public void Incremental_splitting_waits_on_ambiguous_periods()
    {
        var splitter = new SentenceSplitter();

        Assert.Empty(splitter.Append("The train leaves at 9."));
        Assert.Empty(splitter.Append("30 from platform two."));
        Assert.Empty(splitter.Append(" "));
        Assert.Equal(["The train leaves at 9.30 from platform two."], splitter.Append("Be"));
        Assert.Empty(splitter.Append(" there early, e."));
        Assert.Empty(splitter.Append("g. "));
        Assert.Empty(splitter.Append("ten minutes before."));
        Assert.Equal(["Be there early, e.g. ten minutes before."], splitter.Flush());
    }

    [Fact]
    public void Flush_resets_the_splitter_for_a_new_text()
    {
        var splitter = new SentenceSplitter();
        splitter.Append("First reply without an end");
        Assert.Equal(["First reply without an end"], splitter.Flush());

        Assert.Empty(splitter.Flush());
        splitter.Append("Second reply here.");
        Assert.Equal(["Second reply here."], splitter.Flush());
    }

    [Fact]
    public void Reset_discards_pending_text()
    {
        var splitter = new SentenceSplitter();
        splitter.Append("Yes. Half a sent");

        splitter.Reset();

        Assert.False(splitter.HasPendingText);
        Assert.Empty(splitter.Flush());
    }

    private static readonly string[] SampleTexts =
    [
        "Hello there. How are you today? I hope all is well!",
        "Mr. Smith called at 9.30 a.m. about invoice No. 1234. He said: \"Please call back.\" OK. Thanks!",
        "Our hours:\n1. Monday to Friday, 9:00 to 17:00.\n2. Saturday, 10:00 to 14:00.\n\nClosed on Sundays, e.g. Easter Sunday.",
        "Well... I think so. Yes. Approx. twenty minutes; maybe thirty. Visit example.com or call 0800.123.456 today!",
        "A run-on sentence with many clauses, which goes on and on, without ever ending properly, because the model " +
        "kept generating text, and more text, and even more text, so that the splitter has to cut it somewhere sensible, " +
        "preferably at a comma, otherwise at a space, and it goes on",
        "Short. Tiny. Yes! No? Fine; great... Okay\nDone",
        "Ünïcödé tëxt – with “quotes” and ‘single’ ones… Does it split? It should!",
    ];

    public static TheoryData<string> Texts => new(SampleTexts);

    [Theory]
    [MemberData(nameof(Texts))]
    public void Incremental_splitting_gives_the_same_sentences_however_the_text_is_chunked(string text)
    {
        IReadOnlyList<string> expected = SentenceSplitter.Split(text, new SentenceSplitterOptions { MaximumLength = 80 });
        var random = new Random(text.Length);

        for (int round = 0; round < 200; round++)
        {
            var splitter = new SentenceSplitter(new SentenceSplitterOptions { MaximumLength = 80 });
            var actual = new List<string>();
            int position = 0;
            while (position < text.Length)
            {
                int size = round == 0 ? 1 : Math.Min(text.Length - position, random.Next(1, 12));
                actual.AddRange(splitter.Append(text.AsSpan(position, size)));
                position += size;
            }

            actual.AddRange(splitter.Flush());
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Sentences_concatenate_back_to_the_normalised_text()
    {
        foreach (string text in SampleTexts)
        {
            IReadOnlyList<string> sentences = SentenceSplitter.Split(text, NoMerging with { MaximumLength = 0 });
            string normalised = string.Join(" ", text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

            Assert.Equal(normalised, string.Join(" ", sentences));
        }
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceSplitter(new SentenceSplitterOptions { MinimumWords = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SentenceSplitter(new SentenceSplitterOptions { MaximumLength = 5 }));
    }
}
