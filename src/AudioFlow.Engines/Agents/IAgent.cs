using AudioFlow.Engines.Stt;

namespace AudioFlow.Engines.Agents;

/// <summary>What happened on the call that the agent must react to.</summary>
public abstract record AgentInput;

/// <summary>The call was answered; the agent greets.</summary>
public sealed record CallAnswered : AgentInput;

/// <summary>The caller finished a turn. Empty transcript = speech that was not understood.</summary>
public sealed record CallerSaid(Transcript Transcript) : AgentInput;

/// <summary>The caller pressed a key.</summary>
public sealed record DtmfPressed(char Digit) : AgentInput;

/// <summary>The caller said nothing for the agent's <see cref="IAgentSession.NoInputTimeout"/> after the agent stopped speaking.</summary>
public sealed record CallerSilent : AgentInput;

/// <summary>What the agent wants the call to do; a response is a sequence of these.</summary>
public abstract record AgentOutput;

/// <summary>Speak text (one or more sentences).</summary>
public sealed record Say(string Text) : AgentOutput;

/// <summary>Blind-transfer the caller, after what was said before has been played.</summary>
public sealed record Transfer(string Target) : AgentOutput;

/// <summary>Hang up, after what was said before has been played.</summary>
public sealed record EndCall(string Reason) : AgentOutput;

/// <summary>Creates one <see cref="IAgentSession"/> per call. Shared by all calls, thread-safe.</summary>
public interface IAgentFactory
{
    string Name { get; }

    IAgentSession CreateSession(string callId);
}

/// <summary>One call's conversation state. Called by one call at a time, never concurrently.</summary>
public interface IAgentSession
{
    /// <summary>What the recogniser should listen for in the caller's next turn (the current dialogue state's phrases).</summary>
    RecognitionContext Listening { get; }

    /// <summary>How long to wait for the caller after the agent finished speaking before sending <see cref="CallerSilent"/>; null for never.</summary>
    TimeSpan? NoInputTimeout { get; }

    /// <summary>The agent's response to one input, streamed (an LLM yields sentence by sentence). Cancelled on barge-in.</summary>
    IAsyncEnumerable<AgentOutput> RespondAsync(AgentInput input, CancellationToken cancellationToken);

    /// <summary>
    /// The caller interrupted the reply to the previous input: only <paramref name="heardText"/> (a prefix of
    /// <paramref name="replyText"/> at sentence granularity or finer) was actually played. The agent keeps only
    /// what was heard in its context.
    /// </summary>
    void ReplyInterrupted(string replyText, string heardText);
}
