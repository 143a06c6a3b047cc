using AudioFlow.Engines.Stt;

namespace AudioFlow.Engines.Agents.Flow;

/// <summary>A loaded, validated dialogue flow (see FLOW-FORMAT.md). Immutable; shared by all calls.</summary>
public sealed class FlowDefinition
{
    internal FlowDefinition(
        string name,
        string sourceName,
        string start,
        TimeSpan noInputTimeout,
        int maxNoInput,
        int maxNoMatch,
        FlowPrompts prompts,
        FlowAction onMaxNoMatch,
        FlowAction onMaxNoInput,
        IReadOnlyList<FlowIntent> globalIntents,
        IReadOnlyDictionary<string, IReadOnlyList<FlowIntent>> intentGroups,
        IReadOnlyList<FlowState> states,
        IReadOnlyList<FlowProblem> warnings)
    {
        Name = name;
        SourceName = sourceName;
        Start = start;
        NoInputTimeout = noInputTimeout;
        MaxNoInput = maxNoInput;
        MaxNoMatch = maxNoMatch;
        Prompts = prompts;
        OnMaxNoMatch = onMaxNoMatch;
        OnMaxNoInput = onMaxNoInput;
        GlobalIntents = globalIntents;
        IntentGroups = intentGroups;
        States = states;
        StatesById = states.ToDictionary(s => s.Id, StringComparer.Ordinal).AsReadOnly();
        ConversationStates = states.Where(s => s.Conversation is not null).ToArray();
        Warnings = warnings;
    }

    /// <summary>The flow's <c>name</c>.</summary>
    public string Name { get; }

    /// <summary>Where the flow came from (file name or resource name), used in messages.</summary>
    public string SourceName { get; }

    /// <summary>Id of the state the call starts in.</summary>
    public string Start { get; }

    public TimeSpan NoInputTimeout { get; }

    /// <summary>Consecutive silences after which <see cref="OnMaxNoInput"/> runs.</summary>
    public int MaxNoInput { get; }

    /// <summary>Consecutive no-matches after which <see cref="OnMaxNoMatch"/> runs.</summary>
    public int MaxNoMatch { get; }

    public FlowPrompts Prompts { get; }

    public FlowAction OnMaxNoMatch { get; }

    public FlowAction OnMaxNoInput { get; }

    /// <summary>Intents active in every state (after the state's own and included ones).</summary>
    public IReadOnlyList<FlowIntent> GlobalIntents { get; }

    /// <summary>Named intent lists that states pull in with <c>include</c>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<FlowIntent>> IntentGroups { get; }

    /// <summary>The states in file order.</summary>
    public IReadOnlyList<FlowState> States { get; }

    public IReadOnlyDictionary<string, FlowState> StatesById { get; }

    /// <summary>
    /// The states that hand the call to an LLM (<c>conversation:</c>), in file order. A flow with any needs a
    /// conversation agent (<see cref="FlowAgentFactory"/>'s <c>conversations</c>).
    /// </summary>
    public IReadOnlyList<FlowState> ConversationStates { get; }

    /// <summary>Non-fatal findings (unreachable states, dead ends, …).</summary>
    public IReadOnlyList<FlowProblem> Warnings { get; }

    public FlowState GetState(string id) =>
        StatesById.TryGetValue(id, out var state) ? state : throw new KeyNotFoundException($"Flow '{Name}' has no state '{id}'.");
}

/// <summary>Flow-wide prompt texts.</summary>
/// <param name="NoMatch">Said before the state's reprompt when the caller was not understood.</param>
/// <param name="NoInput">Said before the state's reprompt when the caller said nothing.</param>
/// <param name="InvalidCapture">Said before the reprompt when captured digits have the wrong length.</param>
public sealed record FlowPrompts(string NoMatch, string NoInput, string InvalidCapture)
{
    public static readonly FlowPrompts Default = new(
        "Sorry, I didn't catch that.",
        "Are you still there?",
        "Sorry, that number doesn't have the right number of digits.");
}

