namespace AudioFlow.Engines.Agents.Flow;

/// <summary>Tuning of the dialogue-flow agent that does not belong in a flow file (it depends on the recogniser).</summary>
public sealed record FlowAgentOptions
{
    public static readonly FlowAgentOptions Default = new();

    /// <summary>
    /// Transcripts whose <see cref="Stt.Transcript.Confidence"/> is below this count as not understood (no-match).
    /// 0 accepts everything. Default 0.3.
    /// </summary>
    public float MinConfidence { get; init; } = 0.3f;

    /// <summary>
    /// Least score (0–1) for a non-exact phrase match: the share of a phrase's keywords heard. Exact and contained
    /// phrases score 1. Default 0.5.
    /// </summary>
    public double MatchThreshold { get; init; } = 0.5;

    /// <summary>Guard against runaway state changes within one response. Default 16.</summary>
    public int MaxStateChangesPerTurn { get; init; } = 16;
}

/// <summary>
/// The dialogue agent: plays a <see cref="FlowDefinition"/> (a YAML state machine), offline and deterministic —
/// except in states that hand the call to an LLM (<c>conversation:</c>), which need <see cref="Conversations"/>.
/// Thread-safe; one <see cref="FlowAgentSession"/> per call.
/// </summary>
public sealed class FlowAgentFactory : IAgentFactory
{
    /// <param name="flow">The flow to play.</param>
    /// <param name="options">Matching thresholds.</param>
    /// <param name="conversations">
    /// Holds the flow's conversation states (e.g. an <see cref="Llm.LlmAgentFactory"/>); required when
    /// <see cref="FlowDefinition.ConversationStates"/> is not empty, ignored otherwise.
    /// </param>
    /// <exception cref="FlowValidationException">The flow has conversation states but <paramref name="conversations"/> is null.</exception>
    public FlowAgentFactory(FlowDefinition flow, FlowAgentOptions? options = null, IConversationAgentFactory? conversations = null)
    {
        ArgumentNullException.ThrowIfNull(flow);
        Flow = flow;
        Options = options ?? FlowAgentOptions.Default;
        if (conversations is null && flow.ConversationStates.Count > 0)
        {
            throw new FlowValidationException(
                flow.SourceName,
                flow.ConversationStates.Select(s => new FlowProblem(
                    flow.SourceName,
                    s.Conversation!.Line,
                    s.Conversation.Column,
                    $"state '{s.Id}': conversation: the state hands the call to an LLM, but no LLM is configured for this flow " +
                    "(give FlowAgentFactory a conversation agent such as an LlmAgentFactory; in the host, audioflow.engines.llm)")).ToArray(),
                flow.Warnings);
        }

        Conversations = flow.ConversationStates.Count > 0 ? conversations : null;
        if (Options.MinConfidence is < 0 or > 1 || float.IsNaN(Options.MinConfidence))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.MinConfidence, "MinConfidence must be between 0 and 1.");
        }

        if (Options.MatchThreshold is <= 0 or > 1 || double.IsNaN(Options.MatchThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.MatchThreshold, "MatchThreshold must be above 0 and at most 1.");
        }

        if (Options.MaxStateChangesPerTurn < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), Options.MaxStateChangesPerTurn, "MaxStateChangesPerTurn must be at least 1.");
        }
    }

    /// <summary>Loads <paramref name="path"/> (throws <see cref="FlowValidationException"/> if invalid).</summary>
    public static FlowAgentFactory FromFile(string path, FlowAgentOptions? options = null, IConversationAgentFactory? conversations = null) =>
        new(FlowLoader.LoadFile(path), options, conversations);

    /// <summary>The embedded demo front desk (<see cref="FlowLoader.DemoFlowName"/>).</summary>
    public static FlowAgentFactory Demo(FlowAgentOptions? options = null) => new(FlowLoader.LoadEmbeddedDemo(), options);

    public string Name => "flow:" + Flow.Name;

    public FlowDefinition Flow { get; }

    public FlowAgentOptions Options { get; }

    /// <summary>The agent that holds the flow's conversation states; null when the flow has none.</summary>
    public IConversationAgentFactory? Conversations { get; }

    public FlowAgentSession CreateSession(string callId) => new(Flow, Options, callId, Conversations);

    IAgentSession IAgentFactory.CreateSession(string callId) => CreateSession(callId);
}
