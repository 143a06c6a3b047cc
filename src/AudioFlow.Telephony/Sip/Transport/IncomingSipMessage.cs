using AudioFlow.Telephony.Sip.Messages;

namespace AudioFlow.Telephony.Sip.Transport;

/// <summary>
/// A parsed message as the transport hands it up. For requests the top Via already carries <c>received</c> and
/// <c>rport</c> as RFC 3261 §18.2.1 and RFC 3581 §4 require. <paramref name="ConnectionId"/> is 0 for UDP.
/// </summary>
public sealed record IncomingSipMessage(
    SipMessage Message,
    SipEndPoint Remote,
    SipEndPoint Local,
    SipTransportKind Transport,
    long ConnectionId)
{
    /// <summary>The flow the message arrived on: where responses to it go back (§18.2.2).</summary>
    public SipFlow Flow => new(Transport, Local, Remote, ConnectionId);

    public SipRequest? Request => Message as SipRequest;

    public SipResponse? Response => Message as SipResponse;

    public override string ToString() =>
        $"{Message.StartLine} from {Remote} over {Transport.ViaToken()}" + (ConnectionId != 0 ? $" (connection {ConnectionId})" : "");
}
