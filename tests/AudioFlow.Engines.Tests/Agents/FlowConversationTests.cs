using AudioFlow.Engines.Agents;
using AudioFlow.Engines.Agents.Flow;
using AudioFlow.Engines.Agents.Llm;
using AudioFlow.Engines.Stt;
using AudioFlow.Engines.Tests.Agents.Llm;
using Xunit;
using static AudioFlow.Engines.Tests.Agents.FlowTestKit;

namespace AudioFlow.Engines.Tests.Agents;

/// <summary>
/// Flow states handed to the LLM (<c>conversation:</c>), with the real OpenAI client against
/// <see cref="FakeOpenAiServer"/>, a loopback stand-in for a remote OpenAI-compatible server.
/// </summary>
public sealed class FlowConversationTests : IAsyncLifetime
{
    private const string DeskYaml = """
        name: desk
        start: menu
        globalIntents:
          - name: person
            phrases: [speak to a person]
            dtmf: 0
            say: "Putting you through."
            transfer: "sip:operator@example.invalid"
          - name: goodbye
            phrases: [goodbye]
            goto: bye
        states:
          menu:
            prompt: "Say sales or question."
            intents:
              - name: sales
                phrases: [sales]
                goto: sales
              - name: question
                phrases: [question]
                dtmf: 4
                set: { topic: gloves }
                goto: ask
          sales:
            prompt: "Sales here."
            intents:
              - name: back
                phrases: [back]
                goto: menu
          ask:
            prompt: "What would you like to know?"
            conversation:
              llm: true
              instructions: "Answer questions about {topic}."
              summarySlot: summary
              then:
                say: "Back to the menu."
                goto: menu
          bye:
            onEnter:
              say: "Goodbye."
              hangup: true
        """;

    private FakeOpenAiServer _fake = null!;
    private LlmAgentFactory _llm = null!;

