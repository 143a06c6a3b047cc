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
/// The offline, deterministic dialogue agent: plays a <see cref="FlowDefinition"/> (a YAML state machine).
/// Thread-safe; one <see cref="FlowAgentSession"/> per call.
/// </summary>
public sealed class FlowAgentFactory : IAgentFactory
{
    public FlowAgentFactory(FlowDefinition flow, FlowAgentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(flow);
        Flow = flow;
        Options = options ?? FlowAgentOptions.Default;
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
    public static FlowAgentFactory FromFile(string path, FlowAgentOptions? options = null) => new(FlowLoader.LoadFile(path), options);

    /// <summary>The embedded demo front desk (<see cref="FlowLoader.DemoFlowName"/>).</summary>
    public static FlowAgentFactory Demo(FlowAgentOptions? options = null) => new(FlowLoader.LoadEmbeddedDemo(), options);

    public string Name => "flow:" + Flow.Name;

    public FlowDefinition Flow { get; }

    public FlowAgentOptions Options { get; }

    public FlowAgentSession CreateSession(string callId) => new(Flow, Options, callId);

    IAgentSession IAgentFactory.CreateSession(string callId) => CreateSession(callId);
}
