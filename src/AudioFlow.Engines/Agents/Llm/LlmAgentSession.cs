using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using AudioFlow.Engines.Stt;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AudioFlow.Engines.Agents.Llm;

/// <summary>
/// One call's conversation with the model.
/// <list type="bullet">
/// <item><b>Streaming.</b> <see cref="RespondAsync"/> streams the model's reply and yields a <see cref="Say"/> for each
/// sentence as soon as it is complete (an incremental <see cref="Tts.SentenceSplitter"/>), so speech starts while the
/// model is still writing. Reasoning blocks (&lt;think&gt;…&lt;/think&gt;) are never spoken.</item>
/// <item><b>Tools.</b> The session runs the tool loop itself: tool calls are read from the stream, executed in order
/// after the speech before them (<c>transfer_call</c> → <see cref="Transfer"/>, <c>end_call</c> → <see cref="EndCall"/>,
/// <c>end_conversation</c> → goodbye + <see cref="EndCall"/>, <c>send_dtmf</c> → "not supported on this call"), their
/// results are added to the conversation and the model is asked again, at most
/// <see cref="LlmAgentOptions.MaxToolSteps"/> rounds. Transfer and hang-up happen once: any later request is refused
/// with a tool result, and after one the model is not asked again and later inputs get no response.</item>
/// <item><b>Context.</b> The history holds user messages (transcripts; keys as "[caller pressed 5]"; "[silence]";
/// "[inaudible]"), assistant messages holding exactly what was spoken, and tool calls/results. Consecutive user
/// messages are merged so roles alternate (some chat templates insist). <see cref="ReplyInterrupted"/> cuts the
/// last reply down to what the caller heard.</item>
/// <item><b>Failures.</b> An HTTP error, a refused connection or a timeout (<see cref="LlmAgentOptions.FirstTokenTimeout"/>,
/// <see cref="LlmAgentOptions.RequestTimeout"/>) makes the agent speak <see cref="LlmAgentOptions.FallbackText"/>;
/// the session stays usable. Cancelling <see cref="RespondAsync"/> (barge-in) cancels the HTTP request and ends the
/// enumeration with <see cref="OperationCanceledException"/>; the history keeps the sentences already yielded until
/// <see cref="ReplyInterrupted"/> says what was heard.</item>
/// <item><b>Flow conversations.</b> A session from <see cref="LlmAgentFactory.CreateConversation"/> holds one state
/// of a dialogue flow: its system message adds <see cref="LlmAgentOptions.FlowConversationPrompt"/> and the state's
/// instructions, its history starts with the flow's dialogue, and it offers <c>return_to_menu</c> instead of
/// <c>end_conversation</c>. Either tool yields <see cref="ReturnToFlow"/> and ends the session.</item>
/// </list>
/// Called by one call at a time; <see cref="ReplyInterrupted"/> and <see cref="History"/> may come from another thread.
/// </summary>
public sealed class LlmAgentSession : IAgentSession
{
    /// <summary>User message for the caller's silence.</summary>
    public const string SilenceMessage = "[silence]";

    /// <summary>User message for speech the recogniser could not understand.</summary>
    public const string InaudibleMessage = "[inaudible]";

    private readonly LlmAgentFactory _factory;
    private readonly LlmAgentOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly List<ChatMessage> _history = [];
    private readonly string _instructions;
    private readonly IReadOnlyList<AITool> _tools;

    /// <summary>The assistant messages of the latest response, in order, with what was spoken in each.</summary>
    private readonly List<SpokenMessage> _lastReply = [];
    private string? _callControl;
    private int _silences;
    private volatile bool _ended;

    internal LlmAgentSession(LlmAgentFactory factory, string callId, ILogger logger, ConversationBrief? brief)
    {
        _factory = factory;
        _options = factory.Options;
        _logger = logger;
        CallId = callId;
        Brief = brief;
        _instructions = _options.Instructions;
        _tools = factory.Tools;
        if (brief is not null)
        {
            _tools = factory.ConversationTools;
            foreach (string? part in new[] { _options.FlowConversationPrompt, brief.Instructions })
            {
                if (!string.IsNullOrWhiteSpace(part))
                {
                    _instructions = _instructions.TrimEnd() + "\n\n" + part.Trim();
                }
            }

            AddUser(_options.CallAnsweredMessage);
            foreach (ConversationTurn turn in brief.History)
            {
                switch (turn.Kind)
                {
                    case ConversationTurnKind.Caller:
                        AddUser(Collapse(turn.Text) is { Length: > 0 } text ? text : InaudibleMessage);
                        break;
                    case ConversationTurnKind.Keypad:
                        AddUser($"[caller pressed {turn.Text.Trim()}]");
                        break;
                    case ConversationTurnKind.Silence:
                        AddUser(SilenceMessage);
                        break;
                    case ConversationTurnKind.Agent when Collapse(turn.Text) is { Length: > 0 } said:
                        AddAssistant(said);
                        break;
                }
            }
        }
    }

