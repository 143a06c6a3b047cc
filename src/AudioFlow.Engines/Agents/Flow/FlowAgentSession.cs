using System.Runtime.CompilerServices;
using AudioFlow.Engines.Stt;

namespace AudioFlow.Engines.Agents.Flow;

/// <summary>What a <see cref="DialogueTurn"/> records.</summary>
public enum DialogueTurnKind
{
    /// <summary>The agent spoke (all sentences of one response).</summary>
    Agent,

    /// <summary>The caller spoke (the transcript, possibly empty).</summary>
    Caller,

    /// <summary>The caller pressed a key (the key as text).</summary>
    Keypad,

    /// <summary>The caller stayed silent until the no-input timeout.</summary>
    Silence,

    /// <summary>The agent transferred the call (the target).</summary>
    Transfer,

    /// <summary>The agent hung up (the reason).</summary>
    EndCall,

    /// <summary>The conversation agent (LLM) of a conversation state handed the call back (its summary, or empty).</summary>
    Returned,
}

/// <summary>One entry of a session's transcript history.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Text">What was said (for an interrupted agent turn: only what was heard), the key, target or reason.</param>
/// <param name="State">The dialogue state the turn happened in.</param>
/// <param name="Intent">
/// For caller turns: the intent matched, "capture" for captured digits, "conversation" for a turn handed to the
/// state's conversation agent (LLM), null for none.
/// </param>
/// <param name="Interrupted">For agent turns: the caller barged in and heard only <paramref name="Text"/>.</param>
public sealed record DialogueTurn(DialogueTurnKind Kind, string Text, string State, string? Intent = null, bool Interrupted = false);

/// <summary>
/// One call's walk through a <see cref="FlowDefinition"/>. The flow's own responses are computed synchronously when
/// <see cref="RespondAsync"/> is called (the state changes then), then streamed. In a conversation state the caller's
/// turns that match none of the state's intents exactly go to a conversation agent (an LLM session, created on entry
/// and primed with the dialogue so far), whose reply is streamed through; when it yields <see cref="ReturnToFlow"/>
/// the state's <c>then</c> action runs in the same response. One call at a time.
/// </summary>
public sealed class FlowAgentSession : IAgentSession
{
    /// <summary><see cref="DialogueTurn.Intent"/> of a caller turn handed to the conversation agent.</summary>
    public const string ConversationIntent = "conversation";

    private readonly FlowDefinition flow;
    private readonly FlowAgentOptions options;
    private readonly IConversationAgentFactory? conversations;
    private readonly Dictionary<string, string> slots = new(StringComparer.Ordinal);
    private readonly List<DialogueTurn> history = [];
    private readonly Lock gate = new();
    private FlowState state;
    private string digits = string.Empty;
    private int noMatchCount;
    private int noInputCount;
    private IReadOnlyList<string> lastReply = [];

    /// <summary>The agent holding the current conversation state; null outside one.</summary>
    private IAgentSession? conversation;

    /// <summary><see cref="conversation"/> has been given a caller turn (it was briefed before).</summary>
    private bool conversationUsed;

    /// <summary>The conversation agent that produced the last reply; null when the flow did.</summary>
    private IAgentSession? lastReplyBy;

    internal FlowAgentSession(FlowDefinition flow, FlowAgentOptions options, string callId, IConversationAgentFactory? conversations)
    {
        this.flow = flow;
        this.options = options;
        this.conversations = conversations;
        CallId = callId;
        state = flow.GetState(flow.Start);
    }

    public string CallId { get; }

    public FlowDefinition Flow => flow;

    /// <summary>Id of the current dialogue state.</summary>
    public string CurrentState
    {
        get
        {
            lock (gate)
            {
                return state.Id;
            }
        }
    }

    /// <summary>True once the agent transferred the call or hung up; later inputs get no response.</summary>
    public bool IsEnded { get; private set; }

    /// <summary>
    /// The conversation agent (e.g. an <see cref="Llm.LlmAgentSession"/>) holding the current conversation state;
    /// null outside conversation states. A new one is briefed each time such a state is entered.
    /// </summary>
    public IAgentSession? Conversation
    {
        get
        {
            lock (gate)
            {
                return conversation;
            }
        }
    }

