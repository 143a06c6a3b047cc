using AudioFlow.Engines.Agents;
using AudioFlow.Engines.Agents.Flow;
using Xunit;
using static AudioFlow.Engines.Tests.Agents.FlowTestKit;

namespace AudioFlow.Engines.Tests.Agents;

public sealed class FlowAgentSessionTests
{
    private const string HoursSentence = "We are open Monday to Friday, nine a.m. to five p.m., and closed on weekends and public holidays.";

    [Fact]
    public async Task Greeting_is_long_and_lists_the_options()
    {
        var session = DemoSession();
        var outputs = await session.Ask(new CallAnswered());

        var say = Assert.IsType<Say>(Assert.Single(outputs));
        Assert.StartsWith("Thank you for calling Northwind Dental Supply", say.Text);
        Assert.Contains("You can say sales, support, opening hours, or speak to a person.", say.Text);
        Assert.True(say.Text.Split(' ').Length >= 40, "the greeting must be long enough (≥ 8 s) to be barged into");
        Assert.Equal("greeting", session.CurrentState);
        Assert.Equal(TimeSpan.FromSeconds(6), session.NoInputTimeout);
        Assert.True(session.Listening.HasGrammar);
        Assert.Contains("sales", session.Listening.ExpectedPhrases!);
        Assert.Contains("opening hours", session.Listening.ExpectedPhrases!);
        Assert.Contains("speak to a person", session.Listening.ExpectedPhrases!);
        Assert.Contains("repeat that", session.Listening.ExpectedPhrases!);
        Assert.DoesNotContain("one", session.Listening.ExpectedPhrases!);
    }

    [Fact]
    public async Task Factory_implements_the_agent_contract()
    {
        IAgentFactory factory = FlowAgentFactory.Demo();
        Assert.Equal("flow:front-desk", factory.Name);
        var session = factory.CreateSession("abc");
        var outputs = new List<AgentOutput>();
        await foreach (var output in session.RespondAsync(new CallAnswered(), CancellationToken.None))
        {
            outputs.Add(output);
        }

        Assert.IsType<Say>(Assert.Single(outputs));
        Assert.Equal("abc", ((FlowAgentSession)session).CallId);
    }

    [Fact]
    public void Bad_options_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FlowAgentFactory(Demo, new FlowAgentOptions { MinConfidence = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new FlowAgentFactory(Demo, new FlowAgentOptions { MatchThreshold = 0 }));
    }

