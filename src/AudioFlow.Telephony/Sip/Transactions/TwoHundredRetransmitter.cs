using AudioFlow.Telephony.Sip.Messages;

namespace AudioFlow.Telephony.Sip.Transactions;

/// <summary>
/// The UAS core's 2xx reliability (RFC 3261 §13.3.1.4): sends the 2xx through the INVITE server transaction,
/// then retransmits it at T1, 2*T1, 4*T1... capped at T2, over any transport, until the ACK arrives. After 64*T1
/// without an ACK it gives up and tells the TU (<see cref="ISipTransactionUser.OnAckTimeout"/>), which should
/// send a BYE. The layer stops it when an ACK with the same Call-ID, CSeq number and From tag arrives (and passes
/// it to <see cref="ISipTransactionUser.OnAck"/>); <see cref="AckReceived"/> stops it by hand.
/// </summary>
public sealed class TwoHundredRetransmitter
{
    private readonly SipTransactionLayer _layer;
    private SipTimerHandle? _retransmitTimer;
    private SipTimerHandle? _giveUpTimer;
    private TimeSpan _interval;

    private TwoHundredRetransmitter(SipServerTransaction transaction, SipResponse response, string key)
    {
        _layer = transaction.Layer;
        Transaction = transaction;
        Response = response;
        Key = key;
    }

    public SipServerTransaction Transaction { get; }

    public SipResponse Response { get; }

    /// <summary>Retransmissions so far (the first transmission not counted).</summary>
    public int Retransmissions { get; private set; }

    public bool IsAcknowledged { get; private set; }

    public bool HasGivenUp { get; private set; }

    public bool IsRunning => !IsAcknowledged && !HasGivenUp && !IsStopped;

    private bool IsStopped { get; set; }

    internal string Key { get; }

    /// <summary>
    /// Sends <paramref name="response"/> (a 2xx to the INVITE of <paramref name="inviteTransaction"/>) and
    /// keeps retransmitting it until the ACK. Throws <see cref="InvalidOperationException"/> when the
    /// transaction can no longer send a 2xx (already answered, cancelled).
    /// </summary>
    public static TwoHundredRetransmitter Start(SipServerTransaction inviteTransaction, SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(inviteTransaction);
        ArgumentNullException.ThrowIfNull(response);
        if (!inviteTransaction.IsInvite || !response.IsSuccess)
        {
            throw new ArgumentException("Only a 2xx to an INVITE is retransmitted by the UAS core.", nameof(response));
        }

        var layer = inviteTransaction.Layer;
        lock (layer.Gate)
        {
            inviteTransaction.Respond(response);
            var retransmitter = new TwoHundredRetransmitter(inviteTransaction, response, AckKey(inviteTransaction.Request));
            retransmitter._interval = layer.Timers.T1;
            layer.Register(retransmitter);
            retransmitter._retransmitTimer = layer.Schedule(retransmitter._interval, retransmitter.OnRetransmitTimer);
            retransmitter._giveUpTimer = layer.Schedule(layer.Timers.SixtyFourT1, retransmitter.OnGiveUpTimer);
            return retransmitter;
        }
    }

    /// <summary>The ACK for this 2xx arrived: stop retransmitting.</summary>
    public void AckReceived()
    {
        lock (_layer.Gate)
        {
            if (IsRunning)
            {
                IsAcknowledged = true;
                StopTimers();
            }
        }
    }

    /// <summary>Stops without an ACK (the call ended otherwise).</summary>
    public void Stop()
    {
        lock (_layer.Gate)
        {
            IsStopped = true;
            StopTimers();
        }
    }

    private void StopTimers()
    {
        _retransmitTimer?.Cancel();
        _giveUpTimer?.Cancel();
        _layer.Unregister(this);
    }

    private void OnRetransmitTimer()
    {
        if (!IsRunning)
        {
            return;
        }

        Retransmissions++;
        SipTransactionMetrics.Retransmissions.Add(1, SipTransactionMetrics.Tag("what", "2xx"), SipTransactionMetrics.Tag("method", "INVITE"));
        _layer.SendResponse(Transaction, Response);
        _interval = _interval * 2 < _layer.Timers.T2 ? _interval * 2 : _layer.Timers.T2;
        _retransmitTimer = _layer.Schedule(_interval, OnRetransmitTimer);
    }

    private void OnGiveUpTimer()
    {
        if (!IsRunning)
        {
            return;
        }

        HasGivenUp = true;
        StopTimers();
        SipTransactionMetrics.Timeouts.Add(1, SipTransactionMetrics.Tag("timer", "2xx"), SipTransactionMetrics.Tag("method", "INVITE"));
        _layer.NotifyAckTimeout(this);
    }

    /// <summary>What an INVITE and the ACK of its 2xx share: Call-ID, CSeq number, From tag.</summary>
    internal static string AckKey(SipRequest request) =>
        $"{request.CallId}\n{request.CSeq?.Number}\n{request.From?.Tag}";

    public override string ToString() =>
        $"2xx retransmitter {Response.StatusCode} for {Transaction.Request.CallId} ({(IsAcknowledged ? "acknowledged" : HasGivenUp ? "gave up" : IsStopped ? "stopped" : "running")}, {Retransmissions} retransmissions)";
}
