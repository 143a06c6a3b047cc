using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>
/// One Via value: <c>SIP/2.0/UDP host:port;branch=z9hG4bK...;received=...;rport=...</c> (RFC 3261 §20.42,
/// RFC 3581 for rport). Linear whitespace is accepted wherever the grammar allows it (around "/", ":" and ";").
/// </summary>
public sealed class SipVia
{
    /// <summary>The RFC 3261 branch magic cookie.</summary>
    public const string MagicCookie = "z9hG4bK";

    public SipVia(string transport, string host, int? port = null, string? branch = null)
    {
        Transport = transport;
        Host = host;
        Port = port;
        if (branch is not null)
        {
            Branch = branch;
        }
    }

    public string ProtocolName { get; set; } = "SIP";

    public string ProtocolVersion { get; set; } = "2.0";

    /// <summary>UDP, TCP, TLS, SCTP, WS, WSS or any extension token, as written.</summary>
    public string Transport { get; set; }

    /// <summary>sent-by host as written (IPv6 references keep their brackets).</summary>
    public string Host { get; set; }

    public int? Port { get; set; }

    /// <summary>All via-params in order, branch/received/rport included.</summary>
    public SipParameters Parameters { get; } = new();

    public string? Branch
    {
        get => Parameters.Get("branch");
        set => SetOrRemove("branch", value);
    }

    public string? Received
    {
        get => Parameters.Get("received");
        set => SetOrRemove("received", value);
    }

    /// <summary>True when an <c>rport</c> parameter is present, with or without a value.</summary>
    public bool HasRPort => Parameters.Contains("rport");

    /// <summary>
    /// The <c>rport</c> value (filled in by the server); null for the bare flag or when absent. Setting null leaves
    /// (or adds) the bare flag; remove it with <c>Parameters.Remove("rport")</c>.
    /// </summary>
    public int? RPort
    {
        get => SipText.TryParseDigits(Parameters.Get("rport"), out var v) && v <= 65535 ? (int)v : null;
        set => Parameters.Set("rport", value?.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public string? MAddr => Parameters.Get("maddr");

    public int? Ttl => SipText.TryParseDigits(Parameters.Get("ttl"), out var v) && v <= 255 ? (int)v : null;

    /// <summary>True when the branch carries the RFC 3261 magic cookie and something after it (RFC 4475 badbranch).</summary>
    public bool HasRfc3261Branch => Branch is { } b && b.Length > MagicCookie.Length && b.StartsWith(MagicCookie, StringComparison.Ordinal);

    /// <summary>The transport as an upper-case token (UDP, TCP, ...).</summary>
    public string TransportUpper => Transport.ToUpperInvariant();

    private void SetOrRemove(string name, string? value)
    {
        if (value is null)
        {
            Parameters.Remove(name);
        }
        else
        {
            Parameters.Set(name, value);
        }
    }

    public static SipVia Parse(string text) =>
        TryParse(text, out var via) ? via : throw new FormatException($"Invalid Via: '{text}'");

    /// <summary>Parses one Via value (already split from a comma-separated list).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out SipVia? via) =>
        TryParse(text, lenient: false, out via);

    /// <summary>Lenient: malformed parameters are skipped (used to find where a 400 can be sent).</summary>
    internal static bool TryParse([NotNullWhen(true)] string? text, bool lenient, [NotNullWhen(true)] out SipVia? via)
    {
        via = null;
        if (text is null)
        {
            return false;
        }

        var s = text;
        var i = SipText.SkipWs(s, 0);
        var name = SipText.ReadToken(s, ref i);
        if (name.IsEmpty || !Slash(s, ref i))
        {
            return false;
        }

        var version = SipText.ReadToken(s, ref i);
        if (version.IsEmpty || !Slash(s, ref i))
        {
            return false;
        }

        var transport = SipText.ReadToken(s, ref i);
        var afterTransport = i;
        i = SipText.SkipWs(s, i);
        if (transport.IsEmpty || i == afterTransport)
        {
            return false;
        }

        if (!SipUri.TryParseHostPort(s, ref i, allowLws: true, out var host, out var port))
        {
            return false;
        }

        var result = new SipVia(transport.ToString(), host, port)
        {
            ProtocolName = name.ToString(),
            ProtocolVersion = version.ToString(),
        };
        if (!SipParameters.TryParseHeaderParams(s, ref i, result.Parameters, lenient))
        {
            return false;
        }

        via = result;
        return true;

        static bool Slash(string s, ref int i)
        {
            i = SipText.SkipWs(s, i);
            if (i >= s.Length || s[i] != '/')
            {
                return false;
            }

            i = SipText.SkipWs(s, i + 1);
            return true;
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder(64);
        sb.Append(ProtocolName).Append('/').Append(ProtocolVersion).Append('/').Append(Transport).Append(' ').Append(Host);
        if (Port is { } port)
        {
            sb.Append(':').Append(port);
        }

        Parameters.AppendHeaderParams(sb);
        return sb.ToString();
    }
}