    public Task InitializeAsync()
    {
        _fake = FakeOpenAiServer.Start();
        _llm = LlmAgentFactory.ForOpenAiCompatible(new LlmAgentOptions
        {
            Endpoint = _fake.BaseUrl,
            Model = "fake-model",
            FirstTokenTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(10),
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _llm.Dispose();
        await _fake.DisposeAsync();
    }

    [Fact]
    public async Task Entering_the_state_says_its_prompt_and_briefs_the_llm_without_asking_it()
    {
        var session = await InAsk();

        Assert.Equal("ask", session.CurrentState);
        Assert.Equal(RecognitionContext.FreeForm, session.Listening);
        Assert.Equal(_llm.Options.NoInputTimeout, session.NoInputTimeout);
        var llm = Assert.IsType<LlmAgentSession>(session.Conversation);
        Assert.Equal("flow 'desk' state 'ask'", llm.Brief!.Origin);
        Assert.Equal("Answer questions about gloves.", llm.Brief.Instructions);
        Assert.EndsWith(_llm.Options.FlowConversationPrompt + "\n\nAnswer questions about gloves.", llm.Instructions);
        Assert.StartsWith(_llm.Options.Instructions, llm.Instructions);
        Assert.Empty(_fake.Requests);
    }

    [Fact]
    public async Task A_caller_turn_is_answered_by_the_llm_with_the_flow_dialogue_as_context()
    {
        var session = await InAsk();
        _fake.Then(FakeReply.Say("Yes, we sell nitrile gloves", " in three sizes. Anything", " else?"));

        var outputs = await session.Say("do you sell nitrile gloves");

        Assert.Equal(new AgentOutput[] { new Say("Yes, we sell nitrile gloves in three sizes."), new Say("Anything else?") }, outputs);
        var request = Assert.Single(_fake.Requests);
        Assert.Equal(
            new[]
            {
                "system: " + ((LlmAgentSession)session.Conversation!).Instructions,
                "user: [call connected]",
                "assistant: Say sales or question.",
                "user: [caller pressed 4]",
                "assistant: What would you like to know?",
                "user: do you sell nitrile gloves",
            },
            request.Transcript);
        Assert.Equal(
            new[] { "transfer_call", "end_call", "return_to_menu" },
            request.Body!["tools"]!.AsArray().Select(t => (string?)t!["function"]!["name"]).ToArray());
        Assert.Equal("ask", session.CurrentState);
        Assert.Equal(
            new DialogueTurn(DialogueTurnKind.Caller, "do you sell nitrile gloves", "ask", FlowAgentSession.ConversationIntent),
            session.History[^2]);
        Assert.Equal(new DialogueTurn(DialogueTurnKind.Agent, "Yes, we sell nitrile gloves in three sizes. Anything else?", "ask"), session.History[^1]);

        // Keys that no intent has go to the LLM too; the LLM's no-input handling applies (a static reprompt here).
        _fake.Then(FakeReply.Say("You pressed five."));
        Assert.Equal(new AgentOutput[] { new Say("You pressed five.") }, await session.Press('5'));
        Assert.Equal("user: [caller pressed 5]", (await _fake.RequestAsync(1)).Transcript[^1]);
        Assert.Equal(new AgentOutput[] { new Say(_llm.Options.SilenceReprompt!) }, await session.Ask(new CallerSilent()));
        Assert.Equal(2, _fake.Requests.Count);

        // The synchronous Respond is for the flow's own responses only.
        var turns = session.History.Count;
        Assert.Throws<InvalidOperationException>(() => session.Respond(Said("what sizes again")));
        Assert.Equal(turns, session.History.Count);
    }

    [Fact]
    public async Task Exact_global_intents_are_still_handled_by_the_flow()
    {
        var session = await InAsk();

        var outputs = await session.Say("Goodbye!");

        Assert.Equal(new AgentOutput[] { new Say("Goodbye."), new EndCall("completed") }, outputs);
        Assert.True(session.IsEnded);

        var other = await InAsk();
        Assert.Equal(new AgentOutput[] { new Say("Putting you through."), new Transfer("sip:operator@example.invalid") }, await other.Press('0'));
        Assert.Empty(_fake.Requests);

        // Only exact phrases: "goodbye" inside a longer sentence is the LLM's to answer.
        var third = await InAsk();
        _fake.Then(FakeReply.Say("We can help you switch."));
        Assert.Equal(new AgentOutput[] { new Say("We can help you switch.") }, await third.Say("I want to say goodbye to my old supplier"));
        Assert.Equal("ask", third.CurrentState);
    }

    [Fact]
    public async Task Return_to_menu_runs_then_and_the_flow_handles_the_next_turn()
    {
        var session = await InAsk();
        _fake.Then(FakeReply.Stream()
            .Text("Glad I could help.")
            .ToolCall(0, "call_1", "return_to_menu", "{\"summary\": \"asked ab")
            .ToolArguments(0, "out glove sizes\"}")
            .Finish("tool_calls"));

        var outputs = await session.Say("thanks that answers it");

        Assert.Equal(
            new AgentOutput[] { new Say("Glad I could help."), new Say("Back to the menu."), new Say("Say sales or question.") },
            outputs);
        Assert.Equal("menu", session.CurrentState);
        Assert.Null(session.Conversation);
        Assert.True(session.Listening.HasGrammar);
        Assert.Equal("asked about glove sizes", session.Slots["summary"]);
        Assert.Equal(
            new[] { DialogueTurnKind.Caller, DialogueTurnKind.Agent, DialogueTurnKind.Returned },
            session.History.TakeLast(3).Select(t => t.Kind));
        Assert.Equal(new DialogueTurn(DialogueTurnKind.Returned, "asked about glove sizes", "ask"), session.History[^1]);

        Assert.Equal(new AgentOutput[] { new Say("Sales here.") }, await session.Say("sales"));
        Assert.Equal("sales", session.CurrentState);
        Assert.Single(_fake.Requests);

        // end_conversation (not offered, but a model may call it) hands the call back too.
        var other = await InAsk();
        _fake.Then(FakeReply.Stream().ToolCall(0, "call_2", "end_conversation", "{\"goodbye\":\"Bye!\"}").Finish("tool_calls"));
        Assert.Equal(
            new AgentOutput[] { new Say("Back to the menu."), new Say("Say sales or question.") },
            await other.Say("that's all I wanted to know"));
        Assert.Equal(string.Empty, other.Slots["summary"]);
        Assert.False(other.IsEnded);
    }

    [Fact]
    public async Task Transfer_from_the_llm_is_a_transfer_of_the_flow()
    {
        var session = await InAsk();
        _fake.Then(FakeReply.Stream()
            .Text("Let me connect you to sales.")
            .ToolCall(0, "call_1", "transfer_call", "{\"target\":\"sales\"}")
            .Finish("tool_calls"));

        var outputs = await session.Say("I want to order a thousand boxes");

        Assert.Equal(new AgentOutput[] { new Say("Let me connect you to sales."), new Transfer("sales") }, outputs);
        Assert.True(session.IsEnded);
        Assert.Null(session.NoInputTimeout);
        Assert.Equal(new DialogueTurn(DialogueTurnKind.Transfer, "sales", "ask"), session.History[^1]);
        Assert.Empty(await session.Say("hello?"));
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task Barge_in_goes_to_the_session_that_produced_the_reply()
    {
        var session = await InAsk();
        _fake.Then(FakeReply.Say("We have gloves in three sizes.", " Small, medium and large.", " They come in boxes of one hundred."))
            .Then(FakeReply.Say("Ten euros a box."));

        await session.Say("what gloves do you have");
        session.ReplyInterrupted(
            "We have gloves in three sizes. Small, medium and large. They come in boxes of one hundred.",
            "We have gloves in three sizes. Small, med");
        await session.Say("how much are they");

        Assert.Equal(
            new[] { "assistant: We have gloves in three sizes. Small, med", "user: how much are they" },
            (await _fake.RequestAsync(1)).Transcript.TakeLast(2));
        Assert.Contains(
            new DialogueTurn(DialogueTurnKind.Agent, "We have gloves in three sizes. Small, med", "ask", Interrupted: true),
            session.History);

        // The flow's own reply (the state's prompt) cut short before the LLM had a turn: the LLM is briefed with
        // what was heard.
        var other = await Start();
        await other.Press('4');
        other.ReplyInterrupted("What would you like to know?", "What would");
        _fake.Then(FakeReply.Say("Anything about our gloves."));
        await other.Say("what can I ask");
        Assert.Equal(
            new[] { "user: [caller pressed 4]", "assistant: What would", "user: what can I ask" },
            (await _fake.RequestAsync(2)).Transcript.TakeLast(3));
    }

    [Fact]
    public async Task Barge_in_cancels_the_llm_reply_and_the_history_keeps_what_was_said()
    {
        var session = await InAsk();
        var reply = FakeReply.Stream().Text("Our gloves come in three sizes. The");
        for (var i = 0; i < 40; i++)
        {
            reply.Pause(100).Text(" and more");
        }

        _fake.Then(reply.Finish("stop")).Then(FakeReply.Say("Small, medium and large."));
        using var bargeIn = new CancellationTokenSource();
        var said = new List<AgentOutput>();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var output in session.RespondAsync(Said("what sizes"), bargeIn.Token))
            {
                said.Add(output);
                await bargeIn.CancelAsync();
            }
        });

        Assert.Equal(new AgentOutput[] { new Say("Our gloves come in three sizes.") }, said);
        Assert.Equal(new DialogueTurn(DialogueTurnKind.Agent, "Our gloves come in three sizes.", "ask"), session.History[^1]);
        session.ReplyInterrupted("Our gloves come in three sizes.", "Our gloves come");
        await session.Say("which sizes");
        Assert.Equal(
            new[] { "user: what sizes", "assistant: Our gloves come", "user: which sizes" },
            (await _fake.RequestAsync(1)).Transcript.TakeLast(3));
        Assert.Equal("ask", session.CurrentState);
    }

