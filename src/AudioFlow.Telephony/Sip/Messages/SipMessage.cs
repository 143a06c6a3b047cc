using System.Text;

namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>
/// A SIP request or response: start line, ordered headers, body bytes. Typed accessors parse the header values on
/// each call (the parser has already validated the core ones); they return null or skip values that do not parse.
/// </summary>
public abstract class SipMessage
{
    public const string Sip20 = "SIP/2.0";

    /// <summary>SIP-Version of the start line, as written ("SIP/2.0").</summary>
    public string Version { get; set; } = Sip20;

    public SipHeaderCollection Headers { get; } = new();

    public ReadOnlyMemory<byte> Body { get; set; } = ReadOnlyMemory<byte>.Empty;

    public abstract bool IsRequest { get; }

    /// <summary>The start line without its CRLF.</summary>
    public abstract string StartLine { get; }

    public IReadOnlyList<SipVia> Vias => ParseAll<SipVia>(SipHeaderNames.Via, SipVia.TryParse);

    public SipVia? TopVia
    {
        get
        {
            var values = Headers.GetValues(SipHeaderNames.Via);
            return values.Count > 0 && SipVia.TryParse(values[0], out var via) ? via : null;
        }
    }

    public SipNameAddr? From => ParseFirst<SipNameAddr>(SipHeaderNames.From, SipNameAddr.TryParse);

    public SipNameAddr? To => ParseFirst<SipNameAddr>(SipHeaderNames.To, SipNameAddr.TryParse);

    public string? CallId => Headers.Get(SipHeaderNames.CallId);

    public SipCSeq? CSeq => SipCSeq.TryParse(Headers.Get(SipHeaderNames.CSeq), out var cseq) ? cseq : null;

    public int? MaxForwards =>
        SipText.TryParseDigits(Headers.Get(SipHeaderNames.MaxForwards)?.Trim(), out var v) && v <= 255 ? (int)v : null;

    public IReadOnlyList<SipNameAddr> Contacts => ParseAll<SipNameAddr>(SipHeaderNames.Contact, SipNameAddr.TryParse);

    public IReadOnlyList<SipNameAddr> Routes => ParseAll<SipNameAddr>(SipHeaderNames.Route, SipNameAddr.TryParse);

    public IReadOnlyList<SipNameAddr> RecordRoutes => ParseAll<SipNameAddr>(SipHeaderNames.RecordRoute, SipNameAddr.TryParse);

    public SipContentType? ContentType => ParseFirst<SipContentType>(SipHeaderNames.ContentType, SipContentType.TryParse);

    /// <summary>The Content-Length header as received (<see cref="ToBytes"/> always writes the body's real length).</summary>
    public int? ContentLength =>
        SipText.TryParseDigits(Headers.Get(SipHeaderNames.ContentLength)?.Trim(), out var v) && v <= int.MaxValue ? (int)v : null;

    /// <summary>Expires in seconds; null when absent or outside 0..2^32-1 (use the default then, RFC 4475 scalar02).</summary>
    public uint? Expires =>
        SipText.TryParseDigits(Headers.Get(SipHeaderNames.Expires)?.Trim(), out var v) && v <= uint.MaxValue ? (uint)v : null;

    public IReadOnlyList<string> Allow => Headers.GetValues(SipHeaderNames.Allow);

    public IReadOnlyList<string> Supported => Headers.GetValues(SipHeaderNames.Supported);

    public IReadOnlyList<string> Require => Headers.GetValues(SipHeaderNames.Require);

    public IReadOnlyList<string> ProxyRequire => Headers.GetValues(SipHeaderNames.ProxyRequire);

    public IReadOnlyList<SipDigestChallenge> WwwAuthenticate =>
        ParseAll<SipDigestChallenge>(SipHeaderNames.WwwAuthenticate, SipDigestChallenge.TryParse);

    public IReadOnlyList<SipDigestChallenge> ProxyAuthenticate =>
        ParseAll<SipDigestChallenge>(SipHeaderNames.ProxyAuthenticate, SipDigestChallenge.TryParse);

    public IReadOnlyList<SipDigestCredentials> Authorization =>
        ParseAll<SipDigestCredentials>(SipHeaderNames.Authorization, SipDigestCredentials.TryParse);

