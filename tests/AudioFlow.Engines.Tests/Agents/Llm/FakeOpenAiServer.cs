using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace AudioFlow.Engines.Tests.Agents.Llm;

/// <summary>
/// FAKE: a stand-in for a hosted/remote OpenAI-compatible LLM server (Ollama, vLLM, llama.cpp server, OpenAI),
/// which cannot run here. It listens on 127.0.0.1 (a free port), answers <c>POST …/chat/completions</c> with
/// scripted replies — server-sent events (<c>data: {chunk}\n\n</c> … <c>data: [DONE]\n\n</c>) carrying text and
/// <c>delta.tool_calls</c> split across chunks, with pauses between chunks, or an HTTP error, or silence — and
/// records every request body and whether the client hung up mid-stream.
/// </summary>
internal sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentQueue<FakeReply> _replies = new();
    private readonly List<FakeRequest> _requests = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly SemaphoreSlim _arrivals = new(0);

    private FakeOpenAiServer(HttpListener listener, int port)
    {
        _listener = listener;
        Port = port;
        _loop = Task.Run(AcceptLoop);
    }

    public int Port { get; }

    /// <summary>The base URL a client is configured with (the part before /chat/completions).</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/v1");

    public IReadOnlyList<FakeRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    public static FakeOpenAiServer Start()
    {
        for (int attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();

            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new FakeOpenAiServer(listener, port);
            }
            catch (HttpListenerException) when (attempt < 10)
            {
                listener.Close();
            }
        }
    }

    /// <summary>Queues the reply to the next request (replies are used in order).</summary>
    public FakeOpenAiServer Then(FakeReply reply)
    {
        _replies.Enqueue(reply);
        return this;
    }

    /// <summary>Waits until request number <paramref name="index"/> (0-based) has arrived.</summary>
    public async Task<FakeRequest> RequestAsync(int index, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            lock (_gate)
            {
                if (_requests.Count > index)
                {
                    return _requests[index];
                }
            }

            TimeSpan left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !await _arrivals.WaitAsync(left))
            {
                throw new TimeoutException($"The fake LLM server received {Requests.Count} requests, not {index + 1}.");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Close();
        try
        {
            await _loop;
        }
        catch (Exception)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        string body;
        using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
        {
            body = await reader.ReadToEndAsync();
        }

        var request = new FakeRequest(
            context.Request.HttpMethod,
            context.Request.Url?.AbsolutePath ?? string.Empty,
            context.Request.Headers["Authorization"],
            JsonNode.Parse(body));
        lock (_gate)
        {
            _requests.Add(request);
        }

        _arrivals.Release();
        HttpListenerResponse response = context.Response;
        try
        {
            if (!_replies.TryDequeue(out FakeReply? reply))
            {
                reply = FakeReply.Error(500, "the fake LLM server has no scripted reply for this request");
            }

            switch (reply.Kind)
            {
                case FakeReplyKind.Error:
                    response.StatusCode = reply.Status;
                    response.ContentType = "application/json";
                    byte[] error = Encoding.UTF8.GetBytes(new JsonObject
                    {
                        ["error"] = new JsonObject { ["message"] = reply.ErrorMessage, ["type"] = "server_error" },
                    }.ToJsonString());
                    await response.OutputStream.WriteAsync(error, _stop.Token);
                    break;

                case FakeReplyKind.Hang:
                    response.ContentType = "text/event-stream";
                    response.SendChunked = true;
                    await Task.Delay(TimeSpan.FromSeconds(30), _stop.Token);
                    break;

                case FakeReplyKind.Stream:
                    response.ContentType = "text/event-stream";
                    response.SendChunked = true;
                    foreach (FakeStep step in reply.Steps)
                    {
                        if (step.Pause is { } pause)
                        {
                            await Task.Delay(pause, _stop.Token);
                            continue;
                        }

                        await Send(response, "data: " + step.Chunk!.ToJsonString() + "\n\n");
                    }

                    await Send(response, "data: [DONE]\n\n");
                    break;
            }

            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
        {
            // The client went away mid-reply (it cancelled the request).
            request.Disconnected.TrySetResult();
            response.Abort();
        }
        catch (OperationCanceledException)
        {
            response.Abort();
        }
        finally
        {
            request.Completed.TrySetResult();
        }
    }

    private async Task Send(HttpListenerResponse response, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        await response.OutputStream.WriteAsync(bytes, _stop.Token);
        await response.OutputStream.FlushAsync(_stop.Token);
    }
}

/// <summary>One request the fake received.</summary>
internal sealed class FakeRequest(string method, string path, string? authorization, JsonNode? body)
{
    public string Method { get; } = method;

    public string Path { get; } = path;

