using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>
/// Parses SIP messages from bytes (RFC 3261 §7, §18.3, §25). Pure: no sockets, no timers, no exceptions out of
/// <see cref="TryParse(ReadOnlySpan{byte}, out SipMessage?, out SipParseError?)"/>.
/// <para>
/// Tolerated: CRLFs before the start line, bare LF line ends, header folding, any linear whitespace around ":",
/// compact and oddly cased header names, unknown headers and methods, UTF-8 in reason phrases, quoted strings and
/// unknown header values. Rejected (400 when a response is possible): malformed start lines (extra or trailing
/// spaces, &lt;&gt; or spaces in the Request-URI, headers in a SIP Request-URI), malformed or conflicting
/// Content-Length, a Content-Length beyond the datagram, missing or repeated To/From/Call-ID/CSeq/Max-Forwards,
/// malformed Via/From/To/Contact/Route/Record-Route/Content-Type/CSeq/Max-Forwards values, CSeq method different
/// from the request method; 505 for a version other than SIP/2.0. Semantics beyond syntax (unknown URI scheme 416,
/// Require 420, unknown body 415, Max-Forwards 0 483...) belong to the layers above.
/// </para>
/// </summary>
public static class SipParser
{
    public const int DefaultMaxMessageSize = 64 * 1024;

    private static readonly string[] RequiredHeaders =
        [SipHeaderNames.Via, SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq];

    private static readonly string[] SingleHeaders =
        [SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq, SipHeaderNames.MaxForwards, SipHeaderNames.ContentType];

    /// <summary>
    /// Parses one UDP datagram (one message). The body is Content-Length bytes (extra octets are ignored, RFC 3261
    /// §18.3) or, without Content-Length, the rest of the datagram.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, [NotNullWhen(true)] out SipMessage? message, [NotNullWhen(false)] out SipParseError? error) =>
        TryParse(datagram, DefaultMaxMessageSize, out message, out error);

    public static bool TryParse(ReadOnlySpan<byte> datagram, int maxMessageSize, [NotNullWhen(true)] out SipMessage? message, [NotNullWhen(false)] out SipParseError? error) =>
        Parse(datagram, stream: false, maxMessageSize, out message, out error);

    /// <summary>One complete message from a stream: Content-Length is required and the slice holds exactly the message.</summary>
    internal static bool Parse(ReadOnlySpan<byte> data, bool stream, int maxMessageSize, [NotNullWhen(true)] out SipMessage? message, [NotNullWhen(false)] out SipParseError? error)
    {
        try
        {
            return ParseCore(data, stream, maxMessageSize, out message, out error);
        }
        catch (Exception ex)
        {
            message = null;
            error = new SipParseError(SipParseErrorKind.InternalError, "Unparseable message (" + ex.GetType().Name + ")");
            return false;
        }
    }

    private sealed class State
    {
        public string? Reason;
        public SipParseErrorKind Kind = SipParseErrorKind.Malformed;
        public int Status = 400;

        public bool Failed => Reason is not null;

        public void Fail(string reason, SipParseErrorKind kind = SipParseErrorKind.Malformed, int status = 400)
        {
            if (Reason is null)
            {
                Reason = reason;
                Kind = kind;
                Status = status;
            }
        }
    }

