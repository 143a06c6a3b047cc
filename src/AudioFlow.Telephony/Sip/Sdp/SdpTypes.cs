using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Numerics;

namespace AudioFlow.Telephony.Sip.Sdp;

/// <summary>Media direction attributes (RFC 8866 §6.7); absent means <see cref="SendRecv"/>.</summary>
public enum SdpDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

public static class SdpDirectionExtensions
{
    /// <summary>The attribute name: sendrecv, sendonly, recvonly, inactive.</summary>
    public static string ToAttributeName(this SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => "sendonly",
        SdpDirection.RecvOnly => "recvonly",
        SdpDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    /// <summary>Parses a direction attribute name (case-insensitive).</summary>
    public static bool TryParse(string? name, out SdpDirection direction)
    {
        switch (name?.ToLowerInvariant())
        {
            case "sendrecv": direction = SdpDirection.SendRecv; return true;
            case "sendonly": direction = SdpDirection.SendOnly; return true;
            case "recvonly": direction = SdpDirection.RecvOnly; return true;
            case "inactive": direction = SdpDirection.Inactive; return true;
            default: direction = SdpDirection.SendRecv; return false;
        }
    }

    /// <summary>True for sendrecv and sendonly: the side that wrote it sends media.</summary>
    public static bool Sends(this SdpDirection direction) => direction is SdpDirection.SendRecv or SdpDirection.SendOnly;

    /// <summary>True for sendrecv and recvonly: the side that wrote it receives media.</summary>
    public static bool Receives(this SdpDirection direction) => direction is SdpDirection.SendRecv or SdpDirection.RecvOnly;

    public static SdpDirection FromFlags(bool sends, bool receives) => (sends, receives) switch
    {
        (true, true) => SdpDirection.SendRecv,
        (true, false) => SdpDirection.SendOnly,
        (false, true) => SdpDirection.RecvOnly,
        _ => SdpDirection.Inactive,
    };

    /// <summary>The same direction seen from the other side (sendonly ↔ recvonly): the widest answer allowed (RFC 3264 §6.1).</summary>
    public static SdpDirection Reverse(this SdpDirection direction) => FromFlags(direction.Receives(), direction.Sends());

    /// <summary>What both allow.</summary>
    public static SdpDirection Intersect(this SdpDirection direction, SdpDirection other) =>
        FromFlags(direction.Sends() && other.Sends(), direction.Receives() && other.Receives());
}

/// <summary>
/// o= (RFC 8866 §5.2). Session id and version are kept as text: the RFC says "numeric string" and real UAs send
/// values of any length; <see cref="WithNextVersion"/> does the arithmetic.
/// </summary>
public sealed record SdpOrigin(string Username, string SessionId, string SessionVersion, string NetworkType, string AddressType, string Address)
{
    public static SdpOrigin Create(string username, ulong sessionId, ulong sessionVersion, IPAddress address)
    {
        var connection = SdpConnection.For(address);
        return new SdpOrigin(username, sessionId.ToString(CultureInfo.InvariantCulture), sessionVersion.ToString(CultureInfo.InvariantCulture),
            connection.NetworkType, connection.AddressType, connection.Address);
    }

    /// <summary>The same origin with the version incremented by one (RFC 3264 §8); a non-numeric version restarts at 1.</summary>
    public SdpOrigin WithNextVersion() =>
        this with
        {
            SessionVersion = IsDigits(SessionVersion) && BigInteger.TryParse(SessionVersion, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
                ? (v + 1).ToString(CultureInfo.InvariantCulture)
                : "1",
        };

    public override string ToString() => $"{Username} {SessionId} {SessionVersion} {NetworkType} {AddressType} {Address}";

    private static bool IsDigits(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);
}

/// <summary>
/// c= (RFC 8866 §5.7). <see cref="Address"/> is kept as written (it may carry a multicast /ttl/count suffix or be a
/// host name); <see cref="IpAddress"/> is the address when it is an IP literal.
/// </summary>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address)
{
    public static SdpConnection For(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var v6 = address.AddressFamily == AddressFamily.InterNetworkV6;
        return new SdpConnection("IN", v6 ? "IP6" : "IP4", address.ToString());
    }

    /// <summary>The address as an IPv4 dotted quad or IPv6 literal (without the multicast suffix), else null (FQDN, junk).</summary>
    public IPAddress? IpAddress => SdpText.ParseIpLiteral(Address);

    /// <summary>0.0.0.0 or :: — the RFC 2543 way of putting a call on hold (RFC 3264 §8.4).</summary>
    public bool IsUnspecified => IpAddress is { } ip && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any));

    public override string ToString() => $"{NetworkType} {AddressType} {Address}";
}

/// <summary>t= (RFC 8866 §5.9): NTP seconds, 0 0 for an unbounded session.</summary>
public sealed record SdpTiming(ulong Start, ulong Stop)
{
    public static SdpTiming Unbounded { get; } = new(0, 0);

    public override string ToString() => $"{Start} {Stop}";
}

/// <summary>b= (RFC 8866 §5.8), e.g. AS:64 or TIAS:64000.</summary>
public sealed record SdpBandwidth(string Type, long Value)
{
    public override string ToString() => $"{Type}:{Value.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>An a= line: a property attribute (<see cref="Value"/> null, e.g. a=sendrecv) or a value attribute (a=name:value).</summary>
public sealed record SdpAttribute(string Name, string? Value = null)
{
    public static SdpAttribute Direction(SdpDirection direction) => new(direction.ToAttributeName());

    public static SdpAttribute Ptime(int milliseconds) => new("ptime", milliseconds.ToString(CultureInfo.InvariantCulture));