    [Fact]
    public void A_conversation_state_without_an_llm_is_refused_naming_the_state()
    {
        var flow = FlowLoader.LoadYaml(DeskYaml, "desk.yaml");
        Assert.Equal(["ask"], flow.ConversationStates.Select(s => s.Id));
        Assert.Empty(flow.Warnings);

        var e = Assert.Throws<FlowValidationException>(() => new FlowAgentFactory(flow));

        var error = Assert.Single(e.Errors);
        Assert.StartsWith("desk.yaml:32:5: state 'ask': conversation: the state hands the call to an LLM, but no LLM is configured", error.ToString());
        Assert.Contains("desk.yaml:32:5: state 'ask'", e.Message);

        // Flows without conversation states need no LLM, and ignore one.
        Assert.Null(new FlowAgentFactory(Demo, null, _llm).Conversations);
    }

    [Fact]
    public void Conversation_errors_have_positions()
    {
        const string yaml = """
            start: ask
            states:
              ask:
                prompt: "Ask away."
                capture: { slot: n, length: 2, then: { goto: ask } }
                conversation:
                  llm: false
                  instrutions: "x"
                  then:
                    goto: nowhere
              talk:
                conversation:
                  then: { say: "ok" }
              chat:
                conversation: { llm: true, summarySlot: "1x", then: { repeat: true, goto: ask } }
            """;

        var e = LoadFails(yaml);

        Assert.Equal(
            new[]
            {
                "broken.yaml:5:5: state 'ask': a state cannot both capture digits and hand the call to a conversation: use two states",
                "broken.yaml:7:12: state 'ask' conversation: 'llm' must be true (the LLM is the only conversation agent); remove 'conversation' for a state without one",
                "broken.yaml:8:7: state 'ask' conversation: unknown key 'instrutions' (did you mean 'instructions'?)",
                "broken.yaml:10:15: state 'ask' conversation then: goto target 'nowhere' is not a defined state",
                "broken.yaml:13:7: state 'talk' conversation: missing 'llm: true': a conversation is held by the LLM (audioflow.engines.llm)",
                "broken.yaml:13:7: state 'talk' conversation then: 'then' must move the call on when the LLM hands it back: give it 'goto' (e.g. back to a menu), 'transfer' or 'hangup'",
                "broken.yaml:15:45: state 'chat' conversation: slot name '1x' must start with a letter and contain only letters, digits and '_'",
                "broken.yaml:15:59: state 'chat' conversation then: 'repeat' is only allowed in intents",
            },
            e.Errors.Select(p => p.ToString()));
    }

