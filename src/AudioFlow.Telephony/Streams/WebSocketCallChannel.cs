using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Providers.Control;
using Microsoft.Extensions.Logging;

namespace AudioFlow.Telephony.Streams;

/// <summary>
/// A call arriving as a provider media stream (Vobiz/Plivo, Twilio, Telnyx) over a WebSocket, seen through the
/// transport-neutral <see cref="ICallChannel"/>. Two phases: <see cref="WaitForStartAsync"/> reads until the
/// provider's <c>start</c> (media that comes first is kept, not dropped: Vobiz sends some), then <see cref="RunAsync"/>
/// pumps both directions until the stream ends.
/// <list type="bullet">
/// <item>Inbound: JSON → messages via the dialect; caller audio is reordered where the dialect does not guarantee
/// order; mark acks are passed on only for marks still pending (an echo after a clear is not "played").</item>
/// <item>Outbound: messages go through a bounded <see cref="OutboundMessageQueue"/>; a clear drops queued audio and
/// overtakes it; a send that stalls past <see cref="StreamChannelOptions.SendTimeout"/> ends the call.</item>
/// <item>Transfer and hang-up use the provider's REST API (<see cref="IProviderCallControl"/>).</item>
/// <item>Bad input (malformed JSON, bad base64, binary frames, oversize messages, unknown events) is logged with the
/// call id and counted; past <see cref="StreamChannelOptions.MaxProtocolErrors"/> (or at once for oversize) the call
/// ends with a protocol-error reason. Nothing here throws out of the loops.</item>
/// </list>
/// </summary>
public sealed class WebSocketCallChannel : ICallChannel
{
    private const string CloseAfterDrain = "\u0000close";
    private static readonly TimeSpan CloseGrace = TimeSpan.FromMilliseconds(150);

    /// <summary>How long a peer gets to answer our close before the socket is aborted.</summary>
    private static readonly TimeSpan CloseHandshakeTimeout = TimeSpan.FromSeconds(2);

    private readonly WebSocket _socket;
    private readonly IStreamDialect _dialect;
    private readonly StreamChannelOptions _options;
    private readonly IProviderCallControl? _control;
    private readonly ILogger _logger;
    private readonly Channel<InboundEvent> _inbound;
    private readonly OutboundMessageQueue _outbound;
    private readonly MediaReorderBuffer? _reorder;
    private readonly List<InboundEvent> _beforeStart = [];
    private readonly HashSet<string> _pendingMarks = [];
    private readonly HashSet<string> _clearedMarks = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private StreamStarted? _start;
    private string? _endReason;
    private int _protocolErrors;
    private long _framesDropped;
    private bool _hangUpRequested;