    [Theory]
    [InlineData("sales", "sales", "Our sales team can help")]
    [InlineData("support", "support", "six digit ticket number")]
    [InlineData("help", "menu_details", "Here are all the options.")]
    [InlineData("opening hours", "anything_else", HoursSentence)]
    public async Task Each_intent_by_phrase(string phrase, string state, string expected)
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());

        var outputs = await session.Say(phrase);

        Assert.Contains(expected, outputs.Text());
        Assert.Equal(state, session.CurrentState);
        Assert.All(outputs, o => Assert.IsType<Say>(o));
    }

    [Theory]
    [InlineData('1', "sales")]
    [InlineData('2', "support")]
    [InlineData('3', "anything_else")]
    [InlineData('9', "menu_details")]
    public async Task Each_intent_by_dtmf(char key, string state)
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());

        var outputs = await session.Press(key);

        Assert.NotEmpty(outputs);
        Assert.Equal(state, session.CurrentState);
        if (key == '3')
        {
            Assert.Equal([HoursSentence, "Is there anything else I can help you with?"], outputs.OfType<Say>().Select(s => s.Text));
        }
    }

    [Theory]
    [InlineData("speak to a person")]
    [InlineData("Can I talk to someone, please?")]
    [InlineData("operator")]
    public async Task Person_transfers_to_the_operator(string phrase)
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());

        var outputs = await session.Say(phrase);

        Assert.Equal(2, outputs.Count);
        Assert.Equal("Please hold while I put you through to a member of our team.", Assert.IsType<Say>(outputs[0]).Text);
        Assert.Equal("sip:operator@example.invalid", Assert.IsType<Transfer>(outputs[1]).Target);
        Assert.True(session.IsEnded);
        Assert.Null(session.NoInputTimeout);
        Assert.Empty(await session.Say("hello?"));
    }

    [Fact]
    public async Task Dtmf_zero_transfers_to_the_operator()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());

        var outputs = await session.Press('0');

        Assert.Equal("sip:operator@example.invalid", Assert.IsType<Transfer>(outputs[^1]).Target);
    }

    [Theory]
    [InlineData("uh what are the opening hours", "opening_hours")]
    [InlineData("When do you open?", "opening_hours")]
    [InlineData("Um, I'd like to talk to sales please.", "sales")]
    [InlineData("hi I want to buy some gloves", "sales")]
    [InlineData("I have a problem with an order", "support")]
    [InlineData("could I speak to a real person", "person")]
    [InlineData("OK bye", "goodbye")]
    [InlineData("can you say that again", "repeat")]
    public async Task Free_form_transcripts_map_to_intents(string transcript, string intent)
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());

        await session.Say(transcript);

        var caller = session.History.Last(t => t.Kind == DialogueTurnKind.Caller);
        Assert.Equal(transcript, caller.Text);
        Assert.Equal(intent, caller.Intent);
    }

    [Fact]
    public async Task Free_form_opening_hours_gets_the_hours_answer()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());

        var outputs = await session.Say("uh what are the opening hours");

        Assert.StartsWith(HoursSentence, outputs.Text());
    }

    [Theory]
    [InlineData("banana bread recipe", 0.9f)]
    [InlineData("", 0f)]
    [InlineData("   ", 0.9f)]
    [InlineData("sales", 0.1f)] // right words, but the recogniser was not sure
    public async Task No_match_reprompts_and_stays(string transcript, float confidence)
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());

        var outputs = await session.Say(transcript, confidence);

        Assert.Equal(
            ["Sorry, I didn't catch that.", "You can say sales, support, opening hours, or speak to a person."],
            outputs.OfType<Say>().Select(s => s.Text));
        Assert.Equal("greeting", session.CurrentState);
    }

    [Fact]
    public async Task Confidence_threshold_is_configurable()
    {
        var session = DemoSession(new FlowAgentOptions { MinConfidence = 0 });
        await session.Ask(new CallAnswered());

        await session.Say("sales", 0.05f);

        Assert.Equal("sales", session.CurrentState);
    }

    [Fact]
    public async Task Repeated_no_match_hands_over_to_a_person()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());

        Assert.DoesNotContain(await session.Say("purple elephants"), o => o is Transfer);
        Assert.DoesNotContain(await session.Press('7'), o => o is Transfer); // an unassigned key is a no-match too
        var third = await session.Say("purple elephants");

        Assert.Equal("sip:operator@example.invalid", Assert.IsType<Transfer>(third[^1]).Target);
        Assert.Contains("trouble understanding", third.Text());
    }

    [Fact]
    public async Task A_match_resets_the_no_match_count()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        await session.Say("purple elephants");
        await session.Say("purple elephants");
        await session.Say("sales");

        var outputs = await session.Say("purple elephants");

        Assert.DoesNotContain(outputs, o => o is Transfer);
        Assert.Equal("Sorry, I didn't catch that. Would you like me to put you through to sales? Please say yes or no.", outputs.Text());
    }

    [Fact]
    public async Task Repeated_silence_says_goodbye_and_ends_the_call()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());

        var first = await session.Ask(new CallerSilent());
        var second = await session.Ask(new CallerSilent());
        var third = await session.Ask(new CallerSilent());

        Assert.Equal("Are you still there? You can say sales, support, opening hours, or speak to a person.", first.Text());
        Assert.Equal(first, second);
        Assert.Contains("Goodbye.", third.Text());
        Assert.Equal(new EndCall("no input"), third[^1]);
        Assert.True(session.IsEnded);
        Assert.Equal(3, session.History.Count(t => t.Kind == DialogueTurnKind.Silence));
    }

    [Fact]
    public async Task Speech_resets_the_silence_count()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        await session.Ask(new CallerSilent());
        await session.Ask(new CallerSilent());
        await session.Say("purple elephants");

        var outputs = await session.Ask(new CallerSilent());

        Assert.DoesNotContain(outputs, o => o is EndCall);
    }

    [Fact]
    public async Task Ticket_number_by_speech()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        await session.Say("support");
        Assert.Equal(TimeSpan.FromSeconds(10), session.NoInputTimeout);
        Assert.Contains("one", session.Listening.ExpectedPhrases!);
        Assert.Contains("oh", session.Listening.ExpectedPhrases!);
        Assert.Contains("new ticket", session.Listening.ExpectedPhrases!);

        var outputs = await session.Say("one two three four five six");

        Assert.Equal(
            "Thank you. That's ticket one two three four five six. A support engineer will call you back about it within one business day. " +
            "Is there anything else I can help you with?",
            outputs.Text());
        Assert.Equal("123456", session.Slots["ticket"]);
        Assert.Equal("anything_else", session.CurrentState);
    }

    [Theory]
    [InlineData("four oh double seven one two", "407712")]
    [InlineData("my ticket number is 123 456", "123456")]
    [InlineData("uh it's nine eight seven six five four", "987654")]
    public async Task Spoken_digits_in_free_form(string transcript, string ticket)
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        await session.Press('2');

        await session.Say(transcript);

        Assert.Equal(ticket, session.Slots["ticket"]);
    }

    [Fact]
    public async Task Spoken_digits_may_come_in_two_turns()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        await session.Say("support");

        Assert.Empty(await session.Say("one two three"));
        var outputs = await session.Say("four five six");

        Assert.Contains("one two three four five six", outputs.Text());
    }

    [Fact]
    public async Task Ticket_number_by_keypad()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        await session.Press('2');

        Assert.Empty(await session.PressAll("65432")); // keypad digits feed the capture; 0 is not the operator here
        var outputs = await session.Press('0');

        Assert.Contains("That's ticket six five four three two zero.", outputs.Text());
        Assert.Equal("654320", session.Slots["ticket"]);
        Assert.Equal("anything_else", session.CurrentState);
    }

    [Fact]
    public async Task Wrong_length_is_rejected()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        await session.Say("support");

        var tooLong = await session.Say("one two three four five six seven");
        var tooShortByHash = await session.PressAll("123#");
        await session.PressAll("12");
        var tooShortBySilence = await session.Ask(new CallerSilent());

        const string expected = "Sorry, a ticket number has six digits. Please say or key in your six digit ticket number, or say new ticket.";
        Assert.Equal(expected, tooLong.Text());
        Assert.Equal(expected, tooShortByHash.Text());
        Assert.Equal("Sorry, I'm having trouble understanding you. Let me put you through to a member of our team.", tooShortBySilence.Text());
        Assert.IsType<Transfer>(tooShortBySilence[^1]);
        Assert.False(session.Slots.ContainsKey("ticket"));
    }

    [Fact]
    public async Task Intents_still_work_while_capturing()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        await session.Say("support");

        var outputs = await session.Say("I don't have a ticket");

        Assert.Equal("sip:support@example.invalid", Assert.IsType<Transfer>(outputs[^1]).Target);
    }

    [Fact]
    public async Task Star_repeats_while_capturing()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        var prompt = await session.Say("support");

        var repeated = await session.Press('*');

        Assert.Equal(prompt, repeated);
        Assert.Equal("support", session.CurrentState);
    }

    [Fact]
    public async Task Sales_yes_transfers_to_sales()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        await session.Say("sales");

        var outputs = await session.Say("yes please");

        Assert.Equal([new Say("Connecting you to our sales team now."), new Transfer("sip:sales@example.invalid")], outputs);
    }

    [Fact]
    public async Task Sales_no_then_goodbye_hangs_up()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        await session.Say("sales");

        var no = await session.Say("no thanks");
        var bye = await session.Say("no");

        Assert.Equal("Is there anything else I can help you with?", no.Text());
        Assert.Equal([new Say("Thank you for calling Northwind Dental Supply. Goodbye."), new EndCall("caller said goodbye")], bye);
        Assert.True(session.IsEnded);
    }

    [Fact]
    public async Task Goodbye_works_everywhere()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        await session.Say("support");

        var outputs = await session.Say("goodbye");

        Assert.Equal(new EndCall("caller said goodbye"), outputs[^1]);
    }

    [Fact]
    public async Task Repeat_says_the_last_reply_again()
    {
        var session = DemoSession();
        var greeting = await session.Ask(new CallAnswered());

        Assert.Equal(greeting, await session.Say("repeat that"));
        var noMatch = await session.Say("purple elephants");
        Assert.Equal(noMatch, await session.Say("say that again"));
        Assert.Equal("greeting", session.CurrentState);
    }

    [Fact]
    public async Task Barge_in_keeps_only_what_was_heard_and_answers_the_interruption()
    {
        var session = DemoSession();
        var greeting = (await session.Ask(new CallAnswered())).Text();
        const string heard = "Thank you for calling Northwind Dental Supply, your partner for dental equipment and supplies.";

        session.ReplyInterrupted(greeting, heard);
        var outputs = await session.Say("opening hours");

        Assert.StartsWith(HoursSentence, outputs.Text());
        var history = session.History;
        Assert.Equal(new DialogueTurn(DialogueTurnKind.Agent, heard, "greeting", null, Interrupted: true), history[0]);
        Assert.Equal(new DialogueTurn(DialogueTurnKind.Caller, "opening hours", "greeting", "opening_hours"), history[1]);
        Assert.Equal(DialogueTurnKind.Agent, history[2].Kind);
        Assert.False(history[2].Interrupted);
        Assert.Equal(3, history.Count);
    }

    [Fact]
    public async Task Barge_in_into_the_menu_details()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        var details = (await session.Say("help")).Text();
        Assert.True(details.Split(' ').Length >= 40);

        session.ReplyInterrupted(details, "Here are all the options.");
        var outputs = await session.Say("uh sales");

        Assert.Equal("sales", session.CurrentState);
        Assert.Contains("Our sales team", outputs.Text());
        Assert.Contains(session.History, t => t is { Kind: DialogueTurnKind.Agent, Text: "Here are all the options.", Interrupted: true });
    }

    [Fact]
    public async Task Barge_in_before_anything_was_heard_drops_the_turn()
    {
        var session = DemoSession();
        var greeting = (await session.Ask(new CallAnswered())).Text();

        session.ReplyInterrupted(greeting, "");

        Assert.Empty(session.History);
        Assert.Equal("greeting", session.CurrentState);
    }

    [Fact]
    public async Task Cancelled_stream_throws()
    {
        var session = DemoSession();
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in session.RespondAsync(new CallAnswered(), cts.Token))
            {
            }
        });
    }

    [Fact]
    public async Task History_records_keys_silence_and_the_end()
    {
        var session = DemoSession();
        await session.Ask(new CallAnswered());
        await session.Ask(new CallerSilent());
        await session.Press('0');

        var kinds = session.History.Select(t => t.Kind).ToArray();

        Assert.Equal(
            [DialogueTurnKind.Agent, DialogueTurnKind.Silence, DialogueTurnKind.Agent, DialogueTurnKind.Keypad,
             DialogueTurnKind.Agent, DialogueTurnKind.Transfer],
            kinds);
        Assert.Equal("person", session.History[3].Intent);
    }
}