    public string? Authorization { get; } = authorization;

    public JsonNode? Body { get; } = body;

    /// <summary>Completes when the fake finished (or abandoned) its reply.</summary>
    public TaskCompletionSource Completed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the client closed the connection before the reply was finished.</summary>
    public TaskCompletionSource Disconnected { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public JsonArray Messages => Body?["messages"]?.AsArray() ?? [];

    /// <summary>The messages as "role: text" lines (tool calls as "assistant: →name(args)", results as "tool: result").</summary>
    public IReadOnlyList<string> Transcript => Messages.Select(Describe).ToArray();

    private static string Describe(JsonNode? message)
    {
        string role = message?["role"]?.GetValue<string>() ?? "?";
        string text = Content(message?["content"]);
        if (message?["tool_calls"] is JsonArray calls)
        {
            string described = string.Join(" ", calls.Select(c => $"→{c?["function"]?["name"]}({Compact(c?["function"]?["arguments"])})"));
            text = text.Length == 0 ? described : text + " " + described;
        }

        return $"{role}: {text}";
    }

    /// <summary>Tool-call arguments (a JSON string) re-serialised compactly, so tests don't depend on the client's formatting.</summary>
    private static string Compact(JsonNode? arguments) =>
        arguments is JsonValue value && value.TryGetValue(out string? text) && JsonNode.Parse(text) is { } parsed
            ? parsed.ToJsonString()
            : arguments?.ToJsonString() ?? string.Empty;

    private static string Content(JsonNode? content) => content switch
    {
        null => string.Empty,
        JsonValue value => value.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p?["text"]?.GetValue<string>() ?? string.Empty)),
        _ => content.ToJsonString(),
    };
}

internal enum FakeReplyKind
{
    Stream,
    Error,
    Hang,
}

/// <summary>A pause, or one SSE chunk.</summary>
internal sealed record FakeStep(TimeSpan? Pause, JsonObject? Chunk);

/// <summary>A scripted reply of the <see cref="FakeOpenAiServer"/>.</summary>
internal sealed class FakeReply
{
    private bool _roleSent;

    private FakeReply(FakeReplyKind kind) => Kind = kind;

    public FakeReplyKind Kind { get; }

    public int Status { get; private init; } = 200;

    public string ErrorMessage { get; private init; } = string.Empty;

    public List<FakeStep> Steps { get; } = [];

    public static FakeReply Stream() => new(FakeReplyKind.Stream);

    public static FakeReply Error(int status, string message) => new(FakeReplyKind.Error) { Status = status, ErrorMessage = message };

    /// <summary>Headers, then nothing at all.</summary>
    public static FakeReply Hang() => new(FakeReplyKind.Hang);

    /// <summary>A stream of <paramref name="pieces"/> as separate chunks, then finish_reason "stop".</summary>
    public static FakeReply Say(params string[] pieces)
    {
        var reply = Stream();
        foreach (string piece in pieces)
        {
            reply.Text(piece);
        }

        return reply.Finish("stop");
    }

    public FakeReply Text(string content) => Delta(new JsonObject { ["content"] = content });

    public FakeReply Pause(int milliseconds)
    {
        Steps.Add(new FakeStep(TimeSpan.FromMilliseconds(milliseconds), null));
        return this;
    }

    /// <summary>The first chunk of tool call <paramref name="index"/>: id, name and the start of the arguments.</summary>
    public FakeReply ToolCall(int index, string id, string name, string argumentsStart) =>
        Delta(new JsonObject
        {
            ["tool_calls"] = new JsonArray(new JsonObject
            {
                ["index"] = index,
                ["id"] = id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = name, ["arguments"] = argumentsStart },
            }),
        });

    /// <summary>More argument text for tool call <paramref name="index"/>.</summary>
    public FakeReply ToolArguments(int index, string more) =>
        Delta(new JsonObject
        {
            ["tool_calls"] = new JsonArray(new JsonObject
            {
                ["index"] = index,
                ["function"] = new JsonObject { ["arguments"] = more },
            }),
        });

    public FakeReply Finish(string reason)
    {
        Steps.Add(new FakeStep(null, Chunk(new JsonObject(), reason)));
        return this;
    }

    private FakeReply Delta(JsonObject delta)
    {
        if (!_roleSent)
        {
            delta["role"] = "assistant";
            _roleSent = true;
        }

        Steps.Add(new FakeStep(null, Chunk(delta, null)));
        return this;
    }

    private static JsonObject Chunk(JsonObject delta, string? finishReason) => new()
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = "chat.completion.chunk",
        ["created"] = 1700000000,
        ["model"] = "fake-model",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["delta"] = delta,
            ["finish_reason"] = finishReason,
        }),
    };
}
