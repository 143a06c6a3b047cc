using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transport;

namespace AudioFlow.Telephony.Sip.Transactions;

/// <summary>
/// A server transaction (RFC 3261 §17.2): the TU answers the request through it; retransmitted requests are
/// absorbed and answered with the last response; final responses are retransmitted as the RFC says.
/// </summary>
public abstract class SipServerTransaction : SipTransaction
{
    private protected SipServerTransaction(SipTransactionLayer layer, string key, IncomingSipMessage source)
        : base(layer, key, (SipRequest)source.Message, source.Transport)
    {
        Source = source;
    }

    public override bool IsServer => true;

    /// <summary>Where the request came from: responses go back along this flow (§18.2.2).</summary>
    public IncomingSipMessage Source { get; }

    /// <summary>
    /// The To tag <see cref="CreateResponse"/> adds (random, made once). A dialog-forming TU can use it as its
    /// local tag. Requests whose To already has a tag keep theirs.
    /// </summary>
    public string LocalTag { get; } = SipViaHeaders.NewTag();

    /// <summary>The most recent response sent (provisional or final).</summary>
    public SipResponse? LastResponse { get; private protected set; }

    public SipResponse? FinalResponse { get; private protected set; }

    public bool HasFinalResponse => FinalResponse is not null;

    /// <summary>True when a CANCEL terminated this INVITE with a 487.</summary>
    public bool IsCancelled { get; internal set; }

    /// <summary>A response to <see cref="SipTransaction.Request"/> (§8.2.6), with <see cref="LocalTag"/> unless it is a 100.</summary>
    public SipResponse CreateResponse(int statusCode, string? reasonPhrase = null) =>
        SipResponseBuilder.For(Request, statusCode, reasonPhrase, statusCode == 100 ? null : LocalTag);

    /// <summary>Sends a response. Throws <see cref="InvalidOperationException"/> when the state does not allow it.</summary>
    public void Respond(SipResponse response)
    {
        if (!TryRespond(response))
        {
            throw new InvalidOperationException($"Cannot send {response.StatusCode} in {this}.");
        }
    }

    public void Respond(int statusCode, string? reasonPhrase = null) => Respond(CreateResponse(statusCode, reasonPhrase));

    /// <summary>
    /// Sends a response; false when the state does not allow it (already answered finally, cancelled,
    /// terminated), which can happen when a CANCEL or a timeout overtook the TU.
    /// </summary>
    public bool TryRespond(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        lock (Layer.Gate)
        {
            return RespondLocked(response);
        }
    }

    private protected abstract bool RespondLocked(SipResponse response);

    /// <summary>The same request arrived again.</summary>
    internal abstract void OnRetransmission();

    private protected void Send(SipResponse response, bool retransmission)
    {
        if (retransmission)
        {
            SipTransactionMetrics.Retransmissions.Add(1, SipTransactionMetrics.Tag("what", "response"), SipTransactionMetrics.Tag("method", Method));
        }

        Layer.SendResponse(this, response);
    }

    private protected void Absorbed() =>
        SipTransactionMetrics.Absorbed.Add(1, SipTransactionMetrics.Tag("what", "request"), SipTransactionMetrics.Tag("method", Method));

    /// <summary>The transport could not send a response (§17.2.4).</summary>
    internal void OnTransportError(Exception error)
    {
        if (!IsTerminated)
        {
            Terminate("transport error");
            Layer.NotifyTransportError(this, error);
        }
    }
}

/// <summary>
/// The INVITE server transaction (§17.2.1, Figure 7, with RFC 6026's Accepted state): Proceeding → Completed
/// (non-2xx; Timer G retransmits it until the ACK, Timer H gives up) → Confirmed (Timer I) → Terminated; or
/// Proceeding → Accepted (2xx; Timer L) → Terminated. The 2xx itself is retransmitted by the TU
/// (<see cref="TwoHundredRetransmitter"/>); its ACK goes to the TU.
/// </summary>
public sealed class SipInviteServerTransaction : SipServerTransaction
{
    private TimeSpan _timerG;

    internal SipInviteServerTransaction(SipTransactionLayer layer, string key, IncomingSipMessage source)
        : base(layer, key, source)
    {
        State = SipTransactionState.Proceeding;
    }

    /// <summary>The last provisional response (sent again when the INVITE is retransmitted, and source of the 487's tag).</summary>
    public SipResponse? LastProvisional { get; private set; }

    /// <summary>Number of times the final response was retransmitted by Timer G or for a retransmitted INVITE.</summary>
    public int FinalRetransmissions { get; private set; }

    internal void StartTryingTimer()
    {
        if (Timers.TryingDelay <= TimeSpan.Zero)
        {
            SendTryingIfSilent();
        }
        else
        {
            StartTimer("Trying", Timers.TryingDelay, SendTryingIfSilent);
        }
    }

