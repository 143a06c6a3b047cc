using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transport;

namespace AudioFlow.Telephony.Sip.Transactions;

/// <summary>
/// A client transaction (RFC 3261 §17.1) for a request the UA sends. <see cref="Response"/> completes with the
/// final response (the first 2xx for an INVITE), or fails with <see cref="SipTransactionTimeoutException"/>
/// (Timer B/F) or <see cref="SipTransportException"/>; provisional responses go to the callback given when the
/// request was sent.
/// </summary>
public abstract class SipClientTransaction : SipTransaction
{
    private readonly TaskCompletionSource<SipResponse> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Action<SipResponse>? _onProvisional;

    private protected SipClientTransaction(
        SipTransactionLayer layer, string key, SipRequest request, SipEndPoint destination, SipTransportKind transport, Action<SipResponse>? onProvisional)
        : base(layer, key, request, transport)
    {
        Destination = destination;
        _onProvisional = onProvisional;
    }

    public override bool IsServer => false;

    public SipEndPoint Destination { get; }

    /// <summary>The flow of the first transmission (known once the transport has sent it).</summary>
    public SipFlow? Flow { get; internal set; }

    /// <summary>Completes with the final response; runs continuations outside the layer lock.</summary>
    public Task<SipResponse> Response => _response.Task;

    public SipResponse? LastResponse { get; private protected set; }

    /// <summary>How many times the request was retransmitted (Timer A or E).</summary>
    public int Retransmissions { get; private protected set; }

    internal abstract void Start();

    internal abstract void OnResponse(SipResponse response, IncomingSipMessage source);

    private protected void SendRequest(SipRequest request, bool retransmission)
    {
        if (retransmission)
        {
            Retransmissions++;
            SipTransactionMetrics.Retransmissions.Add(1, SipTransactionMetrics.Tag("what", "request"), SipTransactionMetrics.Tag("method", Method));
        }

        Layer.SendRequest(this, request);
    }

    private protected void ReportProvisional(SipResponse response)
    {
        if (_onProvisional is not null)
        {
            Layer.InvokeTu(() => _onProvisional(response));
        }
    }

    private protected void Complete(SipResponse response) => _response.TrySetResult(response);

    private protected void TimeOut(string timer)
    {
        SipTransactionMetrics.Timeouts.Add(1, SipTransactionMetrics.Tag("timer", timer), SipTransactionMetrics.Tag("method", Method));
        _response.TrySetException(new SipTransactionTimeoutException(this, timer));
        Terminate("timer " + timer);
    }

    internal void OnTransportError(Exception error)
    {
        if (IsTerminated)
        {
            return;
        }

        _response.TrySetException(error as SipTransportException ?? new SipTransportException(error.Message, error));
        Terminate("transport error");
    }

    internal void Abandon()
    {
        if (_response.TrySetCanceled())
        {
            Terminate("abandoned");
        }
    }

    private protected override void OnTerminated() =>
        _response.TrySetException(new SipTransportException($"The {Method} transaction ended without a final response ({TerminationReason})."));
}

/// <summary>
/// The INVITE client transaction (§17.1.1, Figure 5, with RFC 6026's Accepted state): Calling (Timer A
/// retransmits over UDP, doubling; Timer B = 64*T1 times out) → Proceeding (provisional) → Completed (non-2xx:
/// the transaction ACKs it, and again for every retransmission, for Timer D) or Accepted (2xx: the TU ACKs; later
/// 2xx go to <see cref="ISipTransactionUser.OnStrayResponse"/> for Timer M) → Terminated.
/// </summary>
public sealed class SipInviteClientTransaction : SipClientTransaction
{
    private TimeSpan _timerA;
    private SipRequest? _ack;

    internal SipInviteClientTransaction(
        SipTransactionLayer layer, string key, SipRequest request, SipEndPoint destination, SipTransportKind transport, Action<SipResponse>? onProvisional)
        : base(layer, key, request, destination, transport, onProvisional)
    {
        State = SipTransactionState.Calling;
    }

    /// <summary>The ACK this transaction sent for a non-2xx final response.</summary>
    public SipRequest? Ack => _ack;

    internal override void Start()
    {
        SendRequest(Request, retransmission: false);
        if (!IsReliable)
        {
            _timerA = Timers.TimerA;
            StartTimer("A", _timerA, OnTimerA);
        }

        StartTimer("B", Timers.TimerB, () => TimeOut("B"));
    }

    private void OnTimerA()
    {
        if (State != SipTransactionState.Calling)
        {
            return;
        }

        SendRequest(Request, retransmission: true);
        _timerA *= 2;
        StartTimer("A", _timerA, OnTimerA);
    }

