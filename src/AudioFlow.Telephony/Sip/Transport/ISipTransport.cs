using System.Threading.Channels;
using AudioFlow.Telephony.Sip.Messages;

namespace AudioFlow.Telephony.Sip.Transport;

/// <summary>
/// What the transaction layer needs from a transport (RFC 3261 §18): a stream of received messages and two ways to
/// send. <see cref="SipTransport"/> is the real one; tests substitute their own.
/// </summary>
public interface ISipTransport
{
    /// <summary>Every parsed message, in arrival order per socket/connection. One consumer reads it.</summary>
    ChannelReader<IncomingSipMessage> Incoming { get; }

    /// <summary>
    /// Sends a request to <paramref name="destination"/> (§18.1.1). The top Via (added when missing) gets the
    /// transport token and the sent-by actually used, and a branch when it has none. Over TCP an open connection
    /// to the destination is reused, else one is opened. Returns the flow used.
    /// Throws <see cref="SipTransportException"/> when the message cannot be sent.
    /// </summary>
    Task<SipFlow> SendRequestAsync(SipRequest request, SipEndPoint destination, SipTransportKind transport, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends a response to a request that arrived on <paramref name="requestFlow"/>, routed by the response's top
    /// Via (§18.2.2, RFC 3581): over TCP on the same connection while it is open, else on a new connection to
    /// received/sent-by; over UDP from the socket the request came in on to received:rport when rport is there,
    /// else to received (or sent-by host) and the sent-by port.
    /// </summary>
    Task SendResponseAsync(SipResponse response, SipFlow requestFlow, CancellationToken cancellationToken = default);
}

/// <summary>A message could not be sent (no listener for the address family, connect refused, socket error...).</summary>
public sealed class SipTransportException : Exception
{
    public SipTransportException(string message)
        : base(message)
    {
    }

    public SipTransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
