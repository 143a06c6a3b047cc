namespace AudioFlow.Telephony.Sip.Messages;

public enum SipParseErrorKind
{
    /// <summary>Syntax or framing error: a request gets a 400 if <see cref="SipParseError.CanRespond"/>.</summary>
    Malformed,

    /// <summary>Nothing but CRLFs (a keep-alive): not an error to report, nothing to answer.</summary>
    Empty,

    /// <summary>Over the size limit (64 KiB by default).</summary>
    MessageTooLarge,

    /// <summary>Content-Length announces more bytes than the datagram holds (RFC 4475 clerr, over UDP).</summary>
    BodyTruncated,

    /// <summary>Content-Length missing where it is required (stream transports).</summary>
    MissingContentLength,

    /// <summary>A SIP version other than 2.0: a request gets a 505 (RFC 4475 badvers).</summary>
    VersionNotSupported,

    /// <summary>The parser itself failed unexpectedly; treated as malformed. Never expected (fuzz-tested).</summary>
    InternalError,
}

/// <summary>
/// Why a message was rejected. <see cref="Reason"/> is short ASCII text usable as a reason phrase; when enough of a
/// request was parsed (method, a usable top Via, From, To, Call-ID and CSeq) <see cref="PartialRequest"/> holds it
/// so that <see cref="SipResponseBuilder"/> can answer with <see cref="StatusCode"/>.
/// </summary>
public sealed class SipParseError(SipParseErrorKind kind, string reason, int statusCode = 400, SipRequest? partialRequest = null)
{
    public SipParseErrorKind Kind { get; } = kind;

    public string Reason { get; } = reason;

    /// <summary>The status a response should carry: 400, 505 (version) or 513 (too large).</summary>
    public int StatusCode { get; } = statusCode;

    /// <summary>The request as far as it could be read; headers are kept raw, possibly malformed.</summary>
    public SipRequest? PartialRequest { get; } = partialRequest;

    /// <summary>True when a response can be built and sent (never for responses, ACKs or unreadable requests).</summary>
    public bool CanRespond => PartialRequest is not null;

    public override string ToString() => $"{Kind}: {StatusCode} {Reason}" + (CanRespond ? " (can respond)" : "");
}
