using AudioFlow.Engines.Tts;

namespace AudioFlow.Engines.Agents.Llm;

/// <summary>Settings of the LLM agent (<see cref="LlmAgentFactory"/>).</summary>
public sealed record LlmAgentOptions
{
    /// <summary>The default instructions: a phone agent whose every word is spoken.</summary>
    public const string DefaultSystemPrompt =
        "You are a voice assistant answering a telephone call. Everything you write is read aloud by a speech " +
        "synthesiser, so answer in one to three short, plain spoken sentences: no lists, markdown, emojis, URLs or " +
        "special characters, and write numbers, times and codes the way they should be said. Messages in square " +
        "brackets, such as [caller pressed 5] or [silence], describe what happened on the call; they are not speech. " +
        "Use the transfer_call tool when the caller needs a person or another department, end_call or " +
        "end_conversation when the conversation is over. Never invent information you were not given.";

    /// <summary>The default <see cref="FlowConversationPrompt"/>.</summary>
    public const string DefaultFlowConversationPrompt =
        "This call is run by an automated phone menu, which has handed this part of the conversation to you: the " +
        "messages so far are what the menu and the caller said. Help the caller with what they ask here. When that is " +
        "dealt with, when they want something you cannot help with here, or when they ask for the menu, call the " +
        "return_to_menu tool: the menu then carries on, so do not say goodbye. Use transfer_call if they need a person " +
        "and end_call only if they want to hang up.";

    /// <summary>
    /// Base URL of an OpenAI-compatible API (the part before <c>/chat/completions</c>): Ollama
    /// <c>http://localhost:11434/v1</c> (default), vLLM <c>http://host:8000/v1</c>, llama.cpp server
    /// <c>http://host:8080/v1</c>, LM Studio <c>http://localhost:1234/v1</c>.
    /// </summary>
    public Uri Endpoint { get; init; } = new("http://localhost:11434/v1");

    /// <summary>Model name as the server knows it ("llama3.2", "qwen2.5:7b-instruct", ...). Required.</summary>
    public string Model { get; init; } = "llama3.2";

    /// <summary>API key sent as a bearer token; null for local servers that need none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Instructions sent first as the system message.</summary>
    public string SystemPrompt { get; init; } = DefaultSystemPrompt;

    /// <summary>Who the agent is and what it knows (business, hours, policies); appended to <see cref="SystemPrompt"/>.</summary>
    public string? Persona { get; init; }

    /// <summary>
    /// Spoken when the call is answered, without asking the model (so the first audio leaves at once). Null asks
    /// the model to greet (it gets the user message <see cref="CallAnsweredMessage"/>).
    /// </summary>
    public string? Greeting { get; init; } = "Hello, thanks for calling. How can I help you today?";

    /// <summary>The user message that stands for the answered call (in the history before the greeting).</summary>
    public string CallAnsweredMessage { get; init; } = "[call connected]";

    /// <summary>Sampling temperature; null leaves the server's default.</summary>
    public float? Temperature { get; init; } = 0.6f;

    /// <summary>Most tokens per model reply; null leaves the server's default. Spoken replies should be short.</summary>
    public int? MaxOutputTokens { get; init; } = 300;

    /// <summary>Longest a whole model request may take (first byte to last token) before the fallback is spoken.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest to wait for the model's first streamed token before the fallback is spoken.</summary>
    public TimeSpan FirstTokenTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Spoken when the model fails (HTTP error, timeout, refused connection); the session stays usable.</summary>
    public string FallbackText { get; init; } = "Sorry, I'm having trouble right now. Could you say that again?";

    /// <summary>
    /// Most rounds of tool calls in one response. After that many, the model is asked once more without tools so
    /// it must answer in words. 0 disables tools altogether.
    /// </summary>
    public int MaxToolSteps { get; init; } = 3;

    /// <summary>Offer the call-control tools (transfer_call, end_call, end_conversation) to the model.</summary>
    public bool UseTools { get; init; } = true;

    /// <summary>
    /// Offer the <c>send_dtmf</c> tool. The agent contract has no output for sending tones yet, so the tool always
    /// answers "not supported on this call"; off by default so the model doesn't waste a round on it.
    /// </summary>
    public bool OfferSendDtmf { get; init; }