    private static bool ParseCore(ReadOnlySpan<byte> data, bool stream, int maxMessageSize, [NotNullWhen(true)] out SipMessage? message, [NotNullWhen(false)] out SipParseError? error)
    {
        message = null;
        error = null;
        var start = SkipLeadingLineEnds(data);
        if (start == data.Length)
        {
            error = new SipParseError(SipParseErrorKind.Empty, "Empty message");
            return false;
        }

        if (data.Length > maxMessageSize)
        {
            error = new SipParseError(SipParseErrorKind.MessageTooLarge, "Message Too Large", 513);
            return false;
        }

        var lineStart = start;
        var terminated = FindHeaderEnd(data, ref lineStart, out var headerEnd, out var bodyStart);
        if (!terminated)
        {
            headerEnd = data.Length;
            bodyStart = data.Length;
        }

        var head = Encoding.UTF8.GetString(data[start..headerEnd]);
        var lines = SplitLines(head);
        var state = new State();
        var parsed = ParseStartLine(lines[0], state);
        ParseHeaderLines(lines, parsed?.Headers, state);
        if (!terminated)
        {
            state.Fail("Header section not terminated by an empty line");
        }

        if (parsed is not null && !state.Failed)
        {
            var contentLength = ValidateContentLength(parsed.Headers, state);
            if (!state.Failed)
            {
                if (contentLength is { } length)
                {
                    if ((long)bodyStart + length > data.Length)
                    {
                        state.Fail("Content-Length larger than message", SipParseErrorKind.BodyTruncated);
                    }
                    else
                    {
                        parsed.Body = data.Slice(bodyStart, length).ToArray();
                    }
                }
                else if (stream)
                {
                    state.Fail("Missing Content-Length", SipParseErrorKind.MissingContentLength);
                }
                else
                {
                    parsed.Body = data[bodyStart..].ToArray();
                }
            }

            Validate(parsed, state);
        }

        if (!state.Failed && parsed is not null)
        {
            message = parsed;
            return true;
        }

        var partial = parsed as SipRequest;
        if (partial is not null && !CanRespondTo(partial))
        {
            partial = null;
        }

        error = new SipParseError(state.Kind, state.Reason ?? "Malformed message", state.Status, partial);
        return false;
    }

