namespace AudioFlow.Engines.Agents.Llm;

/// <summary>The LLM agent could not be set up: a model folder is missing or invalid, or a native runtime is missing.</summary>
public sealed class LlmAgentException : Exception
{
    public LlmAgentException(string message)
        : base(message)
    {
    }

    public LlmAgentException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