    /// <summary>
    /// Where <c>transfer_call</c> may send the caller: name the model uses → target the call is transferred to
    /// ("sales" → "sip:sales@pbx.example.com"). The names are listed in the tool's schema and any other target is
    /// refused. Null lets the model pass any target through unchanged — only sensible when the telephony side
    /// restricts targets itself.
    /// </summary>
    public IReadOnlyDictionary<string, string>? TransferTargets { get; init; }

    /// <summary>Spoken by <c>end_conversation</c> when the model gave no farewell of its own, and before hanging up on a silent caller.</summary>
    public string GoodbyeText { get; init; } = "Thank you for calling. Goodbye!";

    /// <summary>How long the caller may stay silent after the agent spoke before <see cref="CallerSilent"/>; null for never.</summary>
    public TimeSpan? NoInputTimeout { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>
    /// Spoken when the caller stays silent, without asking the model (recorded as "[silence]" and the reprompt in
    /// the history). Null sends "[silence]" to the model instead.
    /// </summary>
    public string? SilenceReprompt { get; init; } = "Are you still there?";

    /// <summary>After this many silences in a row the agent says <see cref="GoodbyeText"/> and hangs up; 0 never.</summary>
    public int MaxConsecutiveSilences { get; init; } = 3;

    /// <summary>
    /// Spoken when the recogniser heard speech but understood nothing (empty transcript), without asking the model.
    /// Null sends "[inaudible]" to the model instead.
    /// </summary>
    public string? NotUnderstoodReply { get; init; } = "Sorry, I didn't catch that. Could you say it again?";

    /// <summary>Most history messages sent with each request (oldest dropped first; the system message is extra).</summary>
    public int MaxHistoryMessages { get; init; } = 40;

    /// <summary>How the streamed reply is cut into sentences for speech.</summary>
    public SentenceSplitterOptions SentenceSplitting { get; init; } = SentenceSplitterOptions.Default;

    /// <summary>
    /// Added to the system message when a dialogue flow hands a state to the model (see
    /// <see cref="LlmAgentFactory.CreateConversation"/>), before the state's own instructions.
    /// </summary>
    public string FlowConversationPrompt { get; init; } = DefaultFlowConversationPrompt;

    /// <summary>The system message: <see cref="SystemPrompt"/> and <see cref="Persona"/>.</summary>
    public string Instructions =>
        string.IsNullOrWhiteSpace(Persona) ? SystemPrompt : SystemPrompt.TrimEnd() + "\n\n" + Persona.Trim();

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Endpoint, nameof(Endpoint));
        if (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"Endpoint must be an absolute http(s) URL, not '{Endpoint}'.", nameof(Endpoint));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(Model, nameof(Model));
        ArgumentNullException.ThrowIfNull(SystemPrompt, nameof(SystemPrompt));
        ArgumentException.ThrowIfNullOrWhiteSpace(CallAnsweredMessage, nameof(CallAnsweredMessage));
        ArgumentNullException.ThrowIfNull(FlowConversationPrompt, nameof(FlowConversationPrompt));
        ArgumentException.ThrowIfNullOrWhiteSpace(FallbackText, nameof(FallbackText));
        ArgumentException.ThrowIfNullOrWhiteSpace(GoodbyeText, nameof(GoodbyeText));
        ArgumentNullException.ThrowIfNull(SentenceSplitting, nameof(SentenceSplitting));
        if (Temperature is { } t && (!float.IsFinite(t) || t < 0 || t > 2))
        {
            throw new ArgumentOutOfRangeException(nameof(Temperature), t, "Temperature must be between 0 and 2.");
        }

        if (MaxOutputTokens is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxOutputTokens), MaxOutputTokens, "MaxOutputTokens must be at least 1.");
        }

        if (RequestTimeout <= TimeSpan.Zero || FirstTokenTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), "RequestTimeout and FirstTokenTimeout must be positive.");
        }

        if (NoInputTimeout is { } noInput && noInput <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(NoInputTimeout), noInput, "NoInputTimeout must be positive (or null for never).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(MaxToolSteps, nameof(MaxToolSteps));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxConsecutiveSilences, nameof(MaxConsecutiveSilences));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxHistoryMessages, 2, nameof(MaxHistoryMessages));
        if (TransferTargets is { } targets && targets.Any(t => string.IsNullOrWhiteSpace(t.Key) || string.IsNullOrWhiteSpace(t.Value)))
        {
            throw new ArgumentException("TransferTargets must map non-empty names to non-empty targets.", nameof(TransferTargets));
        }
    }
}
