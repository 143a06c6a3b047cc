using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioFlow.Telephony.Sip.Transactions;

/// <summary>
/// The RFC 3261 §17 transaction layer: reads the transport's messages, matches them to transactions (§17.1.3,
/// §17.2.3), runs the state machines and their timers, and hands the rest to the <see cref="ISipTransactionUser"/>.
/// <para>
/// Threading model: one lock (<see cref="Gate"/>). Received messages (one loop reading
/// <see cref="ISipTransport.Incoming"/>), timer callbacks (from the <see cref="TimeProvider"/>) and TU calls into
/// the layer all take it, so state machines and TU callbacks run one at a time, like on one logical thread. The
/// lock is re-entrant: the TU may respond or send from inside a callback. Sends are started under the lock and
/// complete asynchronously; their failures come back under the lock. Tasks returned to the TU complete with
/// <see cref="TaskCreationOptions.RunContinuationsAsynchronously"/>, so code after an <c>await</c> runs outside the
/// lock: use <see cref="Invoke"/> to get back in when the TU needs the serial context.
/// </para>
/// <para>
/// Not done: the RFC 2543 fallback matching is approximated (no magic cookie: Request-URI, From tag, Call-ID,
/// CSeq number, top Via sent-by and method, without the To tag rule for ACK); no RFC 3263 failover between
/// destinations on transport errors.
/// </para>
/// </summary>
public sealed class SipTransactionLayer : IAsyncDisposable
{
    private readonly ISipTransport _transport;
    private readonly ISipTransactionUser _user;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, SipServerTransaction> _server = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SipClientTransaction> _client = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TwoHundredRetransmitter> _retransmitters = new(StringComparer.Ordinal);
    private readonly HashSet<SipTimerHandle> _timers = [];
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private bool _disposed;

    public SipTransactionLayer(
        ISipTransport transport,
        ISipTransactionUser user,
        SipTimerSettings? timers = null,
        TimeProvider? timeProvider = null,
        ILogger? logger = null)
    {
        _transport = transport ?? throw new ArgumentNullException(nameof(transport));
        _user = user ?? throw new ArgumentNullException(nameof(user));
        Timers = timers ?? SipTimerSettings.Default;
        Timers.Validate();
        _time = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public SipTimerSettings Timers { get; }

    public TimeProvider TimeProvider => _time;

    /// <summary>The lock everything in the layer runs under (re-entrant).</summary>
    public object Gate { get; } = new();

    public int ServerTransactionCount
    {
        get
        {
            lock (Gate)
            {
                return _server.Count;
            }
        }
    }

    public int ClientTransactionCount
    {
        get
        {
            lock (Gate)
            {
                return _client.Count;
            }
        }
    }

    /// <summary>Timers scheduled and not yet fired or cancelled (tests).</summary>
    public int PendingTimerCount
    {
        get
        {
            lock (Gate)
            {
                return _timers.Count;
            }
        }
    }

    /// <summary>Starts reading the transport's messages (one loop; the layer is their only consumer).</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _loop = Task.Run(async () =>
        {
            try
            {
                await foreach (var message in _transport.Incoming.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
                    Process(message);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        });
    }

    /// <summary>Runs <paramref name="action"/> under the layer lock (serially with the TU callbacks).</summary>
    public void Invoke(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        lock (Gate)
        {
            action();
        }
    }

    // ---------------------------------------------------------------- incoming

    /// <summary>Handles one received message (the loop calls it; tests may call it directly). Never throws.</summary>
    public void Process(IncomingSipMessage incoming)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }

            try
            {
                if (incoming.Message is SipRequest request)
                {
                    OnRequest(request, incoming);
                }
                else
                {
                    OnResponse((SipResponse)incoming.Message, incoming);
                }
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "SIP message {StartLine} from {Remote} could not be handled", incoming.Message.StartLine, incoming.Remote);
            }
        }
    }

    private void OnRequest(SipRequest request, IncomingSipMessage incoming)
    {
        var key = ServerKey(request, request.Method);
        if (key is null)
        {
            _logger.LogInformation("SIP {Method} from {Remote} dropped: no usable Via or CSeq", request.Method, incoming.Remote);
            return;
        }

        switch (request.Method)
        {
            case "ACK":
                OnAck(request, incoming, key);
                return;
            case "CANCEL":
                OnCancel(request, incoming, key);
                return;
        }

        if (_server.TryGetValue(key, out var existing))
        {
            existing.OnRetransmission();
            return;
        }

        SipServerTransaction transaction = request.Method == "INVITE"
            ? new SipInviteServerTransaction(this, key, incoming)
            : new SipNonInviteServerTransaction(this, key, incoming);
        _server[key] = transaction;
        SipTransactionMetrics.Created.Add(1, SipTransactionMetrics.Tag("side", "server"), SipTransactionMetrics.Tag("method", MethodTag(request.Method)));
        try
        {
            _user.OnRequest(transaction, request, incoming);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "The TU failed on {Method} {Branch}", request.Method, transaction.Branch);
            if (!transaction.HasFinalResponse && !transaction.IsTerminated)
            {
                transaction.TryRespond(transaction.CreateResponse(500));
            }
        }

        if (transaction is SipInviteServerTransaction { IsTerminated: false, LastResponse: null } invite)
        {
            invite.StartTryingTimer();
        }
    }

    private void OnAck(SipRequest ack, IncomingSipMessage incoming, string key)
    {
        if (_server.TryGetValue(key, out var transaction) && transaction is SipInviteServerTransaction invite
            && invite.State != SipTransactionState.Accepted)
        {
            // The ACK of a non-2xx final response: part of the INVITE transaction (§17.2.1).
            invite.OnAck();
            return;
        }

        // The ACK of a 2xx is end-to-end (its own branch): the TU's.
        TwoHundredRetransmitter? retransmitter = null;
        if (_retransmitters.TryGetValue(TwoHundredRetransmitter.AckKey(ack), out var found))
        {
            retransmitter = found;
            found.AckReceived();
        }

        InvokeTu(() => _user.OnAck(ack, incoming, retransmitter));
    }

    private void OnCancel(SipRequest cancel, IncomingSipMessage incoming, string key)
    {
        if (_server.TryGetValue(key, out var existing))
        {
            existing.OnRetransmission();
            return;
        }

        var cancelTransaction = new SipNonInviteServerTransaction(this, key, incoming);
        _server[key] = cancelTransaction;
        SipTransactionMetrics.Created.Add(1, SipTransactionMetrics.Tag("side", "server"), SipTransactionMetrics.Tag("method", "CANCEL"));

        // §9.2: the CANCEL matches the INVITE transaction with the same branch and sent-by.
        var inviteKey = ServerKey(cancel, "INVITE");
        if (inviteKey is null || !_server.TryGetValue(inviteKey, out var target) || target is not SipInviteServerTransaction invite)
        {
            SipTransactionMetrics.Cancels.Add(1, SipTransactionMetrics.Tag("result", "no-transaction"));
            cancelTransaction.Respond(481);
            return;
        }

        var toTag = invite.ResponseToTag;
        cancelTransaction.Respond(SipResponseBuilder.For(cancel, 200, null, toTag));
        if (invite.TryCancel(toTag))
        {
            SipTransactionMetrics.Cancels.Add(1, SipTransactionMetrics.Tag("result", "cancelled"));
            InvokeTu(() => _user.OnCancelled(invite, cancel));
        }
        else
        {
            SipTransactionMetrics.Cancels.Add(1, SipTransactionMetrics.Tag("result", "too-late"));
        }
    }

    private void OnResponse(SipResponse response, IncomingSipMessage incoming)
    {
        var key = ClientKey(response);
        if (key is not null && _client.TryGetValue(key, out var transaction))
        {
            transaction.OnResponse(response, incoming);
            return;
        }

        if (response.IsSuccess && response.CSeq?.Method == "INVITE")
        {
            SipTransactionMetrics.StrayResponses.Add(1, SipTransactionMetrics.Tag("handling", "to-tu"));
            NotifyStrayResponse(response, incoming, null);
            return;
        }

        SipTransactionMetrics.StrayResponses.Add(1, SipTransactionMetrics.Tag("handling", "dropped"));
        _logger.LogDebug("SIP response {StartLine} from {Remote} matches no transaction: dropped", response.StartLine, incoming.Remote);
    }

    // ---------------------------------------------------------------- outgoing

    /// <summary>
    /// Sends a request in a new client transaction and returns it; its <see cref="SipClientTransaction.Response"/>
    /// gives the final response. The top Via gets a branch when it has none (the transport fills sent-by).
    /// <paramref name="onProvisional"/> is called under the layer lock for each 1xx. Cancelling
    /// <paramref name="cancellationToken"/> abandons the transaction locally (it sends no CANCEL).
    /// </summary>
    public SipClientTransaction BeginRequest(
        SipRequest request,
        SipEndPoint destination,
        SipTransportKind transport,
        Action<SipResponse>? onProvisional = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Method == "ACK")
        {
            throw new ArgumentException("An ACK has no transaction: send it with SendAckAsync.", nameof(request));
        }

        if (request.CSeq is not { } cseq || cseq.Method != request.Method)
        {
            throw new ArgumentException("The request needs a CSeq with its method.", nameof(request));
        }

        SipClientTransaction transaction;
        lock (Gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var branch = SipViaHeaders.EnsureTopViaWithBranch(request, transport);
            var key = branch + "|" + request.Method;
            if (_client.ContainsKey(key))
            {
                throw new InvalidOperationException($"A client transaction with branch {branch} and method {request.Method} already exists.");
            }

            transaction = request.Method == "INVITE"
                ? new SipInviteClientTransaction(this, key, request, destination, transport, onProvisional)
                : new SipNonInviteClientTransaction(this, key, request, destination, transport, onProvisional);
            _client[key] = transaction;
            SipTransactionMetrics.Created.Add(1, SipTransactionMetrics.Tag("side", "client"), SipTransactionMetrics.Tag("method", MethodTag(request.Method)));
            transaction.Start();
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(() =>
            {
                lock (Gate)
                {
                    transaction.Abandon();
                }
            });
            transaction.Response.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }

        return transaction;
    }

    /// <summary>
    /// Sends a request in a new client transaction and waits for its final response (the first 2xx of an
    /// INVITE; the TU then ACKs it with <see cref="SendAckAsync"/>). Throws <see cref="SipTransactionTimeoutException"/>
    /// after Timer B/F and <see cref="SipTransportException"/> when it cannot be sent.
    /// </summary>
    public Task<SipResponse> SendRequestAsync(
        SipRequest request,
        SipEndPoint destination,
        SipTransportKind transport,
        Action<SipResponse>? onProvisional = null,
        CancellationToken cancellationToken = default) =>
        BeginRequest(request, destination, transport, onProvisional, cancellationToken).Response;

    /// <summary>Sends the ACK for a 2xx (no transaction, §17.1.1.3); it gets a new branch when it has none.</summary>
    public Task SendAckAsync(SipRequest ack, SipEndPoint destination, SipTransportKind transport, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ack);
        if (ack.Method != "ACK")
        {
            throw new ArgumentException("Only ACK is sent without a transaction.", nameof(ack));
        }

        return _transport.SendRequestAsync(ack, destination, transport, cancellationToken);
    }

    // ---------------------------------------------------------------- internals used by transactions

    internal SipTimerHandle Schedule(TimeSpan due, Action callback)
    {
        var handle = new SipTimerHandle(_timers);
        _timers.Add(handle);
        handle.Timer = _time.CreateTimer(
            _ =>
            {
                lock (Gate)
                {
                    if (_disposed || !handle.TryFire())
                    {
                        return;
                    }

                    try
                    {
                        callback();
                    }
                    catch (Exception ex)
                    {
                        _logger.LogError(ex, "SIP transaction timer callback failed");
                    }
                }
            },
            null,
            due,
            Timeout.InfiniteTimeSpan);
        return handle;
    }

    internal void SendResponse(SipServerTransaction transaction, SipResponse response)
    {
        Task task;
        try
        {
            task = _transport.SendResponseAsync(response, transaction.Source.Flow);
        }
        catch (Exception ex)
        {
            task = Task.FromException(ex);
        }

        if (!task.IsCompletedSuccessfully)
        {
            task.ContinueWith(
                t =>
                {
                    var error = t.Exception?.GetBaseException() ?? new OperationCanceledException();
                    _logger.LogWarning("SIP {Status} for {Method} to {Remote} not sent: {Error}", response.StatusCode, transaction.Method, transaction.Source.Remote, error.Message);
                    lock (Gate)
                    {
                        transaction.OnTransportError(error);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.NotOnRanToCompletion,
                TaskScheduler.Default);
        }
    }

    internal void SendRequest(SipClientTransaction transaction, SipRequest request)
    {
        Task<SipFlow> task;
        try
        {
            task = _transport.SendRequestAsync(request, transaction.Destination, transaction.Transport);
        }
        catch (Exception ex)
        {
            task = Task.FromException<SipFlow>(ex);
        }

        task.ContinueWith(
            t =>
            {
                lock (Gate)
                {
                    if (t.IsCompletedSuccessfully)
                    {
                        transaction.Flow ??= t.Result;
                        return;
                    }

                    var error = t.Exception?.GetBaseException() ?? new OperationCanceledException();
                    _logger.LogWarning("SIP {Method} to {Destination} not sent: {Error}", request.Method, transaction.Destination, error.Message);
                    transaction.OnTransportError(error);
                }
            },
            TaskScheduler.Default);
    }

    internal void Remove(SipTransaction transaction)
    {
        if (transaction is SipServerTransaction server)
        {
            if (_server.TryGetValue(server.Key, out var current) && ReferenceEquals(current, server))
            {
                _server.Remove(server.Key);
            }
        }
        else if (_client.TryGetValue(transaction.Key, out var client) && ReferenceEquals(client, transaction))
        {
            _client.Remove(transaction.Key);
        }
    }

    internal void Register(TwoHundredRetransmitter retransmitter)
    {
        if (_retransmitters.Remove(retransmitter.Key, out var previous))
        {
            previous.Stop();
        }

        _retransmitters[retransmitter.Key] = retransmitter;
    }

    internal void Unregister(TwoHundredRetransmitter retransmitter)
    {
        if (_retransmitters.TryGetValue(retransmitter.Key, out var current) && ReferenceEquals(current, retransmitter))
        {
            _retransmitters.Remove(retransmitter.Key);
        }
    }

    internal void InvokeTu(Action action)
    {
        try
        {
            action();
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "The SIP transaction user threw");
        }
    }

    internal void NotifyTimeout(SipTransaction transaction) => InvokeTu(() => _user.OnTransactionTimeout(transaction));

    internal void NotifyTransportError(SipTransaction transaction, Exception error) => InvokeTu(() => _user.OnTransportError(transaction, error));

    internal void NotifyAckTimeout(TwoHundredRetransmitter retransmitter) => InvokeTu(() => _user.OnAckTimeout(retransmitter));

    internal void NotifyStrayResponse(SipResponse response, IncomingSipMessage source, SipClientTransaction? transaction) =>
        InvokeTu(() => _user.OnStrayResponse(response, source, transaction));

    /// <summary>Finds a live server transaction by the key of a request (tests, diagnostics).</summary>
    public SipServerTransaction? FindServerTransaction(SipRequest request)
    {
        lock (Gate)
        {
            var key = ServerKey(request, request.Method);
            return key is not null && _server.TryGetValue(key, out var transaction) ? transaction : null;
        }
    }

    // ---------------------------------------------------------------- matching

    /// <summary>
    /// §17.2.3: branch (with the magic cookie), sent-by and method, ACK counting as INVITE. Without the cookie
    /// (RFC 2543 peers) an approximation: Request-URI, From tag, Call-ID, CSeq number, sent-by, method.
    /// </summary>
    internal static string? ServerKey(SipRequest request, string method)
    {
        var via = request.TopVia;
        if (via is null)
        {
            return null;
        }

        var keyMethod = method == "ACK" ? "INVITE" : method;
        var sentBy = via.Host.ToLowerInvariant() + ":" + (via.Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");
        if (via.HasRfc3261Branch)
        {
            return $"{via.Branch}|{sentBy}|{keyMethod}";
        }

        if (request.CSeq is not { } cseq)
        {
            return null;
        }

        return $"2543|{request.RequestUri}|{request.From?.Tag}|{request.CallId}|{cseq.Number}|{sentBy}|{via.Branch}|{keyMethod}";
    }

    /// <summary>§17.1.3: the top Via branch and the CSeq method.</summary>
    internal static string? ClientKey(SipResponse response)
    {
        var branch = response.TopVia?.Branch;
        var method = response.CSeq?.Method;
        return branch is null || method is null ? null : branch + "|" + method;
    }

    private static string MethodTag(string method) => method switch
    {
        "INVITE" or "ACK" or "BYE" or "CANCEL" or "OPTIONS" or "REGISTER" or "REFER" or "NOTIFY" or "SUBSCRIBE" or "INFO" or "UPDATE" or "PRACK" or "MESSAGE" => method,
        _ => "other",
    };

    // ---------------------------------------------------------------- shutdown

    /// <summary>
    /// Stops the loop, cancels every timer and ends every transaction (pending client tasks fail). Does not
    /// dispose the transport, which belongs to the caller.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        lock (Gate)
        {
            if (_disposed)
            {
                return;
            }

            foreach (var transaction in _server.Values.Cast<SipTransaction>().Concat(_client.Values).ToArray())
            {
                transaction.Terminate("layer stopped");
            }

            foreach (var retransmitter in _retransmitters.Values.ToArray())
            {
                retransmitter.Stop();
            }

            foreach (var handle in _timers.ToArray())
            {
                handle.Cancel();
            }
            _disposed = true;
        }

        _stop.Cancel();
        try
        {
            await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogDebug(ex, "SIP transaction loop did not stop cleanly");
        }

        _stop.Dispose();
    }
}