    private void SendTryingIfSilent()
    {
        if (State == SipTransactionState.Proceeding && LastResponse is null)
        {
            RespondLocked(CreateResponse(100));
        }
    }

    private protected override bool RespondLocked(SipResponse response)
    {
        switch (State)
        {
            case SipTransactionState.Proceeding:
                LastResponse = response;
                if (response.IsProvisional)
                {
                    StopTimer("Trying");
                    LastProvisional = response;
                    Send(response, retransmission: false);
                }
                else if (response.IsSuccess)
                {
                    StopTimer("Trying");
                    FinalResponse = response;
                    State = SipTransactionState.Accepted;
                    Send(response, retransmission: false);
                    TerminateAfter("L", Timers.TimerL, "timer L");
                }
                else
                {
                    StopTimer("Trying");
                    FinalResponse = response;
                    State = SipTransactionState.Completed;
                    Send(response, retransmission: false);
                    if (!IsReliable)
                    {
                        _timerG = Timers.TimerG;
                        StartTimer("G", _timerG, OnTimerG);
                    }

                    StartTimer("H", Timers.TimerH, OnTimerH);
                }

                return true;
            case SipTransactionState.Accepted when response.IsSuccess:
                // The TU retransmitting its 2xx (RFC 6026 §7.1: 2xx from the TU are passed on in Accepted).
                LastResponse = response;
                Send(response, retransmission: true);
                return true;
            default:
                return false;
        }
    }

    private void OnTimerG()
    {
        FinalRetransmissions++;
        Send(FinalResponse!, retransmission: true);
        _timerG = _timerG * 2 < Timers.T2 ? _timerG * 2 : Timers.T2;
        StartTimer("G", _timerG, OnTimerG);
    }

    private void OnTimerH()
    {
        SipTransactionMetrics.Timeouts.Add(1, SipTransactionMetrics.Tag("timer", "H"), SipTransactionMetrics.Tag("method", Method));
        Terminate("timer H");
        Layer.NotifyTimeout(this);
    }

    internal override void OnRetransmission()
    {
        Absorbed();
        switch (State)
        {
            case SipTransactionState.Proceeding when LastResponse is not null:
                Send(LastResponse, retransmission: true);
                break;
            case SipTransactionState.Completed:
                FinalRetransmissions++;
                Send(FinalResponse!, retransmission: true);
                break;
        }
    }

    /// <summary>An ACK with this transaction's branch: confirms a non-2xx final response.</summary>
    internal void OnAck()
    {
        switch (State)
        {
            case SipTransactionState.Completed:
                State = SipTransactionState.Confirmed;
                StopTimer("G");
                StopTimer("H");
                TerminateAfter("I", IsReliable ? TimeSpan.Zero : Timers.TimerI, "timer I");
                break;
            default:
                SipTransactionMetrics.Absorbed.Add(1, SipTransactionMetrics.Tag("what", "ack"), SipTransactionMetrics.Tag("method", Method));
                break;
        }
    }

    /// <summary>CANCEL handling (§9.2): 487 when no final response went out yet.</summary>
    internal bool TryCancel(string toTag)
    {
        if (State != SipTransactionState.Proceeding)
        {
            return false;
        }

        IsCancelled = true;
        RespondLocked(SipResponseBuilder.For(Request, 487, null, toTag));
        return true;
    }

    /// <summary>The To tag the INVITE's responses carry (the last provisional's, else <see cref="SipServerTransaction.LocalTag"/>).</summary>
    internal string ResponseToTag => LastProvisional?.To?.Tag ?? Request.To?.Tag ?? LocalTag;
}

/// <summary>
/// The non-INVITE server transaction (§17.2.2, Figure 8): Trying → Proceeding (provisional) → Completed (final;
/// Timer J = 64*T1 over UDP absorbs retransmissions and answers them with the final response) → Terminated.
/// </summary>
public sealed class SipNonInviteServerTransaction : SipServerTransaction
{
    internal SipNonInviteServerTransaction(SipTransactionLayer layer, string key, IncomingSipMessage source)
        : base(layer, key, source)
    {
        State = SipTransactionState.Trying;
    }

    private protected override bool RespondLocked(SipResponse response)
    {
        if (State is not (SipTransactionState.Trying or SipTransactionState.Proceeding))
        {
            return false;
        }

        LastResponse = response;
        Send(response, retransmission: false);
        if (response.IsProvisional)
        {
            State = SipTransactionState.Proceeding;
        }
        else
        {
            FinalResponse = response;
            State = SipTransactionState.Completed;
            TerminateAfter("J", IsReliable ? TimeSpan.Zero : Timers.TimerJ, "timer J");
        }

        return true;
    }

    internal override void OnRetransmission()
    {
        Absorbed();
        if (State is SipTransactionState.Proceeding or SipTransactionState.Completed && LastResponse is not null)
        {
            Send(LastResponse, retransmission: true);
        }
    }
}
