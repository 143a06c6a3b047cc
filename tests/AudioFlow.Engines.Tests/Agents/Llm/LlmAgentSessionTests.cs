using System.Diagnostics;
using AudioFlow.Engines.Agents;
using AudioFlow.Engines.Agents.Llm;
using AudioFlow.Engines.Stt;
using Microsoft.Extensions.AI;
using Xunit;

namespace AudioFlow.Engines.Tests.Agents.Llm;

/// <summary>
/// The LLM agent over the real OpenAI client (Microsoft.Extensions.AI.OpenAI) against <see cref="FakeOpenAiServer"/>,
/// a loopback stand-in for a remote OpenAI-compatible server.
/// </summary>
public sealed class LlmAgentSessionTests : IAsyncLifetime
{
    private FakeOpenAiServer _fake = null!;

    public Task InitializeAsync()
    {
        _fake = FakeOpenAiServer.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _fake.DisposeAsync();

    [Fact]
    public async Task Greeting_is_spoken_without_the_model_and_the_first_turn_streams_from_it()
    {
        using var factory = Factory();
        var session = factory.CreateSession("call-1");
        _fake.Then(FakeReply.Say("We are open", " from nine to five", " on weekdays. Anything", " else?"));

        var greeting = await Ask(session, new CallAnswered());
        var answer = await Ask(session, Said("what are your opening hours"));

        Assert.Equal(new AgentOutput[] { new Say("Hello, thanks for calling. How can I help you today?") }, greeting);
        Assert.Equal(new AgentOutput[] { new Say("We are open from nine to five on weekdays."), new Say("Anything else?") }, answer);

        FakeRequest request = Assert.Single(_fake.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("fake-model", (string?)request.Body!["model"]);
        Assert.True((bool?)request.Body["stream"]);
        Assert.Equal(0.6f, (float)request.Body["temperature"]!, 0.001f);
        Assert.Equal(
            new[]
            {
                "system: " + factory.Options.Instructions,
                "user: [call connected]",
                "assistant: Hello, thanks for calling. How can I help you today?",
                "user: what are your opening hours",
            },
            request.Transcript);
        var tools = request.Body["tools"]!.AsArray().Select(t => (string?)t!["function"]!["name"]).ToArray();
        Assert.Equal(new[] { "transfer_call", "end_call", "end_conversation" }, tools);
        Assert.Equal(RecognitionContext.FreeForm, session.Listening);
        Assert.Equal(TimeSpan.FromSeconds(8), session.NoInputTimeout);
    }

    [Fact]
    public async Task Each_sentence_is_yielded_as_soon_as_it_is_complete()
    {
        using var factory = Factory();
        var session = factory.CreateSession("call-1");
        _fake.Then(FakeReply.Stream()
            .Text("Sure, I can help").Text(" with that. Let")
            .Pause(3000)
            .Text(" me check your booking.").Finish("stop"));

        await using var outputs = session.RespondAsync(Said("can you help me"), CancellationToken.None).GetAsyncEnumerator();
        var clock = Stopwatch.StartNew();
        Assert.True(await outputs.MoveNextAsync());
        FakeRequest request = await _fake.RequestAsync(0);

        // The first sentence arrived while the server was still in its pause, long before the stream ended.
        Assert.Equal(new Say("Sure, I can help with that."), outputs.Current);
        Assert.False(request.Completed.Task.IsCompleted);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2.5), $"first sentence after {clock.Elapsed}");

        Assert.True(await outputs.MoveNextAsync());
        Assert.Equal(new Say("Let me check your booking."), outputs.Current);
        Assert.False(await outputs.MoveNextAsync());
    }

