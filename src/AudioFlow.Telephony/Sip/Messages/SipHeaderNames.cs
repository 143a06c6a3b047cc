namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>
/// Header names: canonical spellings, compact forms (RFC 3261 §7.3.3 and the IANA registry) and which headers
/// are comma-separated lists.
/// </summary>
public static class SipHeaderNames
{
    public const string Accept = "Accept";
    public const string Allow = "Allow";
    public const string AllowEvents = "Allow-Events";
    public const string Authorization = "Authorization";
    public const string CallId = "Call-ID";
    public const string Contact = "Contact";
    public const string ContentEncoding = "Content-Encoding";
    public const string ContentLength = "Content-Length";
    public const string ContentType = "Content-Type";
    public const string CSeq = "CSeq";
    public const string Event = "Event";
    public const string Expires = "Expires";
    public const string From = "From";
    public const string MaxForwards = "Max-Forwards";
    public const string ProxyAuthenticate = "Proxy-Authenticate";
    public const string ProxyAuthorization = "Proxy-Authorization";
    public const string ProxyRequire = "Proxy-Require";
    public const string RecordRoute = "Record-Route";
    public const string ReferredBy = "Referred-By";
    public const string ReferTo = "Refer-To";
    public const string Require = "Require";
    public const string Route = "Route";
    public const string SessionExpires = "Session-Expires";
    public const string Subject = "Subject";
    public const string SubscriptionState = "Subscription-State";
    public const string Supported = "Supported";
    public const string Timestamp = "Timestamp";
    public const string To = "To";
    public const string Unsupported = "Unsupported";
    public const string Via = "Via";
    public const string WwwAuthenticate = "WWW-Authenticate";

    private static readonly string[] Known =
    [
        Accept, "Accept-Contact", "Accept-Encoding", "Accept-Language", "Alert-Info", Allow, AllowEvents,
        "Authentication-Info", Authorization, CallId, "Call-Info", Contact, "Content-Disposition", ContentEncoding,
        "Content-Language", ContentLength, ContentType, CSeq, "Date", "Error-Info", Event, Expires, From,
        "History-Info", "Identity", "Identity-Info", "In-Reply-To", MaxForwards, "MIME-Version", "Min-Expires", "Min-SE",
        "Organization", "P-Asserted-Identity", "P-Preferred-Identity", "Path", "Priority", "Privacy",
        ProxyAuthenticate, ProxyAuthorization, ProxyRequire, "RAck", "Reason", RecordRoute, ReferredBy, ReferTo,
        "Reject-Contact", "Replaces", "Reply-To", "Request-Disposition", Require, "Retry-After", Route, "RSeq",
        "Server", "Service-Route", SessionExpires, Subject, SubscriptionState, Supported, "Target-Dialog",
        Timestamp, To, Unsupported, "User-Agent", Via, "Warning", WwwAuthenticate,
    ];

    private static readonly Dictionary<string, string> Canonical = Known.ToDictionary(n => n, n => n, StringComparer.OrdinalIgnoreCase);

    /// <summary>Headers whose value is a comma-separated list (and which may therefore also be repeated).</summary>
    private static readonly HashSet<string> Lists = new(StringComparer.OrdinalIgnoreCase)
    {
        Accept, "Accept-Contact", "Accept-Encoding", "Accept-Language", "Alert-Info", Allow, AllowEvents, "Call-Info",
        Contact, ContentEncoding, "Content-Language", "Error-Info", "History-Info", "In-Reply-To",
        "P-Asserted-Identity", "P-Preferred-Identity", "Path", ProxyRequire, "Reason", RecordRoute, "Reject-Contact",
        "Request-Disposition", Require, Route, "Service-Route", Supported, Unsupported, Via, "Warning",
    };

    /// <summary>
    /// The full name of a compact form: i Call-ID, m Contact, e Content-Encoding, l Content-Length, c Content-Type,
    /// f From, s Subject, k Supported, t To, v Via, o Event, r Refer-To, b Referred-By, u Allow-Events,
    /// x Session-Expires, plus a Accept-Contact, j Reject-Contact, d Request-Disposition, y Identity, n Identity-Info.
    /// </summary>
    public static string? ExpandCompact(char c) => char.ToLowerInvariant(c) switch
    {
        'i' => CallId,
        'm' => Contact,
        'e' => ContentEncoding,
        'l' => ContentLength,
        'c' => ContentType,
        'f' => From,
        's' => Subject,
        'k' => Supported,
        't' => To,
        'v' => Via,
        'o' => Event,
        'r' => ReferTo,
        'b' => ReferredBy,
        'u' => AllowEvents,
        'x' => SessionExpires,
        'a' => "Accept-Contact",
        'j' => "Reject-Contact",
        'd' => "Request-Disposition",
        'y' => "Identity",
        'n' => "Identity-Info",
        _ => null,
    };

    /// <summary>Compact forms expanded, known names in their canonical spelling, unknown names unchanged.</summary>
    public static string Canonicalize(string name)
    {
        if (name.Length == 1)
        {
            return ExpandCompact(name[0]) ?? name;
        }

        return Canonical.TryGetValue(name, out var canonical) ? canonical : name;
    }

    public static bool IsList(string name) => Lists.Contains(Canonicalize(name));
}