    public string CallId { get; }

    /// <summary>What the dialogue flow handed over, for a flow conversation (<see cref="LlmAgentFactory.CreateConversation"/>); else null.</summary>
    public ConversationBrief? Brief { get; }

    /// <summary>The system message sent with each request.</summary>
    public string Instructions => _instructions;

    /// <summary>True once the agent transferred the call or hung up; later inputs get no response.</summary>
    public bool IsEnded => _ended;

    /// <summary>A snapshot of the conversation (without the system message). The messages are live: don't modify them.</summary>
    public IReadOnlyList<ChatMessage> History
    {
        get
        {
            lock (_gate)
            {
                return _history.ToArray();
            }
        }
    }

    /// <summary>Always free-form: the model understands any wording.</summary>
    public RecognitionContext Listening => RecognitionContext.FreeForm;

    public TimeSpan? NoInputTimeout => _ended ? null : _options.NoInputTimeout;

    public IAsyncEnumerable<AgentOutput> RespondAsync(AgentInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Respond(input, cancellationToken);
    }

    public void ReplyInterrupted(string replyText, string heardText)
    {
        lock (_gate)
        {
            string heard = Collapse(heardText ?? string.Empty);
            int position = 0;
            foreach (SpokenMessage part in _lastReply)
            {
                if (part.Sentences.Count == 0)
                {
                    continue;
                }

                string said = part.Text;
                string keep;
                string rest = position < heard.Length ? heard[position..].TrimStart() : string.Empty;
                if (rest.Length >= said.Length)
                {
                    keep = said;
                    position = heard.Length - rest.Length + said.Length;
                }
                else
                {
                    keep = rest;
                    position = heard.Length;
                }

                part.Sentences.Clear();
                if (keep.Length > 0)
                {
                    part.Sentences.Add(keep);
                }

                if (part.Sentences.Count == 0 && !part.Message.Contents.OfType<FunctionCallContent>().Any())
                {
                    _history.Remove(part.Message);
                }
                else
                {
                    part.Update();
                }
            }
        }
    }

    private async IAsyncEnumerable<AgentOutput> Respond(AgentInput input, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_ended)
        {
            yield break;
        }

        string userText;
        switch (input)
        {
            case CallAnswered:
                _silences = 0;
                if (!string.IsNullOrWhiteSpace(_options.Greeting))
                {
                    yield return StaticReply(_options.CallAnsweredMessage, _options.Greeting.Trim());
                    yield break;
                }

                userText = _options.CallAnsweredMessage;
                break;
            case CallerSaid said:
                _silences = 0;
                if (said.Transcript.IsEmpty)
                {
                    if (!string.IsNullOrWhiteSpace(_options.NotUnderstoodReply))
                    {
                        yield return StaticReply(InaudibleMessage, _options.NotUnderstoodReply.Trim());
                        yield break;
                    }

                    userText = InaudibleMessage;
                }
                else
                {
                    userText = Collapse(said.Transcript.Text);
                }

                break;
            case DtmfPressed key:
                _silences = 0;
                userText = $"[caller pressed {key.Digit}]";
                break;
            case CallerSilent:
                _silences++;
                if (_options.MaxConsecutiveSilences > 0 && _silences >= _options.MaxConsecutiveSilences)
                {
                    yield return StaticReply(SilenceMessage, _options.GoodbyeText);
                    lock (_gate)
                    {
                        _callControl = "the call is already being ended";
                        _ended = true;
                    }

                    yield return new EndCall("caller silent");
                    yield break;
                }

                if (!string.IsNullOrWhiteSpace(_options.SilenceReprompt))
                {
                    yield return StaticReply(SilenceMessage, _options.SilenceReprompt.Trim());
                    yield break;
                }

                userText = SilenceMessage;
                break;
            default:
                yield break;
        }

        lock (_gate)
        {
            AddUser(userText);
            _lastReply.Clear();
        }

