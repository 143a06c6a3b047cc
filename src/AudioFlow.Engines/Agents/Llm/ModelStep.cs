using System.Diagnostics;
using AudioFlow.Engines.Tts;
using Microsoft.Extensions.AI;

namespace AudioFlow.Engines.Agents.Llm;

/// <summary>
/// One streamed model request of a response: turns the updates into complete sentences and collects the tool
/// calls. Enforces the first-token and whole-request timeouts; failures (including timeouts) end the stream and
/// are reported in <see cref="Failure"/>, while the caller's cancellation (barge-in) is rethrown. Disposing it
/// ends the HTTP request.
/// </summary>
internal sealed class ModelStep : IAsyncDisposable
{
    private readonly IChatClient _client;
    private readonly List<ChatMessage> _messages;
    private readonly ChatOptions _chatOptions;
    private readonly LlmAgentOptions _options;
    private readonly CancellationToken _callerToken;
    private readonly CancellationTokenSource _timeouts;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly SentenceSplitter _splitter;
    private readonly ThinkFilter _think = new();
    private readonly Queue<string> _ready = new();
    private IAsyncEnumerator<ChatResponseUpdate>? _updates;
    private bool _started;
    private bool _done;

    public ModelStep(IChatClient client, List<ChatMessage> messages, ChatOptions chatOptions, LlmAgentOptions options, CancellationToken callerToken)
    {
        _client = client;
        _messages = messages;
        _chatOptions = chatOptions;
        _options = options;
        _callerToken = callerToken;
        _splitter = new SentenceSplitter(options.SentenceSplitting);
        _timeouts = CancellationTokenSource.CreateLinkedTokenSource(callerToken);
        _timeouts.CancelAfter(Min(options.FirstTokenTimeout, options.RequestTimeout));
    }

    /// <summary>Tool calls the model made (complete once <see cref="NextSentenceAsync"/> returned null).</summary>
    public List<FunctionCallContent> Calls { get; } = [];

    /// <summary>Why the request failed, when it did (a <see cref="TimeoutException"/> for timeouts).</summary>
    public Exception? Failure { get; set; }

    /// <summary>The next complete sentence, or null at the end of the reply (or on failure).</summary>
    /// <exception cref="OperationCanceledException">The caller's token was cancelled.</exception>
    public async Task<string?> NextSentenceAsync()
    {
        while (true)
        {
            if (_ready.TryDequeue(out string? sentence))
            {
                return sentence;
            }

            if (_done)
            {
                return null;
            }

            ChatResponseUpdate? update;
            try
            {
                _updates ??= _client.GetStreamingResponseAsync(_messages, _chatOptions, _timeouts.Token).GetAsyncEnumerator(_timeouts.Token);
                update = await _updates.MoveNextAsync().ConfigureAwait(false) ? _updates.Current : null;
            }
            catch (Exception) when (_callerToken.IsCancellationRequested)
            {
                _done = true;
                throw new OperationCanceledException("The response was cancelled.", _callerToken);
            }
            catch (Exception e)
            {
                _done = true;
                Failure = _timeouts.IsCancellationRequested
                    ? new TimeoutException(
                        _started
                            ? $"no complete reply within {_options.RequestTimeout.TotalSeconds:0.#} s"
                            : $"no first token within {Min(_options.FirstTokenTimeout, _options.RequestTimeout).TotalSeconds:0.#} s",
                        e)
                    : e;
                _ready.Clear();
                return null;
            }

            if (update is null)
            {
                _done = true;
                Enqueue(_splitter.Append(_think.Flush()));
                Enqueue(_splitter.Flush());
                continue;
            }

            if (!_started)
            {
                _started = true;
                TimeSpan left = _options.RequestTimeout - _clock.Elapsed;
                _timeouts.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
            }

            foreach (AIContent content in update.Contents)
            {
                switch (content)
                {
                    case TextContent { Text: { Length: > 0 } text }:
                        Enqueue(_splitter.Append(_think.Append(text)));
                        break;
                    case FunctionCallContent call:
                        Calls.Add(call);
                        break;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_updates is not null)
        {
            try
            {
                await _updates.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The request is being abandoned; whatever the transport says about it no longer matters.
            }
        }

        _timeouts.Dispose();
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private void Enqueue(IReadOnlyList<string> sentences)
    {
        foreach (string sentence in sentences)
        {
            _ready.Enqueue(sentence);
        }
    }
}