/// <summary>One dialogue state.</summary>
public sealed class FlowState
{
    internal FlowState(
        string id,
        string? prompt,
        string? reprompt,
        FlowAction? onEnter,
        IReadOnlyList<FlowIntent> intents,
        IReadOnlyList<string> include,
        FlowCapture? capture,
        FlowConversation? conversation,
        TimeSpan? noInputTimeout,
        IReadOnlyList<FlowIntent> effectiveIntents,
        int localIntentCount)
    {
        Id = id;
        Prompt = prompt;
        Reprompt = reprompt;
        OnEnter = onEnter;
        Intents = intents;
        Include = include;
        Capture = capture;
        Conversation = conversation;
        NoInputTimeout = noInputTimeout;
        EffectiveIntents = effectiveIntents;
        Matcher = new IntentMatcher(effectiveIntents, localIntentCount);

        var phrases = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var phrase in effectiveIntents.SelectMany(i => i.Phrases).Select(PhraseText.ToGrammarPhrase)
                     .Concat(capture is null ? [] : PhraseText.SpokenDigitWords))
        {
            if (seen.Add(phrase))
            {
                phrases.Add(phrase);
            }
        }

        Listening = phrases.Count == 0 || conversation is not null ? RecognitionContext.FreeForm : new RecognitionContext(phrases.AsReadOnly());
    }

    public string Id { get; }

    /// <summary>Said when the state is entered (may contain <c>{slot}</c> references).</summary>
    public string? Prompt { get; }

    /// <summary>Said after the no-match / no-input lead-in; falls back to <see cref="Prompt"/>.</summary>
    public string? Reprompt { get; }

    /// <summary>Runs on entry, before the prompt. If it moves the call on (goto/transfer/hangup), the prompt is skipped.</summary>
    public FlowAction? OnEnter { get; }

    /// <summary>The state's own intents, in file order.</summary>
    public IReadOnlyList<FlowIntent> Intents { get; }

    /// <summary>Names of intent groups included by the state.</summary>
    public IReadOnlyList<string> Include { get; }

    public FlowCapture? Capture { get; }

    /// <summary>Non-null when the state hands the caller's turns to an LLM ("free conversation").</summary>
    public FlowConversation? Conversation { get; }

    /// <summary>Overrides the flow's no-input timeout in this state.</summary>
    public TimeSpan? NoInputTimeout { get; }

    /// <summary>Own intents, then included groups', then global intents; a name already present hides later ones.</summary>
    public IReadOnlyList<FlowIntent> EffectiveIntents { get; }

    /// <summary>
    /// The recogniser context: every phrase of <see cref="EffectiveIntents"/>, plus spoken digits while capturing;
    /// free-form in a <see cref="Conversation"/> state (the LLM understands any wording).
    /// </summary>
    public RecognitionContext Listening { get; }

    public IntentMatcher Matcher { get; }
}

/// <summary>An intent: what the caller may say or key, and what happens then.</summary>
public sealed record FlowIntent(string Name, IReadOnlyList<string> Phrases, IReadOnlyList<char> Dtmf, FlowAction Action);

/// <summary>
/// What to do. Runs in this order: <see cref="Set"/>, <see cref="Say"/>, then at most one of
/// <see cref="Goto"/>, <see cref="Transfer"/>, <see cref="Hangup"/>, <see cref="Repeat"/>.
/// </summary>
public sealed record FlowAction(
    IReadOnlyList<string> Say,
    IReadOnlyList<KeyValuePair<string, string>> Set,
    string? Goto,
    string? Transfer,
    string? Hangup,
    bool Repeat)
{
    public static readonly FlowAction None = new([], [], null, null, null, false);

    /// <summary>True when the action leaves the current state or ends the call's handling by this agent.</summary>
    public bool MovesOn => Goto is not null || Transfer is not null || Hangup is not null;
}

/// <summary>Digit capture into a slot (by keypad or spoken digits).</summary>
public sealed record FlowCapture(string Slot, int MinDigits, int MaxDigits, char? Terminator, FlowAction Then, string? Invalid);

/// <summary>
/// A state's hand-off to an LLM: after the state's prompt, caller turns that match none of the state's intents
/// exactly go to a conversation agent primed with <see cref="Instructions"/>; when it hands the call back
/// (<c>return_to_menu</c> / <c>end_conversation</c>), <see cref="Then"/> runs.
/// </summary>
/// <param name="Instructions">Added to the LLM's system prompt (may contain <c>{slot}</c> references); null for none.</param>
/// <param name="Then">Runs when the LLM hands the call back; always moves on (goto, transfer or hangup).</param>
/// <param name="SummarySlot">Slot that receives the LLM's summary on return ("" if it gave none); null for none.</param>
/// <param name="Line">1-based line of the <c>conversation</c> key in the flow file.</param>
/// <param name="Column">1-based column of the <c>conversation</c> key.</param>
public sealed record FlowConversation(string? Instructions, FlowAction Then, string? SummarySlot, int Line, int Column);