    [Fact]
    public async Task The_assistant_example_flow_loads_and_hands_questions_to_the_llm()
    {
        var flow = FlowLoader.LoadEmbedded(FlowLoader.AssistantFlowName);
        Assert.Empty(flow.Warnings);
        Assert.Equal(["ask_anything"], flow.ConversationStates.Select(s => s.Id));
        Assert.Empty(FlowLoader.LoadEmbeddedDemo().ConversationStates);
        Assert.Equal(flow.Name, FlowLoader.LoadFileOrEmbedded("embedded:front-desk-assistant.yaml").Name);
        Assert.Equal(flow.Name, FlowLoader.LoadFileOrEmbedded("/opt/audioflow/embedded:front-desk-assistant.yaml").Name);
        Assert.Throws<FileNotFoundException>(() => FlowLoader.LoadFileOrEmbedded("embedded:nope.yaml"));
        var refused = Assert.Throws<FlowValidationException>(() => new FlowAgentFactory(flow));
        Assert.Contains("front-desk-assistant.yaml:88:5: state 'ask_anything': conversation:", refused.Message);
        CheckDictionary(flow);

        var session = new FlowAgentFactory(flow, null, _llm).CreateSession("call-1");
        await session.Ask(new CallAnswered());
        Assert.Contains("What would you like to know?", (await session.Say("I have a question")).Text());
        Assert.Equal("ask_anything", session.CurrentState);
        _fake.Then(FakeReply.Stream()
            .Text("Orders placed before three p.m. ship the same day.")
            .ToolCall(0, "call_1", "return_to_menu", "{}")
            .Finish("tool_calls"));

        var outputs = await session.Say("when do orders ship");

        Assert.Equal(
            ["Orders placed before three p.m. ship the same day.", "Is there anything else I can help you with?"],
            outputs.OfType<Say>().Select(s => s.Text));
        Assert.Equal("anything_else", session.CurrentState);
        Assert.Contains("Northwind Dental Supply", (await _fake.RequestAsync(0)).Transcript[0]);
        Assert.Equal("menu_details", await StateAfter(flow, '4', "main menu"));
    }

    private async Task<string> StateAfter(FlowDefinition flow, char key, string phrase)
    {
        var session = new FlowAgentFactory(flow, null, _llm).CreateSession("call-2");
        await session.Ask(new CallAnswered());
        await session.Press(key);
        await session.Say(phrase);
        return session.CurrentState;
    }

    private static void CheckDictionary(FlowDefinition flow)
    {
        const string dictionary = "/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict";
        if (!File.Exists(dictionary))
        {
            return;
        }

        var words = File.ReadLines(dictionary)
            .Select(l => l.Split(' ', 2)[0])
            .Select(w => w.Contains('(') ? w[..w.IndexOf('(')] : w)
            .ToHashSet(StringComparer.Ordinal);
        var missing = flow.States
            .SelectMany(s => s.EffectiveIntents.SelectMany(i => i.Phrases))
            .Select(PhraseText.ToGrammarPhrase)
            .SelectMany(p => p.Split(' '))
            .Distinct()
            .Where(w => !words.Contains(w))
            .ToArray();
        Assert.Empty(missing);
    }

    private async Task<FlowAgentSession> Start()
    {
        var session = new FlowAgentFactory(FlowLoader.LoadYaml(DeskYaml, "desk.yaml"), null, _llm).CreateSession("call-1");
        await session.Ask(new CallAnswered());
        return session;
    }

    private async Task<FlowAgentSession> InAsk()
    {
        var session = await Start();
        Assert.Equal(new AgentOutput[] { new Say("What would you like to know?") }, await session.Press('4'));
        return session;
    }
}
