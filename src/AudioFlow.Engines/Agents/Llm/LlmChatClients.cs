using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.ML.OnnxRuntimeGenAI;
using OpenAI;

namespace AudioFlow.Engines.Agents.Llm;

/// <summary>The <see cref="IChatClient"/>s the LLM agent runs on.</summary>
public static class LlmChatClients
{
    /// <summary>The file every ONNX Runtime GenAI model folder has.</summary>
    public const string GenAiConfigFile = "genai_config.json";

    /// <summary>
    /// A client for an OpenAI-compatible chat-completions server (Ollama, vLLM, llama.cpp server, LM Studio, or
    /// OpenAI itself) at <see cref="LlmAgentOptions.Endpoint"/>, through the official OpenAI library and
    /// <c>Microsoft.Extensions.AI.OpenAI</c>. Retries are off (a phone caller can't wait for back-offs: the agent
    /// speaks its fallback instead) and the library's network timeout is <see cref="LlmAgentOptions.RequestTimeout"/>.
    /// Without an API key a placeholder bearer token is sent, which local servers ignore.
    /// </summary>
    /// <param name="options">Endpoint, model and key.</param>
    /// <param name="httpClient">The HTTP client to send with; null uses the library's shared one.</param>
    public static IChatClient CreateOpenAiCompatible(LlmAgentOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = options.Endpoint,
            NetworkTimeout = options.RequestTimeout,
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        };
        if (httpClient is not null)
        {
            clientOptions.Transport = new HttpClientPipelineTransport(httpClient);
        }

        var credential = new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "no-key" : options.ApiKey);
        return new OpenAIClient(credential, clientOptions).GetChatClient(options.Model).AsIChatClient();
    }

    /// <summary>
    /// An in-process model on ONNX Runtime GenAI: <paramref name="modelFolder"/> is a folder produced by
    /// onnxruntime-genai's model builder (genai_config.json, model.onnx(.data), tokenizer files). The model loads
    /// now (seconds, and as much memory as the weights); the returned client owns it — dispose it to free it.
    /// </summary>
    /// <param name="modelFolder">The model folder.</param>
    /// <param name="options">Prompt formatting and stop sequences; null uses the library's defaults (the tokenizer's chat template).</param>
    /// <exception cref="LlmAgentException">The folder or its genai_config.json is missing, or the runtime could not load the model.</exception>
    public static IChatClient CreateOnnxGenAi(string modelFolder, OnnxRuntimeGenAIChatClientOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelFolder);
        string folder = Path.GetFullPath(modelFolder);
        if (!Directory.Exists(folder))
        {
            throw new LlmAgentException(
                $"llm: the ONNX Runtime GenAI model folder '{folder}' does not exist. Point it at a folder exported by " +
                $"onnxruntime-genai's model builder (it contains {GenAiConfigFile}, the .onnx model and the tokenizer files).");
        }

        if (!File.Exists(Path.Combine(folder, GenAiConfigFile)))
        {
            throw new LlmAgentException(
                $"llm: '{folder}' is not an ONNX Runtime GenAI model folder: it has no {GenAiConfigFile}. Export the model " +
                "with onnxruntime-genai's model builder, or use a published '-onnx' model repository's variant folder.");
        }

        try
        {
            return new OnnxRuntimeGenAIChatClient(folder, options);
        }
        catch (OnnxRuntimeGenAIException e)
        {
            throw new LlmAgentException($"llm: ONNX Runtime GenAI could not load the model in '{folder}': {e.Message}", e);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or TypeInitializationException)
        {
            throw new LlmAgentException(
                $"llm: the ONNX Runtime GenAI native library could not be loaded ({e.Message}); it ships in the " +
                "Microsoft.ML.OnnxRuntimeGenAI package for linux-x64/arm64, win and osx.", e);
        }
    }
}
