using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>
/// A SIP or SIPS URI (RFC 3261 §19.1), or any other absolute URI kept opaque (<c>tel:</c>, <c>urn:</c>,
/// <c>http:</c>...). User, password, parameters and headers are held unescaped and escaped again when written.
/// </summary>
public sealed class SipUri
{
    private SipUri(string scheme)
    {
        Scheme = scheme;
    }

    /// <summary>"sip" or "sips" (lower case) for SIP URIs; the scheme as written for the others.</summary>
    public string Scheme { get; }

    public bool IsSip { get; private init; }

    public bool IsSecure => IsSip && Scheme == "sips";

    /// <summary>User part, unescaped (may contain any character, including NUL).</summary>
    public string? User { get; set; }

    /// <summary>Password, unescaped (deprecated by RFC 3261 but still parsed).</summary>
    public string? Password { get; set; }

    /// <summary>Host as written: a hostname, an IPv4 address or an IPv6 reference in brackets (<c>[2001:db8::1]</c>).</summary>
    public string Host { get; set; } = "";

    public int? Port { get; set; }

    /// <summary>uri-parameters (transport, lr, maddr, user, ...), unescaped.</summary>
    public SipParameters Parameters { get; } = new();

    /// <summary>URI headers (<c>?name=value&amp;...</c>), unescaped.</summary>
    public SipParameters Headers { get; } = new();

    /// <summary>For non-SIP schemes: everything after <c>scheme:</c>, as written.</summary>
    public string? Opaque { get; private init; }

    public bool HostIsIPv6 => Host.StartsWith('[');

    public string? Transport => Parameters.Get("transport");

    public bool IsLooseRouting => Parameters.Contains("lr");

    public string? MAddr => Parameters.Get("maddr");

    /// <summary>The <c>user=</c> URI parameter (e.g. "phone").</summary>
    public string? UserParameter => Parameters.Get("user");

    /// <summary>Creates a SIP (or SIPS) URI.</summary>
    public static SipUri Create(string host, int? port = null, string? user = null, bool secure = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(host);
        return new SipUri(secure ? "sips" : "sip") { IsSip = true, Host = host, Port = port, User = user };
    }

    /// <summary>A text that could not be parsed, kept as is (only used in the partial request of a parse error).</summary>
    internal static SipUri Unparsed(string raw) => new("") { Opaque = raw };

