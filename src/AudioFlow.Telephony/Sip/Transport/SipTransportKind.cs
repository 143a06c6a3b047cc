namespace AudioFlow.Telephony.Sip.Transport;

/// <summary>
/// The transport protocols of RFC 3261 §18 that AudioFlow speaks. TLS is designed for (a TLS connection is a TCP
/// connection with an SslStream around it, default port 5061, "TLS" in Via) but not built yet.
/// </summary>
public enum SipTransportKind
{
    Udp,
    Tcp,
}

public static class SipTransportKindExtensions
{
    /// <summary>The Via transport token (RFC 3261 §20.42): "UDP", "TCP".</summary>
    public static string ViaToken(this SipTransportKind kind) => kind switch
    {
        SipTransportKind.Udp => "UDP",
        SipTransportKind.Tcp => "TCP",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Reliable transports need no retransmissions at the transaction layer (RFC 3261 §17).</summary>
    public static bool IsReliable(this SipTransportKind kind) => kind != SipTransportKind.Udp;

    /// <summary>The default port when a URI or Via names none (5060; 5061 would be TLS).</summary>
    public static int DefaultPort(this SipTransportKind kind) => 5060;

    /// <summary>Parses a Via transport token; false for transports this stack does not speak (TLS, SCTP, WS...).</summary>
    public static bool TryParseViaToken(string? token, out SipTransportKind kind)
    {
        switch (token?.ToUpperInvariant())
        {
            case "UDP":
                kind = SipTransportKind.Udp;
                return true;
            case "TCP":
                kind = SipTransportKind.Tcp;
                return true;
            default:
                kind = default;
                return false;
        }
    }
}