        await foreach (AgentOutput output in Converse(cancellationToken).ConfigureAwait(false))
        {
            yield return output;
        }
    }

    /// <summary>The tool loop: ask, speak sentence by sentence, run the tools, ask again.</summary>
    private async IAsyncEnumerable<AgentOutput> Converse([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        bool spokeAnything = false;
        for (int step = 0; ; step++)
        {
            bool offerTools = _tools.Count > 0 && step < _options.MaxToolSteps;
            var options = new ChatOptions
            {
                ModelId = _options.Model,
                Temperature = _options.Temperature,
                MaxOutputTokens = _options.MaxOutputTokens,
                Tools = offerTools ? [.. _tools] : null,
                ToolMode = offerTools ? ChatToolMode.Auto : null,
            };

            List<ChatMessage> request;
            var spoken = new SpokenMessage(new ChatMessage(ChatRole.Assistant, (string?)null));
            lock (_gate)
            {
                request = BuildRequest();
            }

            await using var model = new ModelStep(_factory.Client, request, options, _options, cancellationToken);
            while (await model.NextSentenceAsync().ConfigureAwait(false) is { } sentence)
            {
                Record(spoken, sentence);
                spokeAnything = true;
                yield return new Say(sentence);
            }

            if (model.Failure is null && !spokeAnything && model.Calls.Count == 0)
            {
                model.Failure = new InvalidOperationException("the model returned an empty reply");
            }

            if (model.Failure is { } failure)
            {
                _logger.LogWarning(
                    failure,
                    "llm: call {CallId}: the model request failed ({Reason}); speaking the fallback",
                    CallId,
                    failure.Message);
                Record(spoken, _options.FallbackText);
                yield return new Say(_options.FallbackText);
                yield break;
            }

            if (model.Calls.Count == 0)
            {
                yield break;
            }

            var outputs = new List<AgentOutput>();
            lock (_gate)
            {
                foreach (FunctionCallContent call in model.Calls)
                {
                    spoken.Message.Contents.Add(call);
                }

                spoken.Update();
                if (!_history.Contains(spoken.Message))
                {
                    _history.Add(spoken.Message);
                    _lastReply.Add(spoken);
                }

                foreach (FunctionCallContent call in model.Calls)
                {
                    string result = Execute(call, offerTools, spoken, outputs);
                    _history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, result)]));
                }
            }

            foreach (AgentOutput output in outputs)
            {
                spokeAnything |= output is Say;
                yield return output;
            }

            if (_ended || !offerTools)
            {
                yield break;
            }
        }
    }

    /// <summary>Runs one tool call; call-control outputs go to <paramref name="outputs"/>. Must hold the gate.</summary>
    private string Execute(FunctionCallContent call, bool offered, SpokenMessage spoken, List<AgentOutput> outputs)
    {
        if (call.Exception is { } invalid)
        {
            return $"error: the arguments could not be read ({invalid.Message})";
        }

        if (!offered)
        {
            return "refused: no more tool calls are allowed in this reply; answer the caller in words";
        }

        switch (call.Name)
        {
            case LlmCallTools.TransferCall:
            {
                if (_callControl is not null)
                {
                    return Refused(call);
                }

                string? target = Argument(call, "target")?.Trim();
                if (string.IsNullOrEmpty(target))
                {
                    return "error: a target is required";
                }

                string destination = target;
                if (_options.TransferTargets is { Count: > 0 } targets)
                {
                    var match = targets.FirstOrDefault(t => string.Equals(t.Key, target, StringComparison.OrdinalIgnoreCase));
                    if (match.Key is null)
                    {
                        return $"error: '{target}' is not a transfer destination; use one of: {string.Join(", ", targets.Keys.Order(StringComparer.Ordinal))}";
                    }

                    destination = match.Value;
                }

                _callControl = $"the call is already being transferred to {target}";
                _ended = true;
                outputs.Add(new Transfer(destination));
                return $"ok: transferring the call to {target}";
            }

            case LlmCallTools.EndCall:
            {
                if (_callControl is not null)
                {
                    return Refused(call);
                }

                string reason = Argument(call, "reason")?.Trim() is { Length: > 0 } given ? given : "ended by the agent";
                _callControl = "the call is already being ended";
                _ended = true;
                outputs.Add(new EndCall(reason));
                return "ok: hanging up";
            }

            case LlmCallTools.ReturnToMenu or LlmCallTools.EndConversation when Brief is not null:
            {
                if (_callControl is not null)
                {
                    return Refused(call);
                }

                string? summary = call.Name == LlmCallTools.ReturnToMenu ? Argument(call, "summary")?.Trim() : null;
                _callControl = "the call has already been handed back to the menu";
                _ended = true;
                outputs.Add(new ReturnToFlow(string.IsNullOrEmpty(summary) ? null : summary, call.Name));
                return "ok: the menu takes over the call";
            }

            case LlmCallTools.EndConversation:
            {
                if (_callControl is not null)
                {
                    return Refused(call);
                }

                string? goodbye = Argument(call, "goodbye")?.Trim();
                if (string.IsNullOrEmpty(goodbye) && spoken.Sentences.Count == 0)
                {
                    goodbye = _options.GoodbyeText;
                }

                if (!string.IsNullOrEmpty(goodbye))
                {
                    spoken.Sentences.Add(goodbye);
                    spoken.Update();
                    outputs.Add(new Say(goodbye));
                }

                _callControl = "the call is already being ended";
                _ended = true;
                outputs.Add(new EndCall("conversation ended"));
                return "ok: saying goodbye and hanging up";
            }

            case LlmCallTools.SendDtmf:
                // The agent contract (IAgent.cs) has no output for sending tones yet.
                return "not supported on this call: touch tones cannot be sent";

            default:
                return $"error: there is no tool named '{call.Name}'";
        }
    }

    private string Refused(FunctionCallContent call)
    {
        _logger.LogInformation("llm: call {CallId}: refused {Tool}: {Why}", CallId, call.Name, _callControl);
        return $"refused: {_callControl}; the call can be transferred or ended only once";
    }

    private static string? Argument(FunctionCallContent call, string name)
    {
        if (call.Arguments is null || !call.Arguments.TryGetValue(name, out object? value))
        {
            return null;
        }

        return value switch
        {
            null => null,
            string text => text,
            JsonElement { ValueKind: JsonValueKind.String } element => element.GetString(),
            JsonElement { ValueKind: JsonValueKind.Null } => null,
            JsonElement element => element.GetRawText(),
            _ => value.ToString(),
        };
    }

    private Say StaticReply(string userText, string reply)
    {
        lock (_gate)
        {
            AddUser(userText);
            _lastReply.Clear();
            var spoken = new SpokenMessage(new ChatMessage(ChatRole.Assistant, (string?)null));
            RecordLocked(spoken, reply);
        }

        return new Say(reply);
    }

    private void Record(SpokenMessage spoken, string sentence)
    {
        lock (_gate)
        {
            RecordLocked(spoken, sentence);
        }
    }

    private void RecordLocked(SpokenMessage spoken, string sentence)
    {
        spoken.Sentences.Add(sentence);
        spoken.Update();
        if (!_history.Contains(spoken.Message))
        {
            _history.Add(spoken.Message);
            _lastReply.Add(spoken);
        }
    }

    /// <summary>Adds a user message, merged into the previous one if that is a user message too. Must hold the gate.</summary>
    private void AddUser(string text)
    {
        if (_history.Count > 0 && _history[^1] is { } last && last.Role == ChatRole.User &&
            last.Contents.All(c => c is TextContent))
        {
            last.Contents = [new TextContent(last.Text + "\n" + text)];
            return;
        }

        _history.Add(new ChatMessage(ChatRole.User, text));
    }

    /// <summary>Adds an assistant message, merged into the previous one if that is a plain assistant message too.</summary>
    private void AddAssistant(string text)
    {
        if (_history.Count > 0 && _history[^1] is { } last && last.Role == ChatRole.Assistant &&
            last.Contents.All(c => c is TextContent))
        {
            last.Contents = [new TextContent(last.Text + " " + text)];
            return;
        }

        _history.Add(new ChatMessage(ChatRole.Assistant, text));
    }

    /// <summary>The system message and the (trimmed) history. Must hold the gate.</summary>
    private List<ChatMessage> BuildRequest()
    {
        if (_history.Count > _options.MaxHistoryMessages)
        {
            _history.RemoveRange(0, _history.Count - _options.MaxHistoryMessages);

            // Start at a user message, so no tool result is left without its call.
            int firstUser = _history.FindIndex(m => m.Role == ChatRole.User);
            _history.RemoveRange(0, firstUser < 0 ? _history.Count : firstUser);
        }

        var messages = new List<ChatMessage>(_history.Count + 1) { new(ChatRole.System, _instructions) };
        foreach (ChatMessage message in _history)
        {
            messages.Add(new ChatMessage(message.Role, [.. message.Contents]));
        }

        return messages;
    }

    private static string Collapse(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (string word in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(word);
        }

        return builder.ToString();
    }

    /// <summary>An assistant message and the sentences spoken from it; its text is always exactly what was spoken.</summary>
    private sealed class SpokenMessage(ChatMessage message)
    {
        public ChatMessage Message { get; } = message;

        public List<string> Sentences { get; } = [];

        public string Text => string.Join(" ", Sentences);

        public void Update()
        {
            var contents = new List<AIContent>();
            if (Sentences.Count > 0)
            {
                contents.Add(new TextContent(Text));
            }

            contents.AddRange(Message.Contents.Where(c => c is not TextContent));
            Message.Contents = contents;
        }
    }
}
