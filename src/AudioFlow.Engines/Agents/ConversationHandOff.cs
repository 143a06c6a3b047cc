namespace AudioFlow.Engines.Agents;

/// <summary>
/// Creates the sessions a dialogue flow hands a state to ("free conversation", e.g. an LLM): the flow keeps the
/// call and forwards the caller's turns to the session until it yields <see cref="ReturnToFlow"/>. Shared by all
/// calls, thread-safe. Implemented by <see cref="Llm.LlmAgentFactory"/>.
/// </summary>
public interface IConversationAgentFactory
{
    /// <summary>Short description for logs and messages, e.g. "llm:llama3.2".</summary>
    string Name { get; }

    /// <summary>
    /// A session primed with <paramref name="brief"/>. The flow never sends it <see cref="CallAnswered"/>; it gets
    /// <see cref="CallerSaid"/>, <see cref="DtmfPressed"/> and <see cref="CallerSilent"/> and may yield
    /// <see cref="Say"/>, <see cref="Transfer"/>, <see cref="EndCall"/> and, to give the call back,
    /// <see cref="ReturnToFlow"/>.
    /// </summary>
    IAgentSession CreateConversation(string callId, ConversationBrief brief);
}

/// <summary>What a flow tells the agent it hands a conversation to.</summary>
/// <param name="Origin">Where the hand-off comes from, for logs, e.g. "flow 'front-desk' state 'ask'".</param>
/// <param name="Instructions">The state's instructions for the agent (slots already filled in); null for none.</param>
/// <param name="History">The dialogue so far, oldest first (interrupted agent turns hold only what was heard).</param>
public sealed record ConversationBrief(string Origin, string? Instructions, IReadOnlyList<ConversationTurn> History);

/// <summary>What a <see cref="ConversationTurn"/> was.</summary>
public enum ConversationTurnKind
{
    /// <summary>The caller spoke (the transcript; empty when not understood).</summary>
    Caller,

    /// <summary>The caller pressed a key (the key).</summary>
    Keypad,

    /// <summary>The caller stayed silent.</summary>
    Silence,

    /// <summary>The agent (the flow, or an earlier conversation) spoke.</summary>
    Agent,
}

/// <summary>One turn of the dialogue before a hand-off.</summary>
public sealed record ConversationTurn(ConversationTurnKind Kind, string Text);

/// <summary>
/// A delegated conversation is over and the flow that handed it the call takes over again (the flow runs the
/// state's <c>then</c> action). Only sessions from <see cref="IConversationAgentFactory.CreateConversation"/> yield
/// it, and the flow consumes it: it never reaches the call.
/// </summary>
/// <param name="Summary">What the conversation was about / its outcome, as the agent put it; null if it gave none.</param>
/// <param name="Via">How it ended, e.g. the tool the model called ("return_to_menu", "end_conversation").</param>
public sealed record ReturnToFlow(string? Summary, string Via) : AgentOutput;
