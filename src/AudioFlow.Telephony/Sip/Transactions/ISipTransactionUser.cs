using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transport;

namespace AudioFlow.Telephony.Sip.Transactions;

/// <summary>
/// The transaction user (the UA core above the transaction layer, RFC 3261 §17). Every method is called by
/// <see cref="SipTransactionLayer"/> while it holds its lock: calls never overlap, and the TU may call back into
/// the layer (respond, send requests) from inside them. The TU must not block in them (no <c>.Result</c>, no
/// waiting on the network): start asynchronous work and respond later through the transaction.
/// </summary>
public interface ISipTransactionUser
{
    /// <summary>
    /// A new request (never ACK or CANCEL) and its server transaction. Answer with
    /// <see cref="SipServerTransaction.Respond(SipResponse)"/>, now or later; an INVITE not answered within
    /// <see cref="SipTimerSettings.TryingDelay"/> gets a 100 Trying from the transaction. A 2xx to an INVITE is
    /// best sent with <see cref="TwoHundredRetransmitter.Start"/>, which also retransmits it until the ACK.
    /// </summary>
    void OnRequest(SipServerTransaction transaction, SipRequest request, IncomingSipMessage source);

    /// <summary>
    /// An ACK that no INVITE server transaction absorbed: the ACK for a 2xx (end-to-end, §17.2.3) or a stray one.
    /// When a <see cref="TwoHundredRetransmitter"/> was running for that INVITE (same Call-ID, CSeq number and
    /// From tag) it has been stopped and is passed here.
    /// </summary>
    void OnAck(SipRequest ack, IncomingSipMessage source, TwoHundredRetransmitter? retransmitter);

    /// <summary>
    /// A CANCEL matched an INVITE server transaction that had no final response yet (§9.2): the layer has already
    /// answered the CANCEL with 200 and the INVITE with 487. Stop whatever the INVITE started.
    /// </summary>
    void OnCancelled(SipServerTransaction inviteTransaction, SipRequest cancel);

    /// <summary>
    /// Timer H fired: an INVITE server transaction's final non-2xx response was never acknowledged; the
    /// transaction is terminated. (Client transactions report timeouts through their task.)
    /// </summary>
    void OnTransactionTimeout(SipTransaction transaction);

    /// <summary>
    /// A 2xx was retransmitted for 64*T1 without an ACK (§13.3.1.4): the dialog is confirmed but the session
    /// should be ended with a BYE.
    /// </summary>
    void OnAckTimeout(TwoHundredRetransmitter retransmitter);

    /// <summary>
    /// A 2xx to an INVITE that no waiting transaction takes: a retransmission (or another fork's answer) while the
    /// INVITE client transaction is Accepted (<paramref name="transaction"/> set) or after it ended (null). The UAC
    /// core must ACK every such 2xx again (§13.2.2.4). Other stray responses are dropped and counted.
    /// </summary>
    void OnStrayResponse(SipResponse response, IncomingSipMessage source, SipClientTransaction? transaction)
    {
    }

    /// <summary>A response of a server transaction could not be sent; the transaction is terminated (§17.2.4).</summary>
    void OnTransportError(SipTransaction transaction, Exception error)
    {
    }
}