    /// <summary>Slot values captured or set so far.</summary>
    public IReadOnlyDictionary<string, string> Slots
    {
        get
        {
            lock (gate)
            {
                return new Dictionary<string, string>(slots, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The conversation so far (a snapshot); interrupted agent turns hold only what the caller heard.</summary>
    public IReadOnlyList<DialogueTurn> History
    {
        get
        {
            lock (gate)
            {
                return history.ToArray();
            }
        }
    }

    public RecognitionContext Listening
    {
        get
        {
            lock (gate)
            {
                return conversation?.Listening ?? state.Listening;
            }
        }
    }

    public TimeSpan? NoInputTimeout
    {
        get
        {
            lock (gate)
            {
                if (IsEnded)
                {
                    return null;
                }

                return conversation is not null ? conversation.NoInputTimeout : state.NoInputTimeout ?? flow.NoInputTimeout;
            }
        }
    }

    public IAsyncEnumerable<AgentOutput> RespondAsync(AgentInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (outputs, handedTo, reply) = Begin(input);
        return handedTo is null ? Stream(outputs, cancellationToken) : Converse(input, handedTo, reply!, cancellationToken);
    }

    /// <summary>
    /// The synchronous core of <see cref="RespondAsync"/> for the flow's own responses: applies <paramref name="input"/>
    /// and returns the outputs.
    /// </summary>
    /// <exception cref="InvalidOperationException">The input goes to a conversation agent (use <see cref="RespondAsync"/>).</exception>
    public IReadOnlyList<AgentOutput> Respond(AgentInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        lock (gate)
        {
            if (HandsOver(input))
            {
                throw new InvalidOperationException($"State '{state.Id}' hands this input to its conversation agent, whose reply streams: use RespondAsync.");
            }
        }

        return Begin(input).Outputs;
    }

    /// <summary>
    /// Runs <paramref name="input"/> through the flow, or — in a conversation state, when no intent of the state
    /// matches it exactly — records it and returns the conversation agent to hand it to, with the reply to fill.
    /// </summary>
    private (IReadOnlyList<AgentOutput> Outputs, IAgentSession? HandedTo, Reply? Reply) Begin(AgentInput input)
    {
        lock (gate)
        {
            if (IsEnded)
            {
                return ([], null, null);
            }

            if (HandsOver(input))
            {
                conversation ??= Brief();
                conversationUsed = true;
                history.Add(input switch
                {
                    CallerSaid said => new DialogueTurn(DialogueTurnKind.Caller, (said.Transcript.Text ?? string.Empty).Trim(), state.Id, ConversationIntent),
                    DtmfPressed key => new DialogueTurn(DialogueTurnKind.Keypad, char.ToUpperInvariant(key.Digit).ToString(), state.Id, ConversationIntent),
                    _ => new DialogueTurn(DialogueTurnKind.Silence, string.Empty, state.Id, ConversationIntent),
                });
                return ([], conversation, new Reply(this) { From = conversation });
            }

            var reply = new Reply(this);
            switch (input)
            {
                case CallAnswered:
                    EnterState(flow.Start, reply, 0);
                    break;
                case CallerSaid said:
                    noInputCount = 0;
                    OnSpeech(said.Transcript, reply);
                    break;
                case DtmfPressed key:
                    noInputCount = 0;
                    OnKey(char.ToUpperInvariant(key.Digit), reply);
                    break;
                case CallerSilent:
                    history.Add(new DialogueTurn(DialogueTurnKind.Silence, string.Empty, state.Id));
                    OnSilence(reply);
                    break;
                default:
                    return ([], null, null);
            }

            return (reply.Finish(), null, null);
        }
    }

    /// <summary>Does <paramref name="input"/> go to the conversation agent? Must hold the gate.</summary>
    private bool HandsOver(AgentInput input) =>
        !IsEnded && state.Conversation is not null && input is (CallerSaid or DtmfPressed or CallerSilent) && !FlowHandles(input);

    /// <summary>In a conversation state: does the flow itself take this input (an exact phrase or a key of an intent)?</summary>
    private bool FlowHandles(AgentInput input) => input switch
    {
        CallerSaid { Transcript: var t } => !t.IsEmpty && t.Confidence >= options.MinConfidence
            && state.Matcher.Match(t.Text, options.MatchThreshold) is { Exact: true },
        DtmfPressed key => state.Matcher.MatchDtmf(char.ToUpperInvariant(key.Digit)) is not null,
        _ => false,
    };

    /// <summary>Streams the conversation agent's reply to <paramref name="input"/>, then whatever the flow does on its return.</summary>
    private async IAsyncEnumerable<AgentOutput> Converse(
        AgentInput input,
        IAgentSession agent,
        Reply reply,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var output in agent.RespondAsync(input, cancellationToken).ConfigureAwait(false))
            {
                var (outputs, done) = Take(reply, output);
                foreach (var next in outputs)
                {
                    yield return next;
                }

                if (done)
                {
                    break;
                }
            }
        }
        finally
        {
            // Also on barge-in: the history then holds what was yielded until ReplyInterrupted says what was heard.
            FinishReply(reply);
        }
    }

    private void FinishReply(Reply reply)
    {
        lock (gate)
        {
            reply.Finish();
        }
    }

    /// <summary>One output of the conversation agent: passed on, or (<see cref="ReturnToFlow"/>) the flow takes over.</summary>
    private (IReadOnlyList<AgentOutput> Outputs, bool Done) Take(Reply reply, AgentOutput output)
    {
        lock (gate)
        {
            switch (output)
            {
                case Say say:
                    reply.Say(say.Text);
                    break;
                case Transfer or EndCall:
                    reply.End(output);
                    break;
                case ReturnToFlow back when state.Conversation is { } handOff:
                    reply.Returned = back;
                    reply.ReturnedIn = state.Id;
                    conversation = null;
                    if (handOff.SummarySlot is { } slot)
                    {
                        slots[slot] = back.Summary ?? string.Empty;
                    }

                    RunAction(handOff.Then, reply, 0);
                    break;
            }

            return (reply.Drain(), reply.Ended || reply.Returned is not null);
        }
    }

    /// <summary>A conversation agent for the current (conversation) state, briefed with the dialogue so far. Must hold the gate.</summary>
    private IAgentSession Brief()
    {
        var handOff = state.Conversation ?? throw new InvalidOperationException($"State '{state.Id}' is not a conversation state.");
        if (conversations is null)
        {
            throw new InvalidOperationException($"Flow '{flow.Name}' state '{state.Id}' hands the call to an LLM, but the session has no conversation agent.");
        }

        var turns = new List<ConversationTurn>(history.Count);
        foreach (var turn in history)
        {
            ConversationTurnKind? kind = turn.Kind switch
            {
                DialogueTurnKind.Agent => ConversationTurnKind.Agent,
                DialogueTurnKind.Caller => ConversationTurnKind.Caller,
                DialogueTurnKind.Keypad => ConversationTurnKind.Keypad,
                DialogueTurnKind.Silence => ConversationTurnKind.Silence,
                _ => null,
            };
            if (kind is { } k)
            {
                turns.Add(new ConversationTurn(k, turn.Text));
            }
        }

        var instructions = handOff.Instructions is null ? null : Render(handOff.Instructions);
        conversationUsed = false;
        return conversations.CreateConversation(CallId, new ConversationBrief($"flow '{flow.Name}' state '{state.Id}'", instructions, turns));
    }

    public void ReplyInterrupted(string replyText, string heardText)
    {
        IAgentSession? producer;
        lock (gate)
        {
            producer = lastReplyBy is { } by && ReferenceEquals(by, conversation) ? by : null;
            lastReplyBy = null;
            var index = history.FindLastIndex(t => t.Kind == DialogueTurnKind.Agent);
            if (index >= 0)
            {
                var heard = (heardText ?? string.Empty).Trim();
                if (heard.Length == 0)
                {
                    history.RemoveAt(index);
                }
                else
                {
                    history[index] = history[index] with { Text = heard, Interrupted = true };
                }
            }

            if (producer is null && conversation is not null && !conversationUsed)
            {
                // The flow's reply (the state's prompt) was cut short before the conversation agent had a turn:
                // brief a new one with what the caller actually heard.
                conversation = Brief();
            }
        }

        // The conversation agent's reply: it keeps only what was heard in its own context.
        producer?.ReplyInterrupted(replyText ?? string.Empty, heardText ?? string.Empty);
    }

    private static async IAsyncEnumerable<AgentOutput> Stream(
        IReadOnlyList<AgentOutput> outputs,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var output in outputs)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return output;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    // ------------------------------------------------------------------ inputs

    private void OnSpeech(Transcript transcript, Reply reply)
    {
        var text = transcript.Text ?? string.Empty;
        var turn = history.Count;
        history.Add(new DialogueTurn(DialogueTurnKind.Caller, text.Trim(), state.Id));
        if (transcript.IsEmpty || transcript.Confidence < options.MinConfidence)
        {
            NoMatch(reply);
            return;
        }

        var match = state.Matcher.Match(text, options.MatchThreshold);
        if (match is { Exact: true })
        {
            history[turn] = history[turn] with { Intent = match.Intent.Name };
            RunIntent(match.Intent, reply);
            return;
        }

        if (state.Capture is { } capture)
        {
            var (spoken, others) = PhraseText.ExtractSpokenDigits(PhraseText.Tokenize(text));
            var meaningful = others.Count(w => !IntentMatcher.IsFiller(w));
            if (spoken.Length > 0 && (spoken.Length >= capture.MinDigits || spoken.Length >= meaningful))
            {
                history[turn] = history[turn] with { Intent = "capture" };
                digits += spoken;
                if (digits.Length > capture.MaxDigits)
                {
                    InvalidDigits(capture, reply);
                }
                else if (digits.Length >= capture.MinDigits)
                {
                    CompleteCapture(capture, reply);
                }

                // Fewer digits than needed: the caller paused mid-number; keep listening without a word.
                return;
            }
        }

        if (match is not null)
        {
            history[turn] = history[turn] with { Intent = match.Intent.Name };
            RunIntent(match.Intent, reply);
            return;
        }

        NoMatch(reply);
    }

    private void OnKey(char key, Reply reply)
    {
        history.Add(new DialogueTurn(DialogueTurnKind.Keypad, key.ToString(), state.Id));
        var turn = history.Count - 1;
        if (state.Capture is { } capture && (char.IsAsciiDigit(key) || key == capture.Terminator))
        {
            history[turn] = history[turn] with { Intent = "capture" };
            if (key == capture.Terminator)
            {
                if (digits.Length >= capture.MinDigits && digits.Length <= capture.MaxDigits)
                {
                    CompleteCapture(capture, reply);
                }
                else
                {
                    InvalidDigits(capture, reply);
                }

                return;
            }

            digits += key;
            if (digits.Length >= capture.MaxDigits)
            {
                CompleteCapture(capture, reply);
            }

            return;
        }

        var intent = state.Matcher.MatchDtmf(key);
        if (intent is null)
        {
            NoMatch(reply);
            return;
        }

        history[turn] = history[turn] with { Intent = intent.Name };
        RunIntent(intent, reply);
    }

    private void OnSilence(Reply reply)
    {
        if (state.Capture is { } capture && digits.Length > 0)
        {
            // The caller stopped keying/speaking digits: accept what is there if it is long enough.
            if (digits.Length >= capture.MinDigits && digits.Length <= capture.MaxDigits)
            {
                CompleteCapture(capture, reply);
            }
            else
            {
                InvalidDigits(capture, reply);
            }

            return;
        }

        noInputCount++;
        if (noInputCount >= flow.MaxNoInput)
        {
            noInputCount = 0;
            RunAction(flow.OnMaxNoInput, reply, 0);
            return;
        }

        reply.Say(flow.Prompts.NoInput);
        SayReprompt(reply);
    }

    // ------------------------------------------------------------------ outcomes

    private void NoMatch(Reply reply)
    {
        digits = string.Empty;
        noMatchCount++;
        if (noMatchCount >= flow.MaxNoMatch)
        {
            noMatchCount = 0;
            RunAction(flow.OnMaxNoMatch, reply, 0);
            return;
        }

        reply.Say(flow.Prompts.NoMatch);
        SayReprompt(reply);
    }

    private void InvalidDigits(FlowCapture capture, Reply reply)
    {
        digits = string.Empty;
        noMatchCount++;
        if (noMatchCount >= flow.MaxNoMatch)
        {
            noMatchCount = 0;
            RunAction(flow.OnMaxNoMatch, reply, 0);
            return;
        }

        reply.Say(capture.Invalid ?? flow.Prompts.InvalidCapture);
        SayReprompt(reply);
    }

    private void CompleteCapture(FlowCapture capture, Reply reply)
    {
        slots[capture.Slot] = digits;
        digits = string.Empty;
        noMatchCount = 0;
        RunAction(capture.Then, reply, 0);
    }

    private void RunIntent(FlowIntent intent, Reply reply)
    {
        noMatchCount = 0;
        RunAction(intent.Action, reply, 0);
    }

    private void SayReprompt(Reply reply)
    {
        var text = state.Reprompt ?? state.Prompt;
        if (text is not null)
        {
            reply.Say(Render(text));
        }
    }

    private void RunAction(FlowAction action, Reply reply, int depth)
    {
        foreach (var (slot, value) in action.Set)
        {
            slots[slot] = value;
        }

        foreach (var text in action.Say)
        {
            reply.Say(Render(text));
        }

        if (action.Repeat)
        {
            if (lastReply.Count > 0)
            {
                foreach (var text in lastReply)
                {
                    reply.Say(text);
                }
            }
            else if (state.Prompt is not null)
            {
                reply.Say(Render(state.Prompt));
            }
        }

        if (action.Transfer is not null)
        {
            reply.End(new Transfer(action.Transfer));
        }
        else if (action.Hangup is not null)
        {
            reply.End(new EndCall(action.Hangup));
        }
        else if (action.Goto is not null)
        {
            EnterState(action.Goto, reply, depth + 1);
        }
    }

    private void EnterState(string id, Reply reply, int depth)
    {
        if (depth > options.MaxStateChangesPerTurn)
        {
            reply.End(new EndCall($"flow error: more than {options.MaxStateChangesPerTurn} state changes in one turn"));
            return;
        }

        state = flow.GetState(id);
        conversation = null;
        conversationUsed = false;
        digits = string.Empty;
        noMatchCount = 0;
        noInputCount = 0;
        if (state.OnEnter is { } onEnter)
        {
            RunAction(onEnter, reply, depth);
            if (onEnter.MovesOn)
            {
                return;
            }
        }

        if (state.Prompt is not null)
        {
            reply.Say(Render(state.Prompt));
        }
    }

    private string Render(string template) => SlotTemplate.Render(template, slots);

    /// <summary>Collects one response's outputs and records them in the history.</summary>
    private sealed class Reply(FlowAgentSession session)
    {
        private readonly List<AgentOutput> outputs = [];
        private readonly List<string> said = [];
        private AgentOutput? end;
        private int drained;
        private bool finished;

        /// <summary>The conversation agent the response was handed to; null when the flow answers.</summary>
        public IAgentSession? From { get; init; }

        /// <summary>Set when the conversation agent handed the call back during this response.</summary>
        public ReturnToFlow? Returned { get; set; }

        /// <summary>The conversation state the call was handed back in.</summary>
        public string? ReturnedIn { get; set; }

        public bool Ended => end is not null;

        /// <summary>The outputs added since the last call.</summary>
        public IReadOnlyList<AgentOutput> Drain()
        {
            var next = outputs.Skip(drained).ToArray();
            drained = outputs.Count;
            return next;
        }

        public void Say(string text)
        {
            text = text.Trim();
            if (text.Length > 0 && end is null)
            {
                said.Add(text);
                outputs.Add(new Say(text));
            }
        }

        public void End(AgentOutput output)
        {
            if (end is null)
            {
                end = output;
                outputs.Add(output);
            }
        }

        public IReadOnlyList<AgentOutput> Finish()
        {
            if (finished)
            {
                return outputs.ToArray();
            }

            finished = true;
            var stateId = session.state.Id;
            if (said.Count > 0)
            {
                session.lastReply = said.ToArray();
                session.history.Add(new DialogueTurn(DialogueTurnKind.Agent, string.Join(' ', said), stateId));
            }

            session.lastReplyBy = Returned is null ? From : null;
            if (Returned is not null)
            {
                session.history.Add(new DialogueTurn(DialogueTurnKind.Returned, Returned.Summary ?? string.Empty, ReturnedIn ?? stateId));
            }

            switch (end)
            {
                case Transfer transfer:
                    session.history.Add(new DialogueTurn(DialogueTurnKind.Transfer, transfer.Target, stateId));
                    session.IsEnded = true;
                    break;
                case EndCall endCall:
                    session.history.Add(new DialogueTurn(DialogueTurnKind.EndCall, endCall.Reason, stateId));
                    session.IsEnded = true;
                    break;
            }

            if (session.IsEnded)
            {
                session.conversation = null;
            }
            else if (session.state.Conversation is not null && session.conversation is null)
            {
                // Entered a conversation state: brief its agent now, with the prompt just said in the history.
                session.conversation = session.Brief();
            }

            return outputs.ToArray();
        }
    }
}