    internal static int SkipLeadingLineEnds(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length && data[i] is (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return i;
    }

    /// <summary>
    /// Finds the empty line ending the header section, resuming at <paramref name="lineStart"/> (the start of a
    /// line; left at the start of the last incomplete line when not found). Bare LF line ends are accepted.
    /// </summary>
    internal static bool FindHeaderEnd(ReadOnlySpan<byte> data, ref int lineStart, out int headerEnd, out int bodyStart)
    {
        while (true)
        {
            var nl = data[lineStart..].IndexOf((byte)'\n');
            if (nl < 0)
            {
                headerEnd = bodyStart = -1;
                return false;
            }

            var lf = lineStart + nl;
            if (lf == lineStart || (lf == lineStart + 1 && data[lineStart] == (byte)'\r'))
            {
                headerEnd = lineStart;
                bodyStart = lf + 1;
                return true;
            }

            lineStart = lf + 1;
        }
    }

    private static List<string> SplitLines(string head)
    {
        var lines = new List<string>(16);
        var i = 0;
        while (i <= head.Length)
        {
            var nl = head.IndexOf('\n', i);
            var end = nl < 0 ? head.Length : nl;
            var lineEnd = end > i && head[end - 1] == '\r' ? end - 1 : end;
            if (nl >= 0 || end > i)
            {
                lines.Add(head[i..lineEnd]);
            }

            if (nl < 0)
            {
                break;
            }

            i = nl + 1;
        }

        if (lines.Count == 0)
        {
            lines.Add("");
        }

        return lines;
    }

    private static SipMessage? ParseStartLine(string line, State state)
    {
        if (line.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
        {
            return ParseStatusLine(line, state);
        }

        // Request-Line = Method SP Request-URI SP SIP-Version, exactly one SP each (RFC 4475 lwsstart, trws, lwsruri).
        var sp1 = line.IndexOf(' ');
        var method = sp1 < 0 ? line : line[..sp1];
        if (!SipText.IsToken(method))
        {
            state.Fail("Malformed Request-Line");
            return null;
        }

        var sp2 = sp1 < 0 ? -1 : line.IndexOf(' ', sp1 + 1);
        if (sp2 < 0 || sp2 == sp1 + 1 || line.IndexOf(' ', sp2 + 1) >= 0)
        {
            state.Fail("Malformed Request-Line");
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return new SipRequest(method, SipUri.Unparsed(parts.Length > 1 ? parts[1] : ""));
        }

        var uriText = line[(sp1 + 1)..sp2];
        var version = line[(sp2 + 1)..];
        SipUri? uri = null;
        if (!IsSipVersion(version))
        {
            state.Fail("Malformed SIP-Version");
        }
        else if (!SipUri.TryParse(uriText, out uri))
        {
            state.Fail("Malformed Request-URI");
        }
        else if (uri.IsSip && uri.Headers.Count > 0)
        {
            // RFC 3261 §19.1.1: headers are not allowed in a Request-URI (RFC 4475 escruri).
            state.Fail("Request-URI must not contain headers");
        }

        if (!version.Equals(SipMessage.Sip20, StringComparison.OrdinalIgnoreCase))
        {
            state.Fail("SIP Version Not Supported", SipParseErrorKind.VersionNotSupported, 505);
        }

        return new SipRequest(method, uri ?? SipUri.Unparsed(uriText)) { Version = version };
    }

    private static SipResponse? ParseStatusLine(string line, State state)
    {
        // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase; the reason may be empty (RFC 4475 noreason).
        var sp = line.IndexOf(' ');
        var version = sp < 0 ? line : line[..sp];
        var rest = sp < 0 ? "" : line[(sp + 1)..];
        if (!IsSipVersion(version) || rest.Length < 3 || !char.IsAsciiDigit(rest[0]) || !char.IsAsciiDigit(rest[1])
            || !char.IsAsciiDigit(rest[2]) || (rest.Length > 3 && rest[3] != ' '))
        {
            state.Fail("Malformed Status-Line");
            return null;
        }

        var code = ((rest[0] - '0') * 100) + ((rest[1] - '0') * 10) + (rest[2] - '0');
        if (code is < 100 or > 699)
        {
            state.Fail("Malformed Status-Line");
            return null;
        }

        if (!version.Equals(SipMessage.Sip20, StringComparison.OrdinalIgnoreCase))
        {
            state.Fail("SIP Version Not Supported", SipParseErrorKind.VersionNotSupported, 505);
            return null;
        }

        return new SipResponse(code, rest.Length > 4 ? rest[4..] : "") { Version = version };
    }

    private static bool IsSipVersion(string s)
    {
        if (s.Length < 7 || !s.StartsWith("SIP/", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var dot = s.IndexOf('.', 4);
        return dot > 4 && dot < s.Length - 1
            && SipText.TryParseDigits(s.AsSpan(4, dot - 4), out _)
            && SipText.TryParseDigits(s.AsSpan(dot + 1), out _);
    }

    /// <summary>Unfolds continuation lines (folding whitespace becomes one SP) and splits name and value.</summary>
    private static void ParseHeaderLines(List<string> lines, SipHeaderCollection? headers, State state)
    {
        var logical = new StringBuilder();
        var have = false;
        for (var k = 1; k < lines.Count; k++)
        {
            var line = lines[k];
            if (line.Length > 0 && SipText.IsWsp(line[0]))
            {
                if (!have)
                {
                    state.Fail("Continuation line without a header");
                    continue;
                }

                var trimmedLength = logical.Length;
                while (trimmedLength > 0 && SipText.IsWsp(logical[trimmedLength - 1]))
                {
                    trimmedLength--;
                }

                logical.Length = trimmedLength;
                logical.Append(' ').Append(line.AsSpan().TrimStart(" \t"));
                continue;
            }

            if (have)
            {
                AddHeader(logical.ToString(), headers, state);
            }

            logical.Clear().Append(line);
            have = true;
        }

        if (have)
        {
            AddHeader(logical.ToString(), headers, state);
        }
    }

    private static void AddHeader(string line, SipHeaderCollection? headers, State state)
    {
        var colon = line.IndexOf(':');
        if (colon < 0)
        {
            state.Fail("Malformed header line");
            return;
        }

        var name = line.AsSpan(0, colon).TrimEnd(" \t");
        if (!SipText.IsToken(name))
        {
            state.Fail("Malformed header name");
            return;
        }

        headers?.AddUnchecked(name.ToString(), line.AsSpan(colon + 1).Trim(" \t").ToString());
    }

    private static int? ValidateContentLength(SipHeaderCollection headers, State state)
    {
        var values = headers.GetAll(SipHeaderNames.ContentLength);
        if (values.Count == 0)
        {
            return null;
        }

        var first = values[0].Trim();
        for (var k = 1; k < values.Count; k++)
        {
            if (!string.Equals(values[k].Trim(), first, StringComparison.Ordinal))
            {
                // RFC 4475 mcl01: the framing is ambiguous.
                state.Fail("Conflicting Content-Length headers");
                return null;
            }
        }

        // 1*DIGIT: "-999" (RFC 4475 ncl) and overflowing values are errors.
        if (!SipText.TryParseDigits(first, out var length) || length > int.MaxValue)
        {
            state.Fail("Malformed Content-Length");
            return null;
        }

        return (int)length;
    }

    private static void Validate(SipMessage message, State state)
    {
        var headers = message.Headers;
        foreach (var name in RequiredHeaders)
        {
            if (!headers.Contains(name))
            {
                state.Fail("Missing " + name + " header");
            }
        }

        foreach (var name in SingleHeaders)
        {
            if (headers.CountOf(name) > 1)
            {
                state.Fail("Multiple " + name + " headers");
            }
        }

        foreach (var via in headers.GetValues(SipHeaderNames.Via, keepEmpty: true))
        {
            if (!SipVia.TryParse(via, out _))
            {
                state.Fail("Malformed Via header");
                break;
            }
        }

        CheckNameAddr(headers.Get(SipHeaderNames.From), "From", state);
        CheckNameAddr(headers.Get(SipHeaderNames.To), "To", state);

        if (headers.Get(SipHeaderNames.CallId) is { } callId && (callId.Length == 0 || SipText.ContainsWhitespaceOrControl(callId)))
        {
            state.Fail("Malformed Call-ID header");
        }

        if (headers.Get(SipHeaderNames.CSeq) is { } cseqText)
        {
            if (!SipCSeq.TryParse(cseqText, out var cseq))
            {
                state.Fail("Malformed CSeq header");
            }
            else if (message is SipRequest request && !string.Equals(cseq.Method, request.Method, StringComparison.Ordinal))
            {
                // RFC 4475 mismatch01/02 (for an unknown method a 501 would also do; 400 is acceptable).
                state.Fail("CSeq method does not match the request method");
            }
        }

        if (headers.Get(SipHeaderNames.MaxForwards) is { } maxForwards
            && (!SipText.TryParseDigits(maxForwards, out var hops) || hops > 255))
        {
            state.Fail("Malformed Max-Forwards header");
        }

        var contacts = headers.GetValues(SipHeaderNames.Contact, keepEmpty: true);
        foreach (var contact in contacts)
        {
            if (!SipNameAddr.TryParse(contact, out var parsed) || (parsed.IsWildcard && contacts.Count > 1))
            {
                state.Fail("Malformed Contact header");
                break;
            }
        }

        CheckRouteSet(headers, SipHeaderNames.Route, state);
        CheckRouteSet(headers, SipHeaderNames.RecordRoute, state);

        if (headers.Get(SipHeaderNames.ContentType) is { } contentType && !SipContentType.TryParse(contentType, out _))
        {
            state.Fail("Malformed Content-Type header");
        }
    }

    private static void CheckNameAddr(string? value, string name, State state)
    {
        if (value is not null && (!SipNameAddr.TryParse(value, out var parsed) || parsed.IsWildcard))
        {
            state.Fail("Malformed " + name + " header");
        }
    }

    private static void CheckRouteSet(SipHeaderCollection headers, string name, State state)
    {
        foreach (var value in headers.GetValues(name, keepEmpty: true))
        {
            if (!SipNameAddr.TryParse(value, out var parsed) || parsed.IsWildcard)
            {
                state.Fail("Malformed " + name + " header");
                return;
            }
        }
    }

    /// <summary>
    /// A 400 (or 505) can be sent when the method is known and not ACK, the top Via yields a sent-by (read
    /// leniently: junk parameters are skipped) and From, To, Call-ID and CSeq are present.
    /// </summary>
    private static bool CanRespondTo(SipRequest request)
    {
        if (request.Method == "ACK")
        {
            return false;
        }

        var headers = request.Headers;
        var vias = headers.GetValues(SipHeaderNames.Via, keepEmpty: true);
        if (vias.Count == 0 || !SipVia.TryParse(vias[0], lenient: true, out _))
        {
            return false;
        }

        foreach (var name in (ReadOnlySpan<string>)[SipHeaderNames.From, SipHeaderNames.To, SipHeaderNames.CallId, SipHeaderNames.CSeq])
        {
            if (string.IsNullOrWhiteSpace(headers.Get(name)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Reads the Content-Length of a header section (used by the stream framer before the body has arrived).
    /// Returns false with a reason when it is malformed or conflicting; <paramref name="length"/> is null when absent.
    /// </summary>
    internal static bool TryReadContentLength(ReadOnlySpan<byte> head, out int? length, [NotNullWhen(false)] out string? reason)
    {
        var headers = new SipHeaderCollection();
        ParseHeaderLines(SplitLines(Encoding.UTF8.GetString(head)), headers, new State());
        var state = new State();
        length = ValidateContentLength(headers, state);
        reason = state.Reason;
        return reason is null;
    }
}
