using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace AudioFlow.Engines.Agents.Llm;

/// <summary>
/// The LLM agent: a conversation with a chat model through a <see cref="Microsoft.Extensions.AI.IChatClient"/> — an
/// OpenAI-compatible server (<see cref="ForOpenAiCompatible"/>) or ONNX Runtime GenAI in process
/// (<see cref="ForOnnxGenAi"/>) — with call-control tools. Thread-safe; one <see cref="LlmAgentSession"/> per call,
/// all sharing the client.
/// </summary>
public sealed class LlmAgentFactory : IAgentFactory, IConversationAgentFactory, IDisposable
{
    private readonly bool _ownsClient;
    private readonly ILogger _logger;

    /// <summary>An agent over any chat client.</summary>
    /// <param name="client">The model. Must be safe for concurrent requests (the library clients are).</param>
    /// <param name="options">Prompt, greeting, timeouts, tools.</param>
    /// <param name="logger">Receives model failures and refused tool calls.</param>
    /// <param name="ownsClient">Dispose <paramref name="client"/> with this factory.</param>
    public LlmAgentFactory(IChatClient client, LlmAgentOptions? options = null, ILogger? logger = null, bool ownsClient = false)
    {
        ArgumentNullException.ThrowIfNull(client);
        Options = options ?? new LlmAgentOptions();
        Options.Validate();
        Client = client;
        Tools = LlmCallTools.For(Options);
        ConversationTools = LlmCallTools.ForConversation(Options);
        _ownsClient = ownsClient;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>An agent on an OpenAI-compatible server (see <see cref="LlmChatClients.CreateOpenAiCompatible"/>).</summary>
    public static LlmAgentFactory ForOpenAiCompatible(LlmAgentOptions options, HttpClient? httpClient = null, ILogger? logger = null) =>
        new(LlmChatClients.CreateOpenAiCompatible(options, httpClient), options, logger, ownsClient: true);

    /// <summary>
    /// An agent on an in-process ONNX Runtime GenAI model folder (see <see cref="LlmChatClients.CreateOnnxGenAi"/>);
    /// <see cref="LlmAgentOptions.Model"/> is then only a label.
    /// </summary>
    /// <exception cref="LlmAgentException">The folder is missing or not a loadable model.</exception>
    public static LlmAgentFactory ForOnnxGenAi(
        string modelFolder, LlmAgentOptions? options = null, OnnxRuntimeGenAIChatClientOptions? genAiOptions = null, ILogger? logger = null) =>
        new(LlmChatClients.CreateOnnxGenAi(modelFolder, genAiOptions), options, logger, ownsClient: true);

    public string Name => "llm:" + Options.Model;

    public IChatClient Client { get; }

    public LlmAgentOptions Options { get; }

    /// <summary>The tool declarations sent with each request (empty when tools are off).</summary>
    public IReadOnlyList<AITool> Tools { get; }

    /// <summary>The tool declarations sent in a conversation a dialogue flow handed over (with <c>return_to_menu</c>).</summary>
    public IReadOnlyList<AITool> ConversationTools { get; }

    public LlmAgentSession CreateSession(string callId)
    {
        ArgumentNullException.ThrowIfNull(callId);
        return new LlmAgentSession(this, callId, _logger, null);
    }

    /// <summary>
    /// A session for a state a dialogue flow hands to the model: the system message is <see cref="LlmAgentOptions.Instructions"/>,
    /// <see cref="LlmAgentOptions.FlowConversationPrompt"/> and the state's instructions; the history starts with the
    /// dialogue so far; the tools are <see cref="ConversationTools"/>. <c>return_to_menu</c> (or <c>end_conversation</c>)
    /// yields <see cref="ReturnToFlow"/> and ends the session.
    /// </summary>
    public LlmAgentSession CreateConversation(string callId, ConversationBrief brief)
    {
        ArgumentNullException.ThrowIfNull(callId);
        ArgumentNullException.ThrowIfNull(brief);
        return new LlmAgentSession(this, callId, _logger, brief);
    }

    IAgentSession IAgentFactory.CreateSession(string callId) => CreateSession(callId);

    IAgentSession IConversationAgentFactory.CreateConversation(string callId, ConversationBrief brief) => CreateConversation(callId, brief);

    /// <summary>Disposes the client if this factory created it (or was given ownership).</summary>
    public void Dispose()
    {
        if (_ownsClient)
        {
            Client.Dispose();
        }
    }
}
