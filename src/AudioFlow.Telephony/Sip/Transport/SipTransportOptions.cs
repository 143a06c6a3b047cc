using AudioFlow.Telephony.Sip.Messages;

namespace AudioFlow.Telephony.Sip.Transport;

/// <summary>One socket to listen on: a transport and an IP endpoint (port 0 picks a free port).</summary>
public sealed record SipListenEndPoint(SipTransportKind Transport, SipEndPoint EndPoint)
{
    public static SipListenEndPoint Udp(string endPoint) => new(SipTransportKind.Udp, SipEndPoint.Parse(endPoint));

    public static SipListenEndPoint Tcp(string endPoint) => new(SipTransportKind.Tcp, SipEndPoint.Parse(endPoint));

    public override string ToString() => $"{Transport.ViaToken()} {EndPoint}";
}

/// <summary>Settings of <see cref="SipTransport"/>.</summary>
public sealed class SipTransportOptions
{
    /// <summary>
    /// Where to listen: any mix of UDP and TCP, IPv4 and IPv6 (an IPv6 socket is IPv6-only, so "0.0.0.0" and
    /// "::" can both be listed). Default: 127.0.0.1:5060 over UDP and TCP. When a UDP and a TCP entry share an
    /// address and both have port 0, the transport tries to give them the same port.
    /// </summary>
    public IList<SipListenEndPoint> ListenEndPoints { get; set; } =
    [
        SipListenEndPoint.Udp("127.0.0.1:5060"),
        SipListenEndPoint.Tcp("127.0.0.1:5060"),
    ];

    /// <summary>Largest message accepted (datagram or framed stream message); larger ones are rejected (513).</summary>
    public int MaxMessageSize { get; set; } = SipParser.DefaultMaxMessageSize;

    /// <summary>A TCP connection on which nothing arrives for this long is closed (RFC 5626 CRLF pings count).</summary>
    public TimeSpan TcpIdleTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>A message started on a TCP connection must be complete within this time (64*T1), else the connection is closed.</summary>
    public TimeSpan TcpMessageTimeout { get; set; } = TimeSpan.FromSeconds(32);

    /// <summary>How long an outgoing TCP connect may take.</summary>
    public TimeSpan TcpConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Open TCP connections (both directions) beyond which new incoming ones are refused.</summary>
    public int MaxTcpConnections { get; set; } = 1024;

    /// <summary>
    /// Parsed messages waiting for the consumer. When full the receive loops wait (UDP datagrams then queue up in
    /// the kernel and are dropped there, TCP peers are slowed down).
    /// </summary>
    public int IncomingQueueCapacity { get; set; } = 4096;

    /// <summary>
    /// Drop responses whose top Via sent-by is not one this transport wrote into a request (RFC 3261 §18.1.2).
    /// </summary>
    public bool CheckResponseSentBy { get; set; } = true;

    internal void Validate()
    {
        if (ListenEndPoints is null || ListenEndPoints.Count == 0)
        {
            throw new ArgumentException("At least one listen endpoint is required.", nameof(ListenEndPoints));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageSize, 1024, nameof(MaxMessageSize));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TcpIdleTimeout, TimeSpan.Zero, nameof(TcpIdleTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TcpMessageTimeout, TimeSpan.Zero, nameof(TcpMessageTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TcpConnectTimeout, TimeSpan.Zero, nameof(TcpConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTcpConnections, 1, nameof(MaxTcpConnections));
        ArgumentOutOfRangeException.ThrowIfLessThan(IncomingQueueCapacity, 1, nameof(IncomingQueueCapacity));
    }
}