    public static SdpAttribute RtcpMux { get; } = new("rtcp-mux");

    public override string ToString() => Value is null ? Name : Name + ":" + Value;
}

/// <summary>A line the model keeps but does not interpret (i=, u=, e=, p=, r=, z=, k=, unknown types, malformed b=).</summary>
public sealed record SdpLine(char Type, string Value)
{
    public override string ToString() => Type + "=" + Value;
}

/// <summary>a=rtpmap:&lt;payload type&gt; &lt;encoding name&gt;/&lt;clock rate&gt;[/&lt;channels&gt;] (RFC 8866 §6.6).</summary>
public sealed record SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, int? Channels = null)
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpRtpMap? rtpMap)
    {
        rtpMap = null;
        if (value is null || !SdpText.TrySplitPayloadType(value, out var pt, out var rest))
        {
            return false;
        }

        var parts = rest.Split('/');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || parts[0].Any(c => c is ' ' or '\t') ||
            !SdpText.TryParseInt(parts[1], 1, int.MaxValue, out var clock))
        {
            return false;
        }

        int? channels = null;
        if (parts.Length == 3)
        {
            if (!SdpText.TryParseInt(parts[2], 1, 255, out var c))
            {
                return false;
            }

            channels = c;
        }

        rtpMap = new SdpRtpMap(pt, parts[0], clock, channels);
        return true;
    }

    public SdpAttribute ToAttribute() => new("rtpmap", ToString());

    public override string ToString() =>
        $"{PayloadType.ToString(CultureInfo.InvariantCulture)} {EncodingName}/{ClockRate.ToString(CultureInfo.InvariantCulture)}" +
        (Channels is { } c ? "/" + c.ToString(CultureInfo.InvariantCulture) : "");
}

/// <summary>a=fmtp:&lt;payload type&gt; &lt;parameters&gt; (RFC 8866 §6.15); parameters kept verbatim.</summary>
public sealed record SdpFmtp(int PayloadType, string Parameters)
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpFmtp? fmtp)
    {
        fmtp = null;
        if (value is null || !SdpText.TrySplitPayloadType(value, out var pt, out var rest))
        {
            return false;
        }

        fmtp = new SdpFmtp(pt, rest);
        return true;
    }

    public SdpAttribute ToAttribute() => new("fmtp", ToString());

    public override string ToString() => PayloadType.ToString(CultureInfo.InvariantCulture) + " " + Parameters;
}

/// <summary>a=rtcp:&lt;port&gt; [&lt;nettype&gt; &lt;addrtype&gt; &lt;address&gt;] (RFC 3605).</summary>
public sealed record SdpRtcp(int Port, SdpConnection? Connection = null)
{
    public static bool TryParse(string? value, [NotNullWhen(true)] out SdpRtcp? rtcp)
    {
        rtcp = null;
        if (value is null)
        {
            return false;
        }

        var tokens = SdpText.Tokens(value);
        if (tokens.Length is not (1 or 4) || !SdpText.TryParseInt(tokens[0], 1, 65535, out var port))
        {
            return false;
        }

        rtcp = new SdpRtcp(port, tokens.Length == 4 ? new SdpConnection(tokens[1], tokens[2], tokens[3]) : null);
        return true;
    }

    public SdpAttribute ToAttribute() => new("rtcp", ToString());

    public override string ToString() => Port.ToString(CultureInfo.InvariantCulture) + (Connection is null ? "" : " " + Connection);
}

/// <summary>Small lexical helpers shared by the parser and the typed attributes.</summary>
internal static class SdpText
{
    private static readonly char[] Blanks = [' ', '\t'];

    public static string[] Tokens(string value) => value.Split(Blanks, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Digits only (no sign, no spaces), within [min, max].</summary>
    public static bool TryParseInt(string s, int min, int max, out int value)
    {
        value = 0;
        if (s.Length is 0 or > 10 || !s.All(char.IsAsciiDigit) || !long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var l) || l < min || l > max)
        {
            return false;
        }

        value = (int)l;
        return true;
    }

    public static bool TryParseULong(string s, out ulong value)
    {
        value = 0;
        return s.Length is > 0 and <= 20 && s.All(char.IsAsciiDigit) && ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>"96 rest" → 96 and "rest" (payload type 0..127; rest trimmed, may be empty only for fmtp).</summary>
    public static bool TrySplitPayloadType(string value, out int payloadType, out string rest)
    {
        var trimmed = value.Trim(Blanks);
        var space = trimmed.IndexOfAny(Blanks);
        var ptText = space < 0 ? trimmed : trimmed[..space];
        rest = space < 0 ? "" : trimmed[(space + 1)..].Trim(Blanks);
        return TryParseInt(ptText, 0, 127, out payloadType) && rest.Length > 0;
    }

    /// <summary>
    /// A strict IP literal: dotted-quad IPv4 (IPAddress.TryParse alone would take "1" or "0x7f.1") or IPv6 with a
    /// colon; a multicast "/ttl[/count]" suffix is ignored.
    /// </summary>
    public static IPAddress? ParseIpLiteral(string address)
    {
        var slash = address.IndexOf('/');
        var host = slash < 0 ? address : address[..slash];
        if (host.Length is 0 or > 64)
        {
            return null;
        }

        if (host.Contains(':'))
        {
            return IPAddress.TryParse(host, out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
        }

        var parts = host.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (parts[i].Length is 0 or > 3 || !TryParseInt(parts[i], 0, 255, out var b))
            {
                return null;
            }

            bytes[i] = (byte)b;
        }

        return new IPAddress(bytes);
    }
}