    internal override void OnResponse(SipResponse response, IncomingSipMessage source)
    {
        switch (State)
        {
            case SipTransactionState.Calling or SipTransactionState.Proceeding:
                LastResponse = response;
                if (response.IsProvisional)
                {
                    State = SipTransactionState.Proceeding;
                    StopTimer("A");
                    StopTimer("B");
                    ReportProvisional(response);
                }
                else if (response.IsSuccess)
                {
                    State = SipTransactionState.Accepted;
                    StopTimer("A");
                    StopTimer("B");
                    StartTimer("M", Timers.TimerM, () => Terminate("timer M"));
                    Complete(response);
                }
                else
                {
                    State = SipTransactionState.Completed;
                    StopTimer("A");
                    StopTimer("B");
                    _ack = SipRequests.CreateAckForNonSuccess(Request, response);
                    SendRequest(_ack, retransmission: false);
                    Complete(response);
                    TerminateAfter("D", IsReliable ? TimeSpan.Zero : Timers.TimerD, "timer D");
                }

                break;
            case SipTransactionState.Completed when !response.IsProvisional && !response.IsSuccess:
                // The final response again: our ACK was lost.
                SipTransactionMetrics.Absorbed.Add(1, SipTransactionMetrics.Tag("what", "response"), SipTransactionMetrics.Tag("method", Method));
                SipTransactionMetrics.Retransmissions.Add(1, SipTransactionMetrics.Tag("what", "ack"), SipTransactionMetrics.Tag("method", Method));
                Layer.SendRequest(this, _ack!);
                break;
            case SipTransactionState.Accepted when response.IsSuccess:
                SipTransactionMetrics.StrayResponses.Add(1, SipTransactionMetrics.Tag("handling", "to-tu"));
                Layer.NotifyStrayResponse(response, source, this);
                break;
            default:
                SipTransactionMetrics.Absorbed.Add(1, SipTransactionMetrics.Tag("what", "response"), SipTransactionMetrics.Tag("method", Method));
                break;
        }
    }
}

/// <summary>
/// The non-INVITE client transaction (§17.1.2, Figure 6): Trying (Timer E retransmits over UDP at T1, doubling up
/// to T2; Timer F = 64*T1 times out) → Proceeding (provisional; retransmissions every T2) → Completed (final;
/// Timer K = T4 absorbs retransmitted responses) → Terminated.
/// </summary>
public sealed class SipNonInviteClientTransaction : SipClientTransaction
{
    private TimeSpan _timerE;

    internal SipNonInviteClientTransaction(
        SipTransactionLayer layer, string key, SipRequest request, SipEndPoint destination, SipTransportKind transport, Action<SipResponse>? onProvisional)
        : base(layer, key, request, destination, transport, onProvisional)
    {
        State = SipTransactionState.Trying;
    }

    internal override void Start()
    {
        SendRequest(Request, retransmission: false);
        if (!IsReliable)
        {
            _timerE = Timers.TimerE;
            StartTimer("E", _timerE, OnTimerE);
        }

        StartTimer("F", Timers.TimerF, () => TimeOut("F"));
    }

    private void OnTimerE()
    {
        SendRequest(Request, retransmission: true);
        _timerE = State == SipTransactionState.Proceeding ? Timers.T2 : (_timerE * 2 < Timers.T2 ? _timerE * 2 : Timers.T2);
        StartTimer("E", _timerE, OnTimerE);
    }

    internal override void OnResponse(SipResponse response, IncomingSipMessage source)
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
        {
            SipTransactionMetrics.Absorbed.Add(1, SipTransactionMetrics.Tag("what", "response"), SipTransactionMetrics.Tag("method", Method));
            return;
        }

        LastResponse = response;
        if (response.IsProvisional)
        {
            State = SipTransactionState.Proceeding;
            ReportProvisional(response);
            return;
        }

        State = SipTransactionState.Completed;
        StopTimer("E");
        StopTimer("F");
        Complete(response);
        TerminateAfter("K", IsReliable ? TimeSpan.Zero : Timers.TimerK, "timer K");
    }
}

/// <summary>A client transaction got no final response in time (Timer B or F, 64*T1): treat as 408 (§8.1.3.1).</summary>
public sealed class SipTransactionTimeoutException(SipClientTransaction transaction, string timer)
    : TimeoutException($"No final response to {transaction.Method} (branch {transaction.Branch}) before timer {timer} fired.")
{
    public SipClientTransaction Transaction { get; } = transaction;

    /// <summary>"B" (INVITE) or "F" (non-INVITE).</summary>
    public string Timer { get; } = timer;
}
