using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace AudioFlow.Telephony.Sip.UserAgent;

/// <summary>
/// An address range in CIDR notation ("203.0.113.0/24", "2001:db8::/32"; a bare address is a /32 or /128). IPv4-mapped
/// IPv6 addresses match the IPv4 ranges.
/// </summary>
public sealed record IpNetwork(IPAddress Network, int PrefixLength)
{
    public static IpNetwork Parse(string text) =>
        TryParse(text, out var network) ? network : throw new FormatException($"'{text}' is not an IP address or CIDR range (e.g. 203.0.113.0/24)");

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out IpNetwork? network)
    {
        network = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        text = text.Trim();
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (addressText.StartsWith('[') && addressText.EndsWith(']'))
        {
            addressText = addressText[1..^1];
        }

        if (!IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var max = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = max;
        if (slash >= 0 && (!int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix) || prefix > max))
        {
            return false;
        }

        network = new IpNetwork(Mask(address, prefix), prefix);
        return true;
    }

    public bool Contains(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == Network.AddressFamily && Mask(address, PrefixLength).Equals(Network);
    }

    private static IPAddress Mask(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }

        return new IPAddress(bytes);
    }

    public override string ToString() => $"{Network}/{PrefixLength}";
}

/// <summary>The source addresses allowed to send requests (INVITE, OPTIONS...); others get 403. Empty allows nobody.</summary>
public sealed class IpAllowList(IEnumerable<IpNetwork> networks)
{
    /// <summary>Loopback only: 127.0.0.0/8 and ::1 (the default; operators add their trunk's addresses).</summary>
    public static IpAllowList LoopbackOnly { get; } = new([IpNetwork.Parse("127.0.0.0/8"), IpNetwork.Parse("::1")]);

    /// <summary>Everyone (tests, or a node behind a firewall that already filters).</summary>
    public static IpAllowList Everyone { get; } = new([IpNetwork.Parse("0.0.0.0/0"), IpNetwork.Parse("::/0")]);

    public IReadOnlyList<IpNetwork> Networks { get; } = networks.ToArray();

    public bool Allows(IPAddress address) => Networks.Any(n => n.Contains(address));

    public override string ToString() => string.Join(", ", Networks);
}