    public static SipUri Parse(string text) =>
        TryParse(text, out var uri) ? uri : throw new FormatException($"Invalid URI: '{text}'");

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out SipUri? uri)
    {
        uri = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var colon = text.IndexOf(':');
        if (colon <= 0 || !IsScheme(text.AsSpan(0, colon)))
        {
            return false;
        }

        var scheme = text[..colon];
        var rest = text.AsSpan(colon + 1);
        if (rest.IsEmpty || SipText.ContainsWhitespaceOrControl(rest) || HasNonAscii(rest))
        {
            return false;
        }

        if (scheme.Equals("sip", StringComparison.OrdinalIgnoreCase) || scheme.Equals("sips", StringComparison.OrdinalIgnoreCase))
        {
            return TryParseSip(scheme.ToLowerInvariant(), text, colon + 1, out uri);
        }

        uri = new SipUri(scheme) { Opaque = rest.ToString() };
        return true;
    }

    private static bool TryParseSip(string scheme, string text, int i, [NotNullWhen(true)] out SipUri? uri)
    {
        uri = null;
        var result = new SipUri(scheme) { IsSip = true };
        var at = text.IndexOf('@', i);
        if (at >= 0)
        {
            var userInfo = text.AsSpan(i, at - i);
            var pwColon = userInfo.IndexOf(':');
            var userPart = pwColon < 0 ? userInfo : userInfo[..pwColon];
            if (userPart.IsEmpty || !SipText.TryUnescape(userPart, SipText.CharClass.User, out var user))
            {
                return false;
            }

            result.User = user;
            if (pwColon >= 0)
            {
                if (!SipText.TryUnescape(userInfo[(pwColon + 1)..], SipText.CharClass.Password, out var password))
                {
                    return false;
                }

                result.Password = password;
            }

            i = at + 1;
        }

        if (!TryParseHostPort(text, ref i, allowLws: false, out var host, out var port))
        {
            return false;
        }

        result.Host = host;
        result.Port = port;
        while (i < text.Length && text[i] == ';')
        {
            i++;
            var start = i;
            while (i < text.Length && text[i] is not (';' or '?' or '='))
            {
                i++;
            }

            if (i == start || !SipText.TryUnescape(text.AsSpan(start, i - start), SipText.CharClass.Param, out var name))
            {
                return false;
            }

            string? value = null;
            if (i < text.Length && text[i] == '=')
            {
                start = ++i;
                while (i < text.Length && text[i] is not (';' or '?'))
                {
                    i++;
                }

                if (i == start || !SipText.TryUnescape(text.AsSpan(start, i - start), SipText.CharClass.Param, out value))
                {
                    return false;
                }
            }

            result.Parameters.Add(name, value);
        }

        if (i < text.Length && text[i] == '?')
        {
            do
            {
                i++;
                var start = i;
                while (i < text.Length && text[i] is not ('&' or '='))
                {
                    i++;
                }

                if (i == start || i >= text.Length || text[i] != '='
                    || !SipText.TryUnescape(text.AsSpan(start, i - start), SipText.CharClass.UriHeader, out var name))
                {
                    return false;
                }

                start = ++i;
                while (i < text.Length && text[i] != '&')
                {
                    i++;
                }

                if (!SipText.TryUnescape(text.AsSpan(start, i - start), SipText.CharClass.UriHeader, out var value))
                {
                    return false;
                }

                result.Headers.Add(name, value);
            }
            while (i < text.Length && text[i] == '&');
        }

        if (i != text.Length)
        {
            return false;
        }

        uri = result;
        return true;
    }

    /// <summary>
    /// hostport = host [ ":" port ]; host = hostname / IPv4address / IPv6reference. With <paramref name="allowLws"/>
    /// (Via sent-by) linear whitespace may surround the colon.
    /// </summary>
    internal static bool TryParseHostPort(string s, ref int i, bool allowLws, out string host, out int? port)
    {
        host = "";
        port = null;
        if (i >= s.Length)
        {
            return false;
        }

        var start = i;
        if (s[i] == '[')
        {
            var close = s.IndexOf(']', i);
            if (close < 0 || !IPAddress.TryParse(s.AsSpan(i + 1, close - i - 1), out var v6)
                || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            i = close + 1;
        }
        else
        {
            while (i < s.Length && SipText.Is(s[i], SipText.CharClass.Host))
            {
                i++;
            }

            if (i == start || !IsValidHostName(s.AsSpan(start, i - start)))
            {
                return false;
            }
        }

        host = s[start..i];
        var j = allowLws ? SipText.SkipWs(s, i) : i;
        if (j < s.Length && s[j] == ':')
        {
            j = allowLws ? SipText.SkipWs(s, j + 1) : j + 1;
            var portStart = j;
            while (j < s.Length && char.IsAsciiDigit(s[j]))
            {
                j++;
            }

            if (!SipText.TryParseDigits(s.AsSpan(portStart, j - portStart), out var p) || p > 65535)
            {
                return false;
            }

            port = (int)p;
            i = j;
        }

        return true;
    }

    private static bool IsValidHostName(ReadOnlySpan<char> host)
    {
        if (host[0] is '-' or '.' || host[^1] == '-')
        {
            return false;
        }

        var allDigitsAndDots = true;
        for (var k = 0; k < host.Length; k++)
        {
            if (host[k] == '.' && k > 0 && host[k - 1] == '.')
            {
                return false;
            }

            if (!char.IsAsciiDigit(host[k]) && host[k] != '.')
            {
                allDigitsAndDots = false;
            }
        }

        // Something that looks like an IPv4 address must be one (no 300.1.1.1, no 1.2.3).
        if (allDigitsAndDots)
        {
            var parts = 0;
            foreach (var range in host.Split('.'))
            {
                var part = host[range];
                if (!SipText.TryParseDigits(part, out var v) || v > 255 || part.Length > 3)
                {
                    return false;
                }

                parts++;
            }

            return parts == 4;
        }

        return true;
    }

    private static bool IsScheme(ReadOnlySpan<char> s)
    {
        if (!char.IsAsciiLetter(s[0]))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HasNonAscii(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c > '\u007e')
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString()
    {
        if (!IsSip)
        {
            return Scheme.Length == 0 ? Opaque ?? "" : Scheme + ":" + Opaque;
        }

        var sb = new StringBuilder(64);
        sb.Append(Scheme).Append(':');
        if (User is not null)
        {
            SipText.AppendEscaped(sb, User, SipText.CharClass.User);
            if (Password is not null)
            {
                sb.Append(':');
                SipText.AppendEscaped(sb, Password, SipText.CharClass.Password);
            }

            sb.Append('@');
        }

        sb.Append(Host);
        if (Port is { } port)
        {
            sb.Append(':').Append(port);
        }

        foreach (var p in Parameters)
        {
            sb.Append(';');
            SipText.AppendEscaped(sb, p.Name, SipText.CharClass.Param);
            if (p.Value is not null)
            {
                sb.Append('=');
                SipText.AppendEscaped(sb, p.Value, SipText.CharClass.Param);
            }
        }

        for (var k = 0; k < Headers.Count; k++)
        {
            sb.Append(k == 0 ? '?' : '&');
            SipText.AppendEscaped(sb, Headers[k].Name, SipText.CharClass.UriHeader);
            sb.Append('=');
            SipText.AppendEscaped(sb, Headers[k].Value ?? "", SipText.CharClass.UriHeader);
        }

        return sb.ToString();
    }

    private static readonly string[] ParamsThatMustMatch = ["user", "ttl", "method", "maddr", "transport"];

    /// <summary>
    /// URI equivalence per RFC 3261 §19.1.4: same scheme; user and password compared case-sensitively (after
    /// unescaping); host case-insensitively (IPv6 addresses by value); ports equal (an absent port is not 5060);
    /// user, ttl, method, maddr and transport parameters must agree when present in either; other parameters only
    /// when present in both; URI headers must all be present in both and agree. Non-SIP URIs compare by scheme
    /// (case-insensitive) and opaque text (exact).
    /// </summary>
    public bool IsEquivalentTo(SipUri? other)
    {
        if (other is null || IsSip != other.IsSip || !string.Equals(Scheme, other.Scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (!IsSip)
        {
            return string.Equals(Opaque, other.Opaque, StringComparison.Ordinal);
        }

        if (!string.Equals(User ?? "", other.User ?? "", StringComparison.Ordinal)
            || !string.Equals(Password, other.Password, StringComparison.Ordinal)
            || Port != other.Port
            || !HostsEqual(Host, other.Host))
        {
            return false;
        }

        foreach (var name in ParamsThatMustMatch)
        {
            var inThis = Parameters.TryGet(name, out var a);
            var inOther = other.Parameters.TryGet(name, out var b);
            if (inThis != inOther || (inThis && !string.Equals(a, b, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }

        foreach (var p in Parameters)
        {
            if (other.Parameters.TryGet(p.Name, out var otherValue)
                && !string.Equals(p.Value, otherValue, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        if (Headers.Count != other.Headers.Count)
        {
            return false;
        }

        foreach (var h in Headers)
        {
            if (!other.Headers.TryGet(h.Name, out var otherValue)
                || !string.Equals(h.Value, otherValue, StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }

    private static bool HostsEqual(string a, string b)
    {
        if (string.Equals(a, b, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return a.StartsWith('[') && b.StartsWith('[')
            && IPAddress.TryParse(a.AsSpan(1, a.Length - 2), out var x)
            && IPAddress.TryParse(b.AsSpan(1, b.Length - 2), out var y)
            && x.Equals(y);
    }
}
