using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using AudioFlow.Telephony.Sip.Messages;
using Microsoft.Extensions.Logging;

namespace AudioFlow.Telephony.Sip.Transport;

/// <summary>
/// One TCP connection (accepted or opened by us): a read loop that frames the stream with
/// <see cref="SipStreamFramer"/> and a single writer loop, so that messages go out whole and in the order they were
/// queued. Closed on idle, on an incomplete message that stalls, on a framing error (after flushing the 400), on
/// any socket error, or when the transport is disposed.
/// </summary>
internal sealed class SipTcpConnection
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _cts = new();
    private readonly ILogger _logger;
    private Task _reader = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;
    private int _closed;

    public SipTcpConnection(long id, Socket socket, bool outbound, ILogger logger)
    {
        Id = id;
        _socket = socket;
        _socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: false);
        Outbound = outbound;
        _logger = logger;
        Local = SipEndPoint.FromIPEndPoint((IPEndPoint)socket.LocalEndPoint!);
        Remote = SipEndPoint.FromIPEndPoint((IPEndPoint)socket.RemoteEndPoint!);
    }

    public long Id { get; }

    public bool Outbound { get; }

    public SipEndPoint Local { get; }

    public SipEndPoint Remote { get; }

    public SipFlow Flow => new(SipTransportKind.Tcp, Local, Remote, Id);

    public bool IsOpen => Volatile.Read(ref _closed) == 0;

    /// <summary>Ends when both loops have ended.</summary>
    public Task Completion => Task.WhenAll(_reader, _writer);

    public event Action<SipTcpConnection, string>? Closed;

    public void Start(
        Func<SipTcpConnection, SipFrame, ValueTask> onFrame,
        int maxMessageSize,
        TimeSpan idleTimeout,
        TimeSpan messageTimeout)
    {
        _writer = Task.Run(WriteLoopAsync);
        _reader = Task.Run(() => ReadLoopAsync(onFrame, maxMessageSize, idleTimeout, messageTimeout));
    }

    /// <summary>Queues bytes; completes when they are written. Throws <see cref="SipTransportException"/> when closed.</summary>
    public Task SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var item = new Outgoing(data, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!IsOpen || !_outgoing.Writer.TryWrite(item))
        {
            return Task.FromException(new SipTransportException($"TCP connection {Id} to {Remote} is closed."));
        }

        return cancellationToken.CanBeCanceled ? item.Done.Task.WaitAsync(cancellationToken) : item.Done.Task;
    }

    private async Task ReadLoopAsync(Func<SipTcpConnection, SipFrame, ValueTask> onFrame, int maxMessageSize, TimeSpan idleTimeout, TimeSpan messageTimeout)
    {
        var framer = new SipStreamFramer(maxMessageSize);
        var buffer = new byte[16 * 1024];
        long partialSince = 0;
        var reason = "closed";
        try
        {
            while (!_cts.IsCancellationRequested)
            {
                var timeout = idleTimeout;
                if (framer.BufferedBytes > 0)
                {
                    var left = messageTimeout - Stopwatch.GetElapsedTime(partialSince);
                    if (left <= TimeSpan.Zero)
                    {
                        reason = "incomplete message timed out";
                        break;
                    }

                    timeout = left < timeout ? left : timeout;
                }

                int n;
                using (var readCts = CancellationTokenSource.CreateLinkedTokenSource(_cts.Token))
                {
                    readCts.CancelAfter(timeout);
                    try
                    {
                        n = await _stream.ReadAsync(buffer, readCts.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!_cts.IsCancellationRequested)
                    {
                        // Loop again: the checks above tell an incomplete message from an idle connection.
                        if (framer.BufferedBytes == 0)
                        {
                            reason = "idle";
                            break;
                        }

                        continue;
                    }
                }

                if (n == 0)
                {
                    reason = "closed by peer";
                    break;
                }

                framer.Append(buffer.AsSpan(0, n));
                var frames = 0;
                while (framer.TryReadFrame(out var frame))
                {
                    frames++;
                    try
                    {
                        await onFrame(this, frame).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        _logger.LogError(ex, "SIP TCP connection {Id} from {Remote}: failed to handle a frame", Id, Remote);
                    }
                }

                if (framer.IsFaulted)
                {
                    reason = "framing error";
                    break;
                }

                if (framer.BufferedBytes == 0)
                {
                    partialSince = 0;
                }
                else if (frames > 0 || partialSince == 0)
                {
                    partialSince = Stopwatch.GetTimestamp();
                }
            }
        }
        catch (OperationCanceledException)
        {
            reason = "transport stopped";
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            reason = ex is ObjectDisposedException ? "closed" : "socket error: " + ex.Message;
        }
        catch (Exception ex)
        {
            reason = "unexpected error";
            _logger.LogError(ex, "SIP TCP connection {Id} from {Remote}: read loop failed", Id, Remote);
        }

        await CloseAsync(reason, flush: true).ConfigureAwait(false);
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var item in _outgoing.Reader.ReadAllAsync(_cts.Token).ConfigureAwait(false))
            {
                try
                {
                    await _stream.WriteAsync(item.Data, _cts.Token).ConfigureAwait(false);
                    item.Done.TrySetResult();
                }
                catch (Exception ex)
                {
                    item.Done.TrySetException(new SipTransportException($"TCP write to {Remote} failed: {ex.Message}", ex));
                    throw;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Close below.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "SIP TCP connection {Id} to {Remote}: write loop failed", Id, Remote);
        }
        finally
        {
            Close("write ended");
            while (_outgoing.Reader.TryRead(out var left))
            {
                left.Done.TrySetException(new SipTransportException($"TCP connection {Id} to {Remote} closed before the message was sent."));
            }
        }
    }

    /// <summary>Stops accepting messages, lets queued ones go out (bounded), then closes.</summary>
    public async Task CloseAsync(string reason, bool flush)
    {
        if (flush && IsOpen)
        {
            _outgoing.Writer.TryComplete();
            try
            {
                await _writer.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                // Give up flushing.
            }
        }

        Close(reason);
    }

    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        _outgoing.Writer.TryComplete();
        try
        {
            _cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }

        _stream.Dispose();
        _socket.Dispose();
        _logger.LogDebug("SIP TCP connection {Id} {Local} <-> {Remote} closed: {Reason}", Id, Local, Remote, reason);
        Closed?.Invoke(this, reason);
    }

    private readonly record struct Outgoing(ReadOnlyMemory<byte> Data, TaskCompletionSource Done);
}
