using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace AudioFlow.Telephony.Sip.Transport;

/// <summary>
/// An IP address and port. IPv4-mapped IPv6 addresses are normalised to IPv4 so that endpoints compare equal
/// whichever socket saw them.
/// </summary>
public readonly record struct SipEndPoint
{
    public SipEndPoint(IPAddress address, int port)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, IPEndPoint.MaxPort);
        Address = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        Port = port;
    }

    public IPAddress Address { get; }

    public int Port { get; }

    public AddressFamily AddressFamily => Address.AddressFamily;

    public bool IsIPv6 => Address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>The host as written in SIP (Via sent-by, URI host): IPv6 in brackets, no zone index.</summary>
    public string HostText => IsIPv6 ? "[" + AddressText + "]" : AddressText;

    /// <summary>The address without brackets or zone index (the form of a Via <c>received</c> parameter).</summary>
    public string AddressText
    {
        get
        {
            if (!IsIPv6 || Address.ScopeId == 0)
            {
                return Address.ToString();
            }

            var text = Address.ToString();
            var percent = text.IndexOf('%');
            return percent < 0 ? text : text[..percent];
        }
    }

    public IPEndPoint ToIPEndPoint() => new(Address, Port);

    public static SipEndPoint FromIPEndPoint(IPEndPoint endPoint)
    {
        ArgumentNullException.ThrowIfNull(endPoint);
        return new SipEndPoint(endPoint.Address, endPoint.Port);
    }

    /// <summary>Parses "127.0.0.1:5060", "[::1]:5060" (a bare address gets port 5060).</summary>
    public static SipEndPoint Parse(string text) =>
        TryParse(text, out var endPoint) ? endPoint : throw new FormatException($"Invalid IP endpoint: '{text}'");

    public static bool TryParse([NotNullWhen(true)] string? text, out SipEndPoint endPoint)
    {
        endPoint = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var colons = text.Count(c => c == ':');
        var withPort = text.StartsWith('[') ? text.Contains("]:", StringComparison.Ordinal) : colons == 1;
        if (withPort)
        {
            if (!IPEndPoint.TryParse(text, out var ep))
            {
                return false;
            }

            endPoint = new SipEndPoint(ep.Address, ep.Port);
            return true;
        }

        var bare = text.StartsWith('[') && text.EndsWith(']') ? text[1..^1] : text;
        if (bare.Contains('[') || bare.Contains(']') || !IPAddress.TryParse(bare, out var address))
        {
            return false;
        }

        endPoint = new SipEndPoint(address, 5060);
        return true;
    }

    public override string ToString() => $"{HostText}:{Port}";
}

/// <summary>
/// Where a message came from or went to: the transport, both ends, and for TCP the connection it used
/// (<see cref="ConnectionId"/> 0 for UDP). Responses to a request go back along the flow it arrived on.
/// </summary>
public readonly record struct SipFlow(SipTransportKind Transport, SipEndPoint Local, SipEndPoint Remote, long ConnectionId)
{
    public override string ToString() =>
        $"{Transport.ViaToken()} {Local} <-> {Remote}" + (ConnectionId != 0 ? $" (connection {ConnectionId})" : "");
}
