using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using AudioFlow.Telephony.Sip.Messages;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioFlow.Telephony.Sip.Transport;

/// <summary>
/// The SIP transport layer (RFC 3261 §18) over UDP and TCP, IPv4 and IPv6.
/// <list type="bullet">
/// <item>Receives datagrams (one message each) and TCP streams (framed by <see cref="SipStreamFramer"/>; RFC 5626
/// CRLFCRLF pings are answered with CRLF), parses them and queues them on <see cref="Incoming"/> for one consumer
/// (normally the transaction layer).</item>
/// <item>Requests get <c>received</c>/<c>rport</c> in their top Via (§18.2.1, RFC 3581) before they are queued;
/// responses whose top Via was not written by this transport are dropped (§18.1.2).</item>
/// <item>Malformed input is counted (<c>audioflow.sip.malformed</c>) and logged; a request readable enough to
/// answer gets its 400 (505, 513) on the transport it came on; nothing else is sent. No exception leaves a receive
/// loop: a bad peer cannot stop the transport.</item>
/// <item>Sending: <see cref="SendRequestAsync"/> (fills the top Via), <see cref="SendResponseAsync"/> (§18.2.2).</item>
/// </list>
/// Thread-safe. Maddr in Via, DNS SRV/NAPTR (RFC 3263), TLS and SCTP are not supported.
/// </summary>
public sealed class SipTransport : ISipTransport, IAsyncDisposable
{
    private readonly SipTransportOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<IncomingSipMessage> _incoming;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Listener> _udp = [];
    private readonly List<Listener> _tcp = [];
    private readonly List<Task> _loops = [];
    private readonly ConcurrentDictionary<long, SipTcpConnection> _connections = new();
    private readonly ConcurrentDictionary<SipEndPoint, Lazy<Task<SipTcpConnection>>> _connecting = new();
    private readonly ConcurrentDictionary<string, byte> _sentBy = new(StringComparer.OrdinalIgnoreCase);
    private long _nextConnectionId;
    private int _state;

    public SipTransport(SipTransportOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? new SipTransportOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _incoming = Channel.CreateBounded<IncomingSipMessage>(new BoundedChannelOptions(_options.IncomingQueueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <inheritdoc />
    public ChannelReader<IncomingSipMessage> Incoming => _incoming.Reader;

    /// <summary>The endpoints actually bound (ports resolved when 0 was asked for). Empty before <see cref="Start"/>.</summary>
    public IReadOnlyList<SipListenEndPoint> LocalEndPoints { get; private set; } = [];

    public SipTransportStatistics Statistics { get; } = new();

    /// <summary>TCP connections currently open (both directions).</summary>
    public int OpenConnectionCount => _connections.Count;

    /// <summary>The first bound endpoint of that transport and address family (tests, configuration).</summary>
    public SipEndPoint GetLocalEndPoint(SipTransportKind transport, AddressFamily family = AddressFamily.InterNetwork) =>
        LocalEndPoints.FirstOrDefault(e => e.Transport == transport && e.EndPoint.AddressFamily == family)?.EndPoint
        ?? throw new InvalidOperationException($"No {transport.ViaToken()} listener for {family}.");

    /// <summary>Binds every listen endpoint and starts the receive loops. Throws <see cref="SocketException"/> when a bind fails.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The transport was already started or disposed.");
        }

        try
        {
            // Port 0 for UDP and TCP on the same address: try to give both the same port.
            var zeroPorts = new Dictionary<IPAddress, int>();
            foreach (var listen in _options.ListenEndPoints)
            {
                var wanted = listen.EndPoint;
                Listener listener;
                if (wanted.Port == 0 && zeroPorts.TryGetValue(wanted.Address, out var port))
                {
                    listener = TryBind(listen.Transport, new SipEndPoint(wanted.Address, port)) ?? Bind(listen.Transport, wanted);
                }
                else
                {
                    listener = Bind(listen.Transport, wanted);
                }

                if (wanted.Port == 0)
                {
                    zeroPorts.TryAdd(wanted.Address, listener.Local.Port);
                }

                (listen.Transport == SipTransportKind.Udp ? _udp : _tcp).Add(listener);
            }
        }
        catch
        {
            foreach (var l in _udp.Concat(_tcp))
            {
                l.Socket.Dispose();
            }

            _udp.Clear();
            _tcp.Clear();
            throw;
        }

        LocalEndPoints = _udp.Concat(_tcp).Select(l => new SipListenEndPoint(l.Transport, l.Local)).ToArray();
        foreach (var l in _udp)
        {
            _loops.Add(Task.Run(() => UdpLoopAsync(l)));
        }

        foreach (var l in _tcp)
        {
            _loops.Add(Task.Run(() => AcceptLoopAsync(l)));
        }

        _logger.LogInformation("SIP transport listening on {EndPoints}", string.Join(", ", LocalEndPoints));
    }

    private Listener? TryBind(SipTransportKind transport, SipEndPoint endPoint)
    {
        try
        {
            return Bind(transport, endPoint);
        }
        catch (SocketException)
        {
            return null;
        }
    }

    private static Listener Bind(SipTransportKind transport, SipEndPoint endPoint)
    {
        var socket = transport == SipTransportKind.Udp
            ? new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp)
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endPoint.IsIPv6)
            {
                socket.DualMode = false;
            }

