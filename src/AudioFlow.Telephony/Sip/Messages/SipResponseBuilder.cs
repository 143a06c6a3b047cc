namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>Builds responses to requests per RFC 3261 §8.2.6.</summary>
public static class SipResponseBuilder
{
    /// <summary>
    /// A response to <paramref name="request"/>: every Via line copied in order, From, To (with
    /// <paramref name="toTag"/> added when given and the To has no tag yet), Call-ID, CSeq, and for a 100 the
    /// Timestamp. Values are copied as received. Content-Length is written by <see cref="SipMessage.ToBytes"/>.
    /// Pass no tag for a 100 Trying (RFC 3261 §8.2.6.2).
    /// </summary>
    public static SipResponse For(SipRequest request, int statusCode, string? reasonPhrase = null, string? toTag = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (toTag is not null && !SipText.IsToken(toTag))
        {
            throw new ArgumentException("A tag must be a token.", nameof(toTag));
        }

        var response = new SipResponse(statusCode, reasonPhrase ?? DefaultReason(statusCode));
        var headers = request.Headers;
        for (var i = 0; i < headers.Count; i++)
        {
            if (headers.CanonicalNameAt(i) == SipHeaderNames.Via)
            {
                response.Headers.AddUnchecked(SipHeaderNames.Via, headers[i].Value);
            }
        }

        CopyFirst(headers, response.Headers, SipHeaderNames.From);
        if (headers.Get(SipHeaderNames.To) is { } to)
        {
            response.Headers.AddUnchecked(SipHeaderNames.To, toTag is null || HasTag(to) ? to : to + ";tag=" + toTag);
        }

        CopyFirst(headers, response.Headers, SipHeaderNames.CallId);
        CopyFirst(headers, response.Headers, SipHeaderNames.CSeq);
        if (statusCode == 100)
        {
            CopyFirst(headers, response.Headers, SipHeaderNames.Timestamp);
        }

        return response;
    }

    /// <summary>
    /// The response a parse error calls for (400 with the error's reason, 505...), or null when none can be sent
    /// (<see cref="SipParseError.CanRespond"/> false).
    /// </summary>
    public static SipResponse? ForParseError(SipParseError error, string? toTag = null)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.PartialRequest is { } request ? For(request, error.StatusCode, error.Reason, toTag) : null;
    }

    private static bool HasTag(string to) =>
        SipNameAddr.TryParse(to, out var nameAddr)
            ? nameAddr.Tag is not null
            : to.Contains(";tag=", StringComparison.OrdinalIgnoreCase);

    private static void CopyFirst(SipHeaderCollection from, SipHeaderCollection to, string name)
    {
        if (from.Get(name) is { } value)
        {
            to.AddUnchecked(name, value);
        }
    }

    /// <summary>The usual reason phrase of a status code (RFC 3261 §21 and extensions).</summary>
    public static string DefaultReason(int statusCode) => statusCode switch
    {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        199 => "Early Dialog Terminated",
        200 => "OK",
        202 => "Accepted",
        204 => "No Notification",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        305 => "Use Proxy",
        380 => "Alternative Service",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        410 => "Gone",
        412 => "Conditional Request Failed",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        421 => "Extension Required",
        422 => "Session Interval Too Small",
        423 => "Interval Too Brief",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        484 => "Address Incomplete",
        485 => "Ambiguous",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        489 => "Bad Event",
        491 => "Request Pending",
        493 => "Undecipherable",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        580 => "Precondition Failure",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        606 => "Not Acceptable",
        _ => statusCode switch
        {
            < 200 => "Session Progress",
            < 300 => "OK",
            < 400 => "Redirect",
            < 500 => "Client Error",
            < 600 => "Server Error",
            _ => "Global Failure",
        },
    };
}
