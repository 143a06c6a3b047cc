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
}

/// <summary>One entry of a session's transcript history.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Text">What was said (for an interrupted agent turn: only what was heard), the key, target or reason.</param>
/// <param name="State">The dialogue state the turn happened in.</param>
/// <param name="Intent">For caller turns: the intent matched, "capture" for captured digits, null for none.</param>
/// <param name="Interrupted">For agent turns: the caller barged in and heard only <paramref name="Text"/>.</param>
public sealed record DialogueTurn(DialogueTurnKind Kind, string Text, string State, string? Intent = null, bool Interrupted = false);

/// <summary>
/// One call's walk through a <see cref="FlowDefinition"/>. Responses are computed synchronously when
/// <see cref="RespondAsync"/> is called (the state changes then), then streamed. One call at a time.
/// </summary>
public sealed class FlowAgentSession : IAgentSession
{
    private readonly FlowDefinition flow;
    private readonly FlowAgentOptions options;
    private readonly Dictionary<string, string> slots = new(StringComparer.Ordinal);
    private readonly List<DialogueTurn> history = [];
    private readonly Lock gate = new();
    private FlowState state;
    private string digits = string.Empty;
    private int noMatchCount;
    private int noInputCount;
    private IReadOnlyList<string> lastReply = [];

    internal FlowAgentSession(FlowDefinition flow, FlowAgentOptions options, string callId)
    {
        this.flow = flow;
        this.options = options;
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
                return state.Listening;
            }
        }
    }

    public TimeSpan? NoInputTimeout
    {
        get
        {
            lock (gate)
            {
                return IsEnded ? null : state.NoInputTimeout ?? flow.NoInputTimeout;
            }
        }
    }

    public IAsyncEnumerable<AgentOutput> RespondAsync(AgentInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Stream(Respond(input), cancellationToken);
    }

    /// <summary>The synchronous core of <see cref="RespondAsync"/>: applies <paramref name="input"/> and returns the outputs.</summary>
    public IReadOnlyList<AgentOutput> Respond(AgentInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        lock (gate)
        {
            if (IsEnded)
            {
                return [];
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
                    return [];
            }

            return reply.Finish();
        }
    }

    public void ReplyInterrupted(string replyText, string heardText)
    {
        lock (gate)
        {
            var index = history.FindLastIndex(t => t.Kind == DialogueTurnKind.Agent);
            if (index < 0)
            {
                return;
            }

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
            var stateId = session.state.Id;
            if (said.Count > 0)
            {
                session.lastReply = said.ToArray();
                session.history.Add(new DialogueTurn(DialogueTurnKind.Agent, string.Join(' ', said), stateId));
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

            return outputs.ToArray();
        }
    }
}