            if (transport == SipTransportKind.Udp)
            {
                TrySetBuffer(socket);
            }

            socket.Bind(endPoint.ToIPEndPoint());
            if (transport == SipTransportKind.Tcp)
            {
                socket.Listen(512);
            }

            return new Listener(transport, socket, SipEndPoint.FromIPEndPoint((IPEndPoint)socket.LocalEndPoint!));
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        static void TrySetBuffer(Socket s)
        {
            try
            {
                s.ReceiveBufferSize = 1 << 20;
            }
            catch (SocketException)
            {
                // Keep the system default.
            }
        }
    }

    // ---------------------------------------------------------------- receive

    private async Task UdpLoopAsync(Listener listener)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(64 * 1024);
        EndPoint any = new IPEndPoint(listener.Local.IsIPv6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        var consecutiveErrors = 0;
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result;
            try
            {
                result = await listener.Socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token).ConfigureAwait(false);
                consecutiveErrors = 0;
            }
            catch (Exception ex) when (_stop.IsCancellationRequested || ex is ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                // ICMP port unreachable from an earlier send shows up here on some systems: not fatal.
                _logger.LogDebug("SIP UDP receive on {Local}: {Error}", listener.Local, ex.SocketErrorCode);
                if (++consecutiveErrors > 100)
                {
                    await DelayQuietly(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
                }

                continue;
            }

            var remote = SipEndPoint.FromIPEndPoint((IPEndPoint)result.RemoteEndPoint);
            var flow = new SipFlow(SipTransportKind.Udp, listener.Local, remote, 0);
            try
            {
                await OnDatagramAsync(listener, buffer.AsMemory(0, result.ReceivedBytes), flow).ConfigureAwait(false);
            }
            catch (Exception ex) when (_stop.IsCancellationRequested && ex is OperationCanceledException or ChannelClosedException)
            {
                break;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "SIP UDP datagram from {Remote} could not be handled", remote);
            }
        }
    }

    private async ValueTask OnDatagramAsync(Listener listener, ReadOnlyMemory<byte> datagram, SipFlow flow)
    {
        if (!SipParser.TryParse(datagram.Span, _options.MaxMessageSize, out var message, out var error))
        {
            if (error.Kind == SipParseErrorKind.Empty)
            {
                // A CRLF keep-alive datagram: RFC 5626 uses STUN over UDP, so there is nothing to answer.
                return;
            }

            await OnMalformedAsync(error, flow, null, listener).ConfigureAwait(false);
            return;
        }

        await DeliverAsync(message, flow).ConfigureAwait(false);
    }

    private async Task AcceptLoopAsync(Listener listener)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.Socket.AcceptAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (_stop.IsCancellationRequested || ex is ObjectDisposedException)
            {
                break;
            }
            catch (SocketException ex)
            {
                _logger.LogWarning("SIP TCP accept on {Local} failed: {Error}", listener.Local, ex.SocketErrorCode);
                await DelayQuietly(TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
                continue;
            }

            if (_connections.Count >= _options.MaxTcpConnections)
            {
                Statistics.OnDropped();
                SipTransportMetrics.Dropped.Add(1, SipTransportMetrics.Tag("transport", "TCP"), SipTransportMetrics.Tag("reason", "connection-limit"));
                _logger.LogWarning("SIP TCP connection from {Remote} refused: {Count} connections open", socket.RemoteEndPoint, _connections.Count);
                socket.Dispose();
                continue;
            }

            try
            {
                AddConnection(socket, outbound: false);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                socket.Dispose();
            }
        }
    }

    private SipTcpConnection AddConnection(Socket socket, bool outbound)
    {
        var connection = new SipTcpConnection(Interlocked.Increment(ref _nextConnectionId), socket, outbound, _logger);
        var direction = SipTransportMetrics.Tag("direction", outbound ? "outbound" : "inbound");
        _connections[connection.Id] = connection;
        SipTransportMetrics.TcpConnections.Add(1, direction);
        connection.Closed += (c, reason) =>
        {
            if (_connections.TryRemove(c.Id, out _))
            {
                SipTransportMetrics.TcpConnections.Add(-1, direction);
            }
        };
        _logger.LogDebug("SIP TCP connection {Id} {Local} <-> {Remote} open ({Direction})", connection.Id, connection.Local, connection.Remote, outbound ? "outbound" : "inbound");
        connection.Start(OnFrameAsync, _options.MaxMessageSize, _options.TcpIdleTimeout, _options.TcpMessageTimeout);
        if (Volatile.Read(ref _state) == 2)
        {
            connection.Close("transport stopped");
        }

        return connection;
    }

    private async ValueTask OnFrameAsync(SipTcpConnection connection, SipFrame frame)
    {
        switch (frame.Kind)
        {
            case SipFrameKind.KeepAlive:
                // RFC 5626 §3.5.1: answer a CRLFCRLF ping with a CRLF pong.
                Statistics.OnKeepAlive();
                SipTransportMetrics.KeepAlives.Add(1, SipTransportMetrics.Tag("transport", "TCP"));
                try
                {
                    await connection.SendAsync("\r\n"u8.ToArray()).ConfigureAwait(false);
                }
                catch (SipTransportException)
                {
                    // The connection went away.
                }

                break;
            case SipFrameKind.Message:
                await DeliverAsync(frame.Message!, connection.Flow).ConfigureAwait(false);
                break;
            default:
                await OnMalformedAsync(frame.Error!, connection.Flow, connection, null).ConfigureAwait(false);
                break;
        }
    }

    private async ValueTask DeliverAsync(SipMessage message, SipFlow flow)
    {
        var transportTag = SipTransportMetrics.Tag("transport", flow.Transport.ViaToken());
        if (message is SipRequest request)
        {
            SipViaHeaders.ApplyReceived(request, flow.Remote);
        }
        else if (_options.CheckResponseSentBy && !IsOwnSentBy(message))
        {
            Statistics.OnDropped();
            SipTransportMetrics.Dropped.Add(1, transportTag, SipTransportMetrics.Tag("reason", "via-mismatch"));
            _logger.LogInformation("SIP response {StartLine} from {Remote} dropped: its top Via {Via} is not ours", message.StartLine, flow.Remote, message.Headers.Get(SipHeaderNames.Via));
            return;
        }

        Statistics.OnReceived();
        SipTransportMetrics.MessagesReceived.Add(1, transportTag, SipTransportMetrics.Tag("type", message.IsRequest ? "request" : "response"));
        var incoming = new IncomingSipMessage(message, flow.Remote, flow.Local, flow.Transport, flow.ConnectionId);
        if (!_incoming.Writer.TryWrite(incoming))
        {
            await _incoming.Writer.WriteAsync(incoming, _stop.Token).ConfigureAwait(false);
        }
    }

    private bool IsOwnSentBy(SipMessage response)
    {
        if (!SipViaHeaders.TryGetTopVia(response, lenient: true, out var via, out _))
        {
            return false;
        }

        return _sentBy.ContainsKey(via.Host + ":" + (via.Port ?? 5060).ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private async ValueTask OnMalformedAsync(SipParseError error, SipFlow flow, SipTcpConnection? connection, Listener? udp)
    {
        var answered = false;
        string? failure = null;
        try
        {
            if (error.CanRespond)
            {
                SipViaHeaders.ApplyReceived(error.PartialRequest!, flow.Remote, lenient: true);
                var response = SipResponseBuilder.ForParseError(error, SipViaHeaders.NewTag())!;
                var bytes = response.ToBytes();
                if (connection is not null)
                {
                    await connection.SendAsync(bytes).ConfigureAwait(false);
                }
                else if (udp is not null)
                {
                    // Symmetric: a message this broken cannot be trusted for Via routing, its source can.
                    await udp.Socket.SendToAsync(bytes, SocketFlags.None, flow.Remote.ToIPEndPoint(), _stop.Token).ConfigureAwait(false);
                }

                answered = true;
                Statistics.OnSent();
                SipTransportMetrics.MessagesSent.Add(1, SipTransportMetrics.Tag("transport", flow.Transport.ViaToken()), SipTransportMetrics.Tag("type", "response"));
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
        {
            failure = ex.Message;
        }

        Statistics.OnMalformed(answered);
        SipTransportMetrics.Malformed.Add(
            1,
            SipTransportMetrics.Tag("transport", flow.Transport.ViaToken()),
            SipTransportMetrics.Tag("kind", error.Kind.ToString()),
            SipTransportMetrics.Tag("answered", answered));
        _logger.LogWarning(
            "Malformed SIP message from {Remote} over {Transport}: {Kind} \"{Reason}\"; {Action}",
            flow.Remote,
            flow.Transport.ViaToken(),
            error.Kind,
            error.Reason,
            answered ? $"answered {error.StatusCode}" : failure is null ? "dropped" : "answer failed: " + failure);
    }

    // ---------------------------------------------------------------- send

    /// <inheritdoc />
    public async Task<SipFlow> SendRequestAsync(SipRequest request, SipEndPoint destination, SipTransportKind transport, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfNotRunning();
        SipViaHeaders.EnsureTopViaWithBranch(request, transport);
        try
        {
            SipFlow flow;
            if (transport == SipTransportKind.Udp)
            {
                var listener = PickListener(_udp, destination)
                    ?? throw new SipTransportException($"No UDP listener for {destination.AddressFamily} to send to {destination}.");
                var local = new SipEndPoint(IsAny(listener.Local.Address) ? RouteLocalAddress(destination) : listener.Local.Address, listener.Local.Port);
                var bytes = StampVia(request, transport, local);
                if (bytes.Length > 1300)
                {
                    _logger.LogDebug("SIP {Method} of {Length} bytes sent over UDP (RFC 3261 §18.1.1 prefers TCP above 1300)", request.Method, bytes.Length);
                }

                await listener.Socket.SendToAsync(bytes, SocketFlags.None, destination.ToIPEndPoint(), cancellationToken).ConfigureAwait(false);
                flow = new SipFlow(SipTransportKind.Udp, local, destination, 0);
            }
            else
            {
                var connection = FindConnection(destination) ?? await ConnectAsync(destination, cancellationToken).ConfigureAwait(false);
                var listener = PickListener(_tcp, destination);
                var sentBy = listener is null
                    ? connection.Local
                    : new SipEndPoint(IsAny(listener.Local.Address) ? connection.Local.Address : listener.Local.Address, listener.Local.Port);
                await connection.SendAsync(StampVia(request, transport, sentBy), cancellationToken).ConfigureAwait(false);
                flow = connection.Flow;
            }

            Statistics.OnSent();
            SipTransportMetrics.MessagesSent.Add(1, SipTransportMetrics.Tag("transport", transport.ViaToken()), SipTransportMetrics.Tag("type", "request"));
            return flow;
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or SipTransportException)
        {
            Statistics.OnSendFailure();
            SipTransportMetrics.SendFailures.Add(1, SipTransportMetrics.Tag("transport", transport.ViaToken()));
            throw ex as SipTransportException ?? new SipTransportException($"Sending {request.Method} to {destination} over {transport.ViaToken()} failed: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public async Task SendResponseAsync(SipResponse response, SipFlow requestFlow, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(response);
        ThrowIfNotRunning();
        var bytes = response.ToBytes();
        try
        {
            if (requestFlow.Transport == SipTransportKind.Tcp)
            {
                var sent = false;
                if (_connections.TryGetValue(requestFlow.ConnectionId, out var connection) && connection.IsOpen)
                {
                    try
                    {
                        await connection.SendAsync(bytes, cancellationToken).ConfigureAwait(false);
                        sent = true;
                    }
                    catch (SipTransportException)
                    {
                        // Closed meanwhile: §18.2.2, open a new connection.
                    }
                }

                if (!sent)
                {
                    var destination = await ResolveResponseDestinationAsync(response, requestFlow, useRPort: false, cancellationToken).ConfigureAwait(false);
                    connection = FindConnection(destination) ?? await ConnectAsync(destination, cancellationToken).ConfigureAwait(false);
                    await connection.SendAsync(bytes, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                var destination = await ResolveResponseDestinationAsync(response, requestFlow, useRPort: true, cancellationToken).ConfigureAwait(false);
                var listener = _udp.FirstOrDefault(l => l.Local == requestFlow.Local) ?? PickListener(_udp, destination)
                    ?? throw new SipTransportException($"No UDP listener for {destination.AddressFamily} to answer {destination}.");
                await listener.Socket.SendToAsync(bytes, SocketFlags.None, destination.ToIPEndPoint(), cancellationToken).ConfigureAwait(false);
            }

            Statistics.OnSent();
            SipTransportMetrics.MessagesSent.Add(1, SipTransportMetrics.Tag("transport", requestFlow.Transport.ViaToken()), SipTransportMetrics.Tag("type", "response"));
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException or SipTransportException)
        {
            Statistics.OnSendFailure();
            SipTransportMetrics.SendFailures.Add(1, SipTransportMetrics.Tag("transport", requestFlow.Transport.ViaToken()));
            throw ex as SipTransportException ?? new SipTransportException($"Sending {response.StatusCode} over {requestFlow} failed: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// §18.2.2 and RFC 3581 §4: received:rport (UDP, when rport was filled), else received (or the sent-by host)
    /// with the sent-by port (default 5060). A Via that does not parse sends back to the source.
    /// </summary>
    private async Task<SipEndPoint> ResolveResponseDestinationAsync(SipResponse response, SipFlow flow, bool useRPort, CancellationToken cancellationToken)
    {
        if (!SipViaHeaders.TryGetTopVia(response, lenient: true, out var via, out _))
        {
            return flow.Remote;
        }

        SipViaHeaders.TryParseHostAddress(via.Received, out var received);
        if (useRPort && via.RPort is { } rport)
        {
            return new SipEndPoint(received ?? flow.Remote.Address, rport);
        }

        var port = via.Port ?? flow.Transport.DefaultPort();
        if (received is not null)
        {
            return new SipEndPoint(received, port);
        }

        if (SipViaHeaders.TryParseHostAddress(via.Host, out var literal))
        {
            return new SipEndPoint(literal, port);
        }

        var address = await ResolveHostAsync(via.Host, flow.Remote.AddressFamily, cancellationToken).ConfigureAwait(false);
        return new SipEndPoint(address, port);
    }

    /// <summary>A hostname to an address (A/AAAA only; RFC 3263 SRV/NAPTR is not done), preferring that family.</summary>
    public static async Task<IPAddress> ResolveHostAsync(string host, AddressFamily preferred, CancellationToken cancellationToken = default)
    {
        IPAddress[] addresses;
        try
        {
            addresses = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new SipTransportException($"Cannot resolve '{host}': {ex.SocketErrorCode}", ex);
        }

        return addresses.FirstOrDefault(a => a.AddressFamily == preferred)
            ?? addresses.FirstOrDefault(a => a.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            ?? throw new SipTransportException($"'{host}' has no IP address.");
    }

    private byte[] StampVia(SipRequest request, SipTransportKind transport, SipEndPoint sentBy)
    {
        if (!SipViaHeaders.TryGetTopVia(request, lenient: false, out var via, out _))
        {
            throw new SipTransportException("The request's top Via does not parse.");
        }

        via.Transport = transport.ViaToken();
        via.Host = sentBy.HostText;
        via.Port = sentBy.Port;
        SipViaHeaders.ReplaceTopVia(request, via);
        _sentBy.TryAdd(sentBy.ToString(), 0);
        return request.ToBytes();
    }

    private SipTcpConnection? FindConnection(SipEndPoint destination)
    {
        SipTcpConnection? best = null;
        foreach (var connection in _connections.Values)
        {
            if (connection.IsOpen && connection.Remote == destination && (best is null || connection.Id > best.Id))
            {
                best = connection;
            }
        }

        return best;
    }

    private async Task<SipTcpConnection> ConnectAsync(SipEndPoint destination, CancellationToken cancellationToken)
    {
        var lazy = _connecting.GetOrAdd(destination, d => new Lazy<Task<SipTcpConnection>>(() => ConnectCoreAsync(d)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _connecting.TryRemove(new KeyValuePair<SipEndPoint, Lazy<Task<SipTcpConnection>>>(destination, lazy));
        }
    }

    private async Task<SipTcpConnection> ConnectCoreAsync(SipEndPoint destination)
    {
        var socket = new Socket(destination.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (destination.IsIPv6)
            {
                socket.DualMode = false;
            }

            // Leave from the listening address when it is a specific one, so that peers see one address.
            if (PickListener(_tcp, destination) is { } listener && !IsAny(listener.Local.Address))
            {
                socket.Bind(new IPEndPoint(listener.Local.Address, 0));
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(_options.TcpConnectTimeout);
            try
            {
                await socket.ConnectAsync(destination.ToIPEndPoint(), timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
                throw new SipTransportException($"TCP connect to {destination} timed out after {_options.TcpConnectTimeout.TotalSeconds:0.#} s.");
            }

            return AddConnection(socket, outbound: true);
        }
        catch (Exception ex)
        {
            socket.Dispose();
            if (ex is SipTransportException)
            {
                throw;
            }

            throw new SipTransportException($"TCP connect to {destination} failed: {ex.Message}", ex);
        }
    }

    /// <summary>A listener of the destination's family, preferring one whose loopback-ness matches.</summary>
    private static Listener? PickListener(List<Listener> listeners, SipEndPoint destination)
    {
        Listener? fallback = null;
        foreach (var l in listeners)
        {
            if (l.Local.AddressFamily != destination.AddressFamily)
            {
                continue;
            }

            if (IsAny(l.Local.Address) || IPAddress.IsLoopback(l.Local.Address) == IPAddress.IsLoopback(destination.Address))
            {
                return l;
            }

            fallback ??= l;
        }

        return fallback;
    }

    private static bool IsAny(IPAddress address) => address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any);

    /// <summary>The local address the routing table picks for a destination (a connected UDP socket sends nothing).</summary>
    private static IPAddress RouteLocalAddress(SipEndPoint destination)
    {
        using var probe = new Socket(destination.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(destination.ToIPEndPoint());
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    private void ThrowIfNotRunning()
    {
        switch (Volatile.Read(ref _state))
        {
            case 0:
                throw new InvalidOperationException("The SIP transport is not started.");
            case 2:
                throw new SipTransportException("The SIP transport is stopped.");
        }
    }

    private async Task DelayQuietly(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        _stop.Cancel();
        foreach (var l in _udp.Concat(_tcp))
        {
            l.Socket.Dispose();
        }

        var connections = _connections.Values.ToArray();
        foreach (var c in connections)
        {
            c.Close("transport stopped");
        }

        _incoming.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loops.Concat(connections.Select(c => c.Completion))).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "SIP transport loops did not stop cleanly");
        }

        _stop.Dispose();
    }

    private sealed record Listener(SipTransportKind Transport, Socket Socket, SipEndPoint Local);
}