    [Fact]
    public async Task Barge_in_cancels_the_http_request_promptly()
    {
        using var factory = Factory();
        var session = factory.CreateSession("call-1");
        var reply = FakeReply.Stream().Text("Our first plan costs ten euros. The second");
        for (int i = 0; i < 60; i++)
        {
            reply.Pause(100).Text(" and more");
        }

        _fake.Then(reply.Finish("stop"));
        using var bargeIn = new CancellationTokenSource();
        var said = new List<AgentOutput>();
        var clock = new Stopwatch();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (AgentOutput output in session.RespondAsync(Said("what plans do you have"), bargeIn.Token))
            {
                said.Add(output);
                clock.Start();
                await bargeIn.CancelAsync();
            }
        });

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"RespondAsync ended {clock.Elapsed} after the cancellation");
        Assert.Equal(new AgentOutput[] { new Say("Our first plan costs ten euros.") }, said);
        FakeRequest request = await _fake.RequestAsync(0);
        await request.Disconnected.Task.WaitAsync(TimeSpan.FromSeconds(5));

        // What was yielded is in the history until ReplyInterrupted says otherwise; nothing unspoken is.
        Assert.Equal("Our first plan costs ten euros.", session.History.Last(m => m.Role == ChatRole.Assistant).Text);
    }

    [Fact]
    public async Task Transfer_comes_after_the_speech_before_it_and_ends_the_session()
    {
        using var factory = Factory();
        var session = factory.CreateSession("call-1");
        _fake.Then(FakeReply.Stream()
            .Text("Let me transfer you to sales.").Text(" One moment please.")
            .ToolCall(0, "call_1", "transfer_call", "{\"tar")
            .ToolArguments(0, "get\": \"sa")
            .ToolArguments(0, "les\"}")
            .Finish("tool_calls"));

        var outputs = await Ask(session, Said("I want to buy something"));

        Assert.Equal(
            new AgentOutput[] { new Say("Let me transfer you to sales."), new Say("One moment please."), new Transfer("sales") },
            outputs);
        Assert.True(session.IsEnded);
        Assert.Null(session.NoInputTimeout);
        Assert.Empty(await Ask(session, Said("hello?")));
        Assert.Single(_fake.Requests);
    }

    [Fact]
    public async Task A_second_transfer_or_hang_up_is_refused_with_a_tool_result()
    {
        using var factory = Factory();
        var session = factory.CreateSession("call-1");
        _fake.Then(FakeReply.Stream()
            .ToolCall(0, "call_1", "transfer_call", "{\"target\":\"sales\"}")
            .ToolCall(1, "call_2", "transfer_call", "{\"target\":")
            .ToolArguments(1, "\"support\"}")
            .ToolCall(2, "call_3", "end_call", "{}")
            .Finish("tool_calls"));

        var outputs = await Ask(session, Said("sales please"));

        Assert.Equal(new AgentOutput[] { new Transfer("sales") }, outputs);
        var results = session.History.Where(m => m.Role == ChatRole.Tool)
            .Select(m => m.Contents.OfType<FunctionResultContent>().Single())
            .ToDictionary(r => r.CallId, r => r.Result?.ToString() ?? string.Empty);
        Assert.StartsWith("ok: transferring the call to sales", results["call_1"]);
        Assert.StartsWith("refused:", results["call_2"]);
        Assert.StartsWith("refused:", results["call_3"]);
    }

    [Fact]
    public async Task Transfer_targets_map_names_and_unknown_targets_go_back_to_the_model()
    {
        using var factory = Factory(o => o with
        {
            TransferTargets = new Dictionary<string, string> { ["sales"] = "sip:sales@pbx.example", ["billing"] = "+15550100" },
        });
        var session = factory.CreateSession("call-1");
        _fake.Then(FakeReply.Stream().ToolCall(0, "call_1", "transfer_call", "{\"target\":\"+19005551234\"}").Finish("tool_calls"))
            .Then(FakeReply.Stream().Text("I'll put you through to billing.")
                .ToolCall(0, "call_2", "transfer_call", "{\"target\":\"Billing\"}").Finish("tool_calls"));

        var outputs = await Ask(session, Said("put me through to this number"));

        Assert.Equal(new AgentOutput[] { new Say("I'll put you through to billing."), new Transfer("+15550100") }, outputs);
        FakeRequest second = await _fake.RequestAsync(1);
        Assert.Contains(second.Transcript, line => line.StartsWith("tool: error: '+19005551234' is not a transfer destination", StringComparison.Ordinal));
        var targetSchema = second.Body!["tools"]![0]!["function"]!["parameters"]!["properties"]!["target"]!;
        Assert.Equal(new[] { "billing", "sales" }, targetSchema["enum"]!.AsArray().Select(v => (string?)v).ToArray());
    }

    [Fact]
    public async Task End_call_and_end_conversation_hang_up()
    {
        using var factory = Factory();
        var hangUp = factory.CreateSession("call-1");
        _fake.Then(FakeReply.Stream()
            .Text("Okay, goodbye then.")
            .ToolCall(0, "call_1", "end_call", "{\"reason\": \"caller asked")
            .ToolArguments(0, " to hang up\"}")
            .Finish("tool_calls"));
        Assert.Equal(
            new AgentOutput[] { new Say("Okay, goodbye then."), new EndCall("caller asked to hang up") },
            await Ask(hangUp, Said("please hang up")));

        // end_conversation says goodbye itself when the model said nothing.
        var done = factory.CreateSession("call-2");
        _fake.Then(FakeReply.Stream().ToolCall(0, "call_9", "end_conversation", "{}").Finish("tool_calls"));
        Assert.Equal(
            new AgentOutput[] { new Say("Thank you for calling. Goodbye!"), new EndCall("conversation ended") },
            await Ask(done, Said("that's all, thanks")));
        Assert.Equal("Thank you for calling. Goodbye!", done.History.Last(m => m.Role == ChatRole.Assistant).Text);
    }

    [Fact]
    public async Task Http_error_speaks_the_fallback_and_the_session_stays_usable()
    {
        using var factory = Factory();
        var session = factory.CreateSession("call-1");
        _fake.Then(FakeReply.Error(500, "model crashed"))
            .Then(FakeReply.Say("Yes, I can hear you now."));

        var failed = await Ask(session, Said("hello"));
        var recovered = await Ask(session, Said("can you hear me"));

        Assert.Equal(new AgentOutput[] { new Say("Sorry, I'm having trouble right now. Could you say that again?") }, failed);
        Assert.Equal(new AgentOutput[] { new Say("Yes, I can hear you now.") }, recovered);
        Assert.Equal(2, _fake.Requests.Count); // no retries: the caller is waiting
        Assert.Equal(
            new[]
            {
                "user: hello",
                "assistant: Sorry, I'm having trouble right now. Could you say that again?",
                "user: can you hear me",
            },
            _fake.Requests[1].Transcript.Skip(1));
    }

    [Fact]
    public async Task Timeouts_speak_the_fallback()
    {
        using var factory = Factory(o => o with { FirstTokenTimeout = TimeSpan.FromMilliseconds(400), RequestTimeout = TimeSpan.FromSeconds(2) });
        var session = factory.CreateSession("call-1");

        // No first token at all.
        _fake.Then(FakeReply.Hang());
        var clock = Stopwatch.StartNew();
        Assert.Equal(new AgentOutput[] { new Say(factory.Options.FallbackText) }, await Ask(session, Said("hello")));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"fallback after {clock.Elapsed}");

        // Started, then stalled past the request timeout: what was complete is spoken, then the fallback.
        _fake.Then(FakeReply.Stream().Text("Let me look that up for you.").Text(" It").Pause(10_000).Text(" is.").Finish("stop"));
        clock.Restart();
        Assert.Equal(
            new AgentOutput[] { new Say("Let me look that up for you."), new Say(factory.Options.FallbackText) },
            await Ask(session, Said("what is my balance")));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(6), $"fallback after {clock.Elapsed}");
    }

    [Fact]
    public async Task Reply_interrupted_keeps_only_what_was_heard_in_the_next_request()
    {
        using var factory = Factory();
        var session = factory.CreateSession("call-1");
        _fake.Then(FakeReply.Say("We have three rooms left.", " The first is a double room.", " The second is a suite."))
            .Then(FakeReply.Say("Yes, the double room is free."))
            .Then(FakeReply.Say("Alright, no problem at all."))
            .Then(FakeReply.Say("Okay."));

        var first = await Ask(session, Said("any rooms tonight"));
        Assert.Equal(3, first.Count);
        session.ReplyInterrupted(
            "We have three rooms left. The first is a double room. The second is a suite.",
            "We have three rooms left. The first is a dou");
        await Ask(session, Said("is the double free"));

        Assert.Equal(
            new[]
            {
                "user: any rooms tonight",
                "assistant: We have three rooms left. The first is a dou",
                "user: is the double free",
            },
            _fake.Requests[1].Transcript.Skip(1));

        // Nothing heard at all: the reply is dropped and the caller's turns are merged so roles still alternate.
        await Ask(session, Said("never mind"));
        session.ReplyInterrupted("Alright, no problem at all.", string.Empty);
        await Ask(session, Said("actually one more thing"));
        Assert.Equal(
            new[]
            {
                "user: any rooms tonight",
                "assistant: We have three rooms left. The first is a dou",
                "user: is the double free",
                "assistant: Yes, the double room is free.",
                "user: never mind\nactually one more thing",
            },
            _fake.Requests[3].Transcript.Skip(1));
    }

    [Fact]
    public async Task Keys_silence_and_unintelligible_speech()
    {
        using var factory = Factory();
        var session = factory.CreateSession("call-1");
        _fake.Then(FakeReply.Say("You pressed five, connecting you to bookings."));

        await Ask(session, new DtmfPressed('5'));
        Assert.Equal("user: [caller pressed 5]", (await _fake.RequestAsync(0)).Transcript[^1]);

        // Silence and not-understood speech get static prompts without a model call; the third silence hangs up.
        Assert.Equal(new AgentOutput[] { new Say("Are you still there?") }, await Ask(session, new CallerSilent()));
        Assert.Equal(new AgentOutput[] { new Say(factory.Options.NotUnderstoodReply!) }, await Ask(session, new CallerSaid(Transcript.Empty)));
        Assert.Equal(new AgentOutput[] { new Say("Are you still there?") }, await Ask(session, new CallerSilent()));
        Assert.Equal(new AgentOutput[] { new Say("Are you still there?") }, await Ask(session, new CallerSilent()));
        Assert.Equal(
            new AgentOutput[] { new Say("Thank you for calling. Goodbye!"), new EndCall("caller silent") },
            await Ask(session, new CallerSilent()));
        Assert.Single(_fake.Requests);
        Assert.True(session.IsEnded);

        // Without a static reprompt, silence goes to the model as "[silence]".
        using var modelDriven = Factory(o => o with { SilenceReprompt = null });
        var other = modelDriven.CreateSession("call-2");
        _fake.Then(FakeReply.Say("Take your time, I'm here."));
        Assert.Equal(new AgentOutput[] { new Say("Take your time, I'm here.") }, await Ask(other, new CallerSilent()));
        Assert.Equal("user: [silence]", (await _fake.RequestAsync(1)).Transcript[^1]);
    }

    [Fact]
    public async Task Tool_results_go_back_to_the_model_and_send_dtmf_is_not_supported()
    {
        using var factory = Factory(o => o with { OfferSendDtmf = true, MaxToolSteps = 1 });
        var session = factory.CreateSession("call-1");
        _fake.Then(FakeReply.Stream().ToolCall(0, "call_1", "send_dtmf", "{\"digits\":").ToolArguments(0, "\"1234#\"}").Finish("tool_calls"))
            .Then(FakeReply.Say("I can't dial that menu for you, sorry."));

        var outputs = await Ask(session, Said("press one two three four for me"));

        Assert.Equal(new AgentOutput[] { new Say("I can't dial that menu for you, sorry.") }, outputs);
        FakeRequest first = await _fake.RequestAsync(0);
        Assert.Contains("send_dtmf", first.Body!["tools"]!.AsArray().Select(t => (string?)t!["function"]!["name"]));
        FakeRequest second = await _fake.RequestAsync(1);
        Assert.Equal(
            new[]
            {
                "user: press one two three four for me",
                "assistant: →send_dtmf({\"digits\":\"1234#\"})",
                "tool: not supported on this call: touch tones cannot be sent",
            },
            second.Transcript.Skip(1));
        Assert.Equal("call_1", (string?)second.Messages[^1]!["tool_call_id"]);

        // MaxToolSteps = 1: the follow-up request offers no tools, so the model has to answer in words.
        Assert.Null(second.Body!["tools"]);
    }

    [Fact]
    public async Task Reasoning_blocks_are_never_spoken()
    {
        using var factory = Factory();
        var session = factory.CreateSession("call-1");
        _fake.Then(FakeReply.Say("<thi", "nk>The caller wants hours. Say nine.</th", "ink>We open at nine.", " See you soon!"));

        var outputs = await Ask(session, Said("when do you open"));

        Assert.Equal(new AgentOutput[] { new Say("We open at nine."), new Say("See you soon!") }, outputs);
        Assert.Equal("We open at nine. See you soon!", session.History[^1].Text);
    }

    [Fact]
    public void Onnx_genai_model_folder_errors_are_clear()
    {
        string missing = Path.Combine(Path.GetTempPath(), "audioflow-no-such-model-" + Guid.NewGuid().ToString("N"));
        var e = Assert.Throws<LlmAgentException>(() => LlmAgentFactory.ForOnnxGenAi(missing));
        Assert.Contains(missing, e.Message);
        Assert.Contains("does not exist", e.Message);

        string folder = Directory.CreateTempSubdirectory("audioflow-genai-").FullName;
        try
        {
            e = Assert.Throws<LlmAgentException>(() => LlmAgentFactory.ForOnnxGenAi(folder));
            Assert.Contains("genai_config.json", e.Message);

            // A config the native runtime rejects: the runtime really loads, and its reason is passed on.
            File.WriteAllText(Path.Combine(folder, "genai_config.json"), "{ \"model\": { \"type\": \"phi3\" } }");
            e = Assert.Throws<LlmAgentException>(() => LlmAgentFactory.ForOnnxGenAi(folder));
            Assert.Contains(folder, e.Message);
            Assert.Contains("could not load the model", e.Message);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static CallerSaid Said(string text) => new(new Transcript(text, 0.9f, false));

    private static async Task<List<AgentOutput>> Ask(IAgentSession session, AgentInput input)
    {
        var outputs = new List<AgentOutput>();
        await foreach (AgentOutput output in session.RespondAsync(input, CancellationToken.None))
        {
            outputs.Add(output);
        }

        return outputs;
    }

    private LlmAgentFactory Factory(Func<LlmAgentOptions, LlmAgentOptions>? configure = null)
    {
        var options = new LlmAgentOptions
        {
            Endpoint = _fake.BaseUrl,
            Model = "fake-model",
            FirstTokenTimeout = TimeSpan.FromSeconds(5),
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        return LlmAgentFactory.ForOpenAiCompatible(configure?.Invoke(options) ?? options);
    }
}