    public IReadOnlyList<SipDigestCredentials> ProxyAuthorization =>
        ParseAll<SipDigestCredentials>(SipHeaderNames.ProxyAuthorization, SipDigestCredentials.TryParse);

    public SipNameAddr? ReferTo => ParseFirst<SipNameAddr>(SipHeaderNames.ReferTo, SipNameAddr.TryParse);

    public SipNameAddr? ReferredBy => ParseFirst<SipNameAddr>(SipHeaderNames.ReferredBy, SipNameAddr.TryParse);

    public SipEventHeader? Event => ParseFirst<SipEventHeader>(SipHeaderNames.Event, SipEventHeader.TryParse);

    public SipSubscriptionState? SubscriptionState =>
        ParseFirst<SipSubscriptionState>(SipHeaderNames.SubscriptionState, SipSubscriptionState.TryParse);

    internal delegate bool TryParser<T>(string? text, out T? value);

    private T? ParseFirst<T>(string name, TryParser<T> parse)
        where T : class
    {
        var value = Headers.Get(name);
        return value is not null && parse(value, out var parsed) ? parsed : null;
    }

    private List<T> ParseAll<T>(string name, TryParser<T> parse)
        where T : class
    {
        var result = new List<T>();
        foreach (var value in Headers.GetValues(name))
        {
            if (parse(value, out var parsed) && parsed is not null)
            {
                result.Add(parsed);
            }
        }

        return result;
    }

    /// <summary>
    /// Canonical wire form: start line, headers in order with full canonical names (compact forms expanded), one
    /// line per header as stored, Content-Length always last and equal to the body length, CRLF line ends, body.
    /// </summary>
    public byte[] ToBytes()
    {
        var startLine = StartLine;
        if (startLine.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new InvalidOperationException("The start line must not contain CR or LF.");
        }

        var sb = new StringBuilder(256 + Headers.Count * 48);
        sb.Append(startLine).Append("\r\n");
        for (var i = 0; i < Headers.Count; i++)
        {
            var canonical = Headers.CanonicalNameAt(i);
            if (string.Equals(canonical, SipHeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            sb.Append(canonical).Append(": ").Append(Headers[i].Value).Append("\r\n");
        }

        sb.Append(SipHeaderNames.ContentLength).Append(": ").Append(Body.Length).Append("\r\n\r\n");
        var head = sb.ToString();
        var headLength = Encoding.UTF8.GetByteCount(head);
        var bytes = new byte[headLength + Body.Length];
        Encoding.UTF8.GetBytes(head, bytes);
        Body.Span.CopyTo(bytes.AsSpan(headLength));
        return bytes;
    }

    /// <summary>The wire form as text (body decoded as UTF-8), for logs.</summary>
    public override string ToString() => Encoding.UTF8.GetString(ToBytes());
}

/// <summary>A SIP request.</summary>
public sealed class SipRequest : SipMessage
{
    public SipRequest(string method, SipUri requestUri)
    {
        Method = method;
        RequestUri = requestUri ?? throw new ArgumentNullException(nameof(requestUri));
    }

    /// <summary>Method token, case-sensitive (RFC 3261 §7.1): "INVITE", "OPTIONS", or any extension.</summary>
    public string Method
    {
        get;
        set => field = SipText.IsToken(value) ? value : throw new ArgumentException($"Method '{value}' is not a token.", nameof(value));
    }

    public SipUri RequestUri { get; set; }

    public override bool IsRequest => true;

    public override string StartLine => $"{Method} {RequestUri} {Version}";
}

/// <summary>A SIP response.</summary>
public sealed class SipResponse : SipMessage
{
    public SipResponse(int statusCode, string reasonPhrase)
    {
        if (statusCode is < 100 or > 699)
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "A SIP status code is 100 to 699.");
        }

        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase ?? "";
    }

    public int StatusCode { get; }

    /// <summary>Reason phrase (may be empty, may be UTF-8: RFC 4475 unreason, noreason).</summary>
    public string ReasonPhrase { get; set; }

    public override bool IsRequest => false;

    public bool IsProvisional => StatusCode < 200;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public override string StartLine => $"{Version} {StatusCode} {SanitizedReason}";

    private string SanitizedReason =>
        ReasonPhrase.AsSpan().IndexOfAny('\r', '\n') < 0 ? ReasonPhrase : ReasonPhrase.Replace('\r', ' ').Replace('\n', ' ');
}