    public WebSocketCallChannel(WebSocket socket, IStreamDialect dialect, StreamChannelOptions options, IProviderCallControl? control,
        ILogger logger, bool reorderMedia)
    {
        _socket = socket;
        _dialect = dialect;
        _options = options;
        _control = control;
        _logger = logger;
        _outbound = new OutboundMessageQueue(options.SendQueueChunks);
        _reorder = reorderMedia ? new MediaReorderBuffer(options.ReorderWindow) : null;
        _inbound = Channel.CreateBounded<InboundEvent>(new BoundedChannelOptions(options.InboundBufferFrames)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string CallId => _start is null ? $"{_dialect.Name}-pending" : $"{_dialect.Name}-{_start.StreamId}";

    public string Transport => _dialect.Name;

    public MediaFormat InboundFormat => Started.Format;

    public MediaFormat OutboundFormat => Started.Format;

    public ChannelReader<InboundEvent> Inbound => _inbound.Reader;

    public string? From => _start?.From;

    public string? To => _start?.To;

    public string? ProviderCallId => _start?.CallId;

    /// <summary>The provider's <c>start</c> (null until <see cref="WaitForStartAsync"/> succeeded).</summary>
    public StreamStarted? Start => _start;

    /// <summary>Why the stream ended (the first reason recorded), null while it runs.</summary>
    public string? EndReason => Volatile.Read(ref _endReason);

    public int ProtocolErrors => Volatile.Read(ref _protocolErrors);

    public long FramesDropped => Interlocked.Read(ref _framesDropped);

    private StreamStarted Started => _start ?? throw new InvalidOperationException("the stream has not started yet");

    /// <summary>
    /// Reads until the provider's <c>start</c>. Returns it, or null when the socket closed, the timeout passed or the
    /// stream was unusable (the reason is in <see cref="EndReason"/>; the socket is then closed).
    /// </summary>
    public async Task<StreamStarted?> WaitForStartAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StartTimeout);
        var buffer = ArrayPool<byte>.Shared.Rent(_options.MaxMessageBytes + 1);
        try
        {
            while (_start is null && EndReason is null)
            {
                var length = await ReceiveTextAsync(buffer, timeout.Token).ConfigureAwait(false);
                if (length >= 0)
                {
                    Handle(buffer.AsMemory(0, length));
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            End("no start message within the start timeout", WebSocketCloseStatus.PolicyViolation, "aborted");
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            End($"connection lost before start: {e.Message}", null, "aborted");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (_start is null)
        {
            await CloseQuietlyAsync(WebSocketCloseStatus.PolicyViolation, EndReason ?? "no start").ConfigureAwait(false);
        }

        return _start;
    }

    /// <summary>Refuses a started stream before any audio is processed (unsupported format, policy): closes it.</summary>
    public Task RefuseAsync(string reason, WebSocketCloseStatus status = WebSocketCloseStatus.InvalidPayloadData)
    {
        End(reason, status, "refused");
        TelephonyMetrics.StreamsRefused.Add(1, TelephonyMetrics.Tag("reason", reason), TelephonyMetrics.Tag("transport", Transport));
        _inbound.Writer.TryComplete();
        return CloseQuietlyAsync(status, reason);
    }

    /// <summary>Pumps both directions until the stream ends; the caller's inbound side is completed at the end.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        foreach (var early in _beforeStart)
        {
            Deliver(early);
        }

        _beforeStart.Clear();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        var sending = SendLoopAsync(linked.Token);
        await ReceiveLoopAsync(linked.Token).ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    public async ValueTask SendAsync(OutboundCommand command, CancellationToken cancellationToken = default)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        var streamId = Started.StreamId;
        try
        {
            switch (command)
            {
                case OutboundMedia media:
                    var text = _dialect.Media(streamId, media.Payload.Span, Started.Format);
                    if (!cancellationToken.CanBeCanceled)
                    {
                        await _outbound.EnqueueMediaAsync(text, _stopping.Token).ConfigureAwait(false);
                        break;
                    }

                    using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token))
                    {
                        await _outbound.EnqueueMediaAsync(text, linked.Token).ConfigureAwait(false);
                    }

                    break;
                case ClearPlayout:
                    ForgetPendingMarks();
                    var dropped = _outbound.EnqueueClearAhead(_dialect.Clear(streamId));
                    _logger.LogDebug("[call {CallId}] clear sent ahead of {Dropped} queued audio chunks", CallId, dropped);
                    break;
                case PlayoutMark mark:
                    lock (_gate)
                    {
                        _pendingMarks.Add(mark.Name);
                    }

                    _outbound.EnqueueControl(_dialect.Mark(streamId, mark.Name));
                    break;
                case SendDtmf dtmf:
                    if (_dialect.SendDtmf(streamId, dtmf.Digits) is { } message)
                    {
                        _outbound.EnqueueControl(message);
                    }
                    else
                    {
                        _logger.LogWarning("[call {CallId}] {Transport} streams cannot send DTMF; digits {Digits} not sent", CallId, Transport, dtmf.Digits);
                    }

                    break;
                case TransferCall transfer:
                    _ = TransferAsync(transfer.Target);
                    break;
                case HangUp hangUp:
                    HangUpFromAgent(hangUp.Reason);
                    break;
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // the stream is over: nothing to send to
        }
    }

    private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(_options.MaxMessageBytes + 1);
        try
        {
            while (EndReason is null && !cancellationToken.IsCancellationRequested)
            {
                var length = await ReceiveTextAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (length >= 0)
                {
                    Handle(buffer.AsMemory(0, length));
                }
            }
        }
        catch (OperationCanceledException)
        {
            End("stream stopped", null, null);
        }
        catch (Exception e) when (e is WebSocketException or IOException)
        {
            End($"connection lost: {e.Message}", null, "aborted");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (_reorder is not null)
            {
                foreach (var media in _reorder.Drain())
                {
                    DeliverMedia(media);
                }
            }

            _inbound.Writer.TryWrite(new CallerHungUp(EndReason ?? "stream ended"));
            _inbound.Writer.TryComplete();
            await CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, "call ended").ConfigureAwait(false);
        }
    }

    /// <summary>The length of one whole text message now in <paramref name="buffer"/>, or -1 for one that was skipped (close, binary, oversize: handled here).</summary>
    private async Task<int> ReceiveTextAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        var length = 0;
        var tooBig = false;
        while (true)
        {
            var room = length < buffer.Length ? buffer.AsMemory(length) : buffer.AsMemory(0);
            var result = await _socket.ReceiveAsync(room, cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                End(_hangUpRequested ? "agent hung up" : "stream closed by the provider", null, null);
                return -1;
            }

            if (!tooBig)
            {
                length += result.Count;
                tooBig = length > _options.MaxMessageBytes;
            }

            if (!result.EndOfMessage)
            {
                continue;
            }

            if (tooBig)
            {
                ProtocolError("oversize", $"message larger than {_options.MaxMessageBytes} bytes");
                End($"protocol error: message larger than {_options.MaxMessageBytes} bytes", WebSocketCloseStatus.MessageTooBig, "protocol");
                return -1;
            }

            if (result.MessageType == WebSocketMessageType.Binary)
            {
                ProtocolError("binary", $"binary frame of {length} bytes (this stream speaks JSON text)");
                return -1;
            }

            return length;
        }
    }

    private void Handle(ReadOnlyMemory<byte> utf8)
    {
        StreamMessage message;
        try
        {
            message = _dialect is IUtf8StreamDialect direct ? direct.Parse(utf8) : _dialect.Parse(Encoding.UTF8.GetString(utf8.Span));
        }
        catch (StreamProtocolException e)
        {
            ProtocolError("malformed", e.Message);
            return;
        }

        switch (message)
        {
            case StreamStarted start when _start is null:
                _start = start;
                _logger.LogInformation("[call {CallId}] {Transport} stream started: provider call {ProviderCallId}, {Format}",
                    CallId, Transport, start.CallId, start.Format);
                break;
            case StreamStarted:
                ProtocolError("second-start", "a second start on the same stream");
                break;
            case StreamMedia media when _start is null:
                _beforeStart.Add(ToInbound(media));
                break;
            case StreamMedia media:
                if (_reorder is null)
                {
                    DeliverMedia(media);
                    break;
                }

                foreach (var ready in _reorder.Add(media))
                {
                    DeliverMedia(ready);
                }

                break;
            case StreamDtmf dtmf:
                var key = new InboundDtmf(dtmf.Digit, Transport);
                if (_start is null)
                {
                    _beforeStart.Add(key);
                }
                else
                {
                    Deliver(key);
                }

                break;
            case StreamMarkAcknowledged ack:
                OnMarkAcknowledged(ack.Name);
                break;
            case StreamStopped stopped:
                End(stopped.Reason is { Length: > 0 } why ? $"stream stopped by the provider: {why}" : "stream stopped by the provider", null, null);
                break;
            case StreamProviderError error:
                _logger.LogWarning("[call {CallId}] {Transport} reported an error: {Error}", CallId, Transport, error.Message);
                Deliver(new TransportProblem("provider-error", error.Message));
                TelephonyMetrics.StreamProtocolErrors.Add(1, TelephonyMetrics.Tag("reason", "provider-error"), TelephonyMetrics.Tag("transport", Transport));
                break;
            case StreamUnknownEvent unknown:
                _logger.LogDebug("[call {CallId}] ignoring {Transport} event '{Event}'", CallId, Transport, unknown.Event);
                TelephonyMetrics.StreamProtocolErrors.Add(1, TelephonyMetrics.Tag("reason", "unknown-event"), TelephonyMetrics.Tag("transport", Transport));
                break;
        }
    }

    private void OnMarkAcknowledged(string name)
    {
        lock (_gate)
        {
            if (_clearedMarks.Remove(name))
            {
                return; // echoed by a clear: the audio before it was not played
            }

            if (!_pendingMarks.Remove(name))
            {
                return;
            }
        }

        Deliver(new PlayoutMarkReached(name));
    }

    private void ForgetPendingMarks()
    {
        lock (_gate)
        {
            if (_dialect.EchoesMarksOnClear)
            {
                _clearedMarks.UnionWith(_pendingMarks);
            }

            _pendingMarks.Clear();
        }
    }

    private void DeliverMedia(StreamMedia media) => Deliver(ToInbound(media));

    private static InboundMedia ToInbound(StreamMedia media) => new(media.Payload);

    private void Deliver(InboundEvent inboundEvent)
    {
        if (_inbound.Writer.TryWrite(inboundEvent))
        {
            return;
        }

        if (inboundEvent is InboundMedia && Interlocked.Increment(ref _framesDropped) % 50 == 1)
        {
            _logger.LogError("[call {CallId}] inbound buffer full: caller audio dropped ({Dropped} frames so far)", CallId, FramesDropped);
        }
    }

    private async Task SendLoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var text = await _outbound.DequeueAsync(cancellationToken).ConfigureAwait(false);
            if (ReferenceEquals(text, CloseAfterDrain))
            {
                await Task.Delay(CloseGrace, cancellationToken).ConfigureAwait(false);
                End("agent hung up", WebSocketCloseStatus.NormalClosure, null);
                await CloseQuietlyAsync(WebSocketCloseStatus.NormalClosure, "call ended").ConfigureAwait(false);
                await Task.Delay(CloseHandshakeTimeout, CancellationToken.None).ConfigureAwait(false);
                if (_socket.State != WebSocketState.Closed)
                {
                    _socket.Abort(); // the peer never answered our close: don't let the call linger
                    await _stopping.CancelAsync().ConfigureAwait(false);
                }

                return;
            }

            // The timeout is watched from outside the send: the end reason must be recorded before the abort wakes the
            // receive loop, or the call would be misreported as merely "stopped".
            var send = _socket.SendAsync(Encoding.UTF8.GetBytes(text).AsMemory(), WebSocketMessageType.Text, true, cancellationToken).AsTask();
            try
            {
                if (!send.IsCompleted
                    && await Task.WhenAny(send, Task.Delay(_options.SendTimeout, cancellationToken)).ConfigureAwait(false) != send
                    && !cancellationToken.IsCancellationRequested)
                {
                    End($"client stopped reading: a send took longer than {_options.SendTimeout.TotalSeconds:F0} s", null, "aborted");
                    _socket.Abort();
                    await _stopping.CancelAsync().ConfigureAwait(false);
                    _ = send.ContinueWith(t => t.Exception, TaskScheduler.Default); // observe the aborted send
                    return;
                }

                await send.ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or IOException)
            {
                End($"connection lost: {e.Message}", null, "aborted");
                await _stopping.CancelAsync().ConfigureAwait(false);
                return;
            }
        }
    }

    private void HangUpFromAgent(string reason)
    {
        _hangUpRequested = true;
        if (_dialect.Stop(Started.StreamId) is { } stop)
        {
            _outbound.EnqueueControl(stop);
        }

        _outbound.EnqueueControl(CloseAfterDrain);
        if (_control is not null)
        {
            _ = CallProviderAsync("hang-up", ct => _control.HangUpAsync(Started.CallId, ct));
        }

        _logger.LogInformation("[call {CallId}] agent hangs up ({Reason})", CallId, reason);
    }

    private async Task TransferAsync(string target)
    {
        if (_control is null)
        {
            _logger.LogWarning("[call {CallId}] transfer to {Target} impossible: no {Transport} API credentials configured", CallId, target, Transport);
            Deliver(new TransferResult(target, false, $"no {Transport} API configured"));
            return;
        }

        var error = await CallProviderAsync("transfer", ct => _control.TransferAsync(Started.CallId, target, ct)).ConfigureAwait(false);
        Deliver(new TransferResult(target, error is null, error ?? $"{Transport} accepted the transfer"));
    }

    /// <summary>Runs a provider REST call; returns null on success or the failure's message (logged and counted).</summary>
    private async Task<string?> CallProviderAsync(string operation, Func<CancellationToken, Task> call)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            await call(timeout.Token).ConfigureAwait(false);
            return null;
        }
        catch (Exception e)
        {
            TelephonyMetrics.ProviderApiFailures.Add(1, TelephonyMetrics.Tag("operation", operation), TelephonyMetrics.Tag("transport", Transport));
            _logger.LogError("[call {CallId}] {Transport} {Operation} failed: {Error}", CallId, Transport, operation, e.Message);
            return e.Message;
        }
    }

    private void ProtocolError(string reason, string detail)
    {
        TelephonyMetrics.StreamProtocolErrors.Add(1, TelephonyMetrics.Tag("reason", reason), TelephonyMetrics.Tag("transport", Transport));
        var count = Interlocked.Increment(ref _protocolErrors);
        _logger.LogWarning("[call {CallId}] {Transport} protocol error ({Reason}): {Detail}", CallId, Transport, reason, detail);
        if (_start is not null && count <= _options.MaxProtocolErrors)
        {
            Deliver(new TransportProblem(reason, detail));
        }
        if (count > _options.MaxProtocolErrors)
        {
            End($"protocol error: more than {_options.MaxProtocolErrors} unusable messages (last: {detail})", WebSocketCloseStatus.ProtocolError, "protocol");
        }
    }

    /// <summary>Records the end reason (first wins) and, when <paramref name="closeStatus"/> is given, starts closing.</summary>
    private void End(string reason, WebSocketCloseStatus? closeStatus, string? abortKind)
    {
        if (Interlocked.CompareExchange(ref _endReason, reason, null) is not null)
        {
            return;
        }

        if (abortKind is not null)
        {
            TelephonyMetrics.StreamsAborted.Add(1, TelephonyMetrics.Tag("reason", abortKind), TelephonyMetrics.Tag("transport", Transport));
            _logger.LogWarning("[call {CallId}] stream ends: {Reason}", CallId, reason);
        }

        if (closeStatus is { } status && status != WebSocketCloseStatus.NormalClosure)
        {
            _ = CloseQuietlyAsync(status, reason);
        }
    }

    private async Task CloseQuietlyAsync(WebSocketCloseStatus status, string reason)
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                var description = reason.Length > 120 ? reason[..120] : reason;
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            _socket.Abort();
        }
    }
}
