using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace AudioFlow.Telephony.Sip.Sdp;

/// <summary>
/// Parses SDP (RFC 8866). Pure; throws nothing but <see cref="SdpParseException"/>.
/// <para>
/// Tolerated: CRLF, bare LF or bare CR line ends; blank lines; whitespace before a line and after its value;
/// missing or empty s= (becomes "-"); missing o= or t=; unknown line types and attributes (kept); lines out of RFC
/// order; malformed b= (kept as an unknown line); several blanks between tokens; an o= username holding spaces.
/// Malformed well-known attributes (rtpmap, fmtp, ptime, rtcp...) are kept verbatim and skipped by the typed accessors.
/// </para>
/// <para>
/// Rejected: empty input, input over <see cref="MaxLength"/> characters, a first line other than v=0, lines that
/// are not "&lt;letter&gt;=&lt;value&gt;", a second v= (two SDPs glued), a repeated session-level o=, s= or c= or a
/// repeated media-level c=, and malformed o= (fewer than 6 fields), c= (not 3 fields), t= (not two integers) or m=
/// (fewer than 3 fields, port not 0..65535, bad port count).
/// </para>
/// </summary>
public static class SdpParser
{
    /// <summary>Largest SDP accepted, in characters (a SIP body over UDP is far smaller).</summary>
    public const int MaxLength = 64 * 1024;

    /// <summary>Parses SDP text; throws <see cref="SdpParseException"/> when it is unusable.</summary>
    public static SdpSession Parse(string text)
    {
        try
        {
            return ParseCore(text);
        }
        catch (SdpParseException)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            throw new SdpParseException("unparseable SDP (" + ex.GetType().Name + ")") { IsInternalError = true };
        }
    }

    /// <summary>Parses a UTF-8 SDP body (invalid UTF-8 becomes U+FFFD and is kept as text).</summary>
    public static SdpSession Parse(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxLength * 4)
        {
            throw new SdpParseException($"SDP larger than {MaxLength} characters");
        }

        return Parse(Encoding.UTF8.GetString(utf8));
    }

    public static bool TryParse(string? text, [NotNullWhen(true)] out SdpSession? session, [NotNullWhen(false)] out SdpParseException? error)
    {
        try
        {
            session = Parse(text!);
            error = null;
            return true;
        }
        catch (SdpParseException ex)
        {
            session = null;
            error = ex;
            return false;
        }
    }

    public static bool TryParse(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out SdpSession? session, [NotNullWhen(false)] out SdpParseException? error)
    {
        try
        {
            session = Parse(utf8);
            error = null;
            return true;
        }
        catch (SdpParseException ex)
        {
            session = null;
            error = ex;
            return false;
        }
    }

    private sealed class MediaBuilder(SdpMedia header)
    {
        public SdpMedia Header { get; } = header;
        public SdpConnection? Connection;
        public readonly List<SdpBandwidth> Bandwidths = [];
        public readonly List<SdpAttribute> Attributes = [];
        public readonly List<SdpLine> OtherLines = [];

        public SdpMedia Build() => new()
        {
            MediaType = Header.MediaType,
            Port = Header.Port,
            PortCount = Header.PortCount,
            Protocol = Header.Protocol,
            Formats = Header.Formats,
            Connection = Connection,
            Bandwidths = Bandwidths,
            Attributes = Attributes,
            OtherLines = OtherLines,
        };
    }

    private static SdpSession ParseCore(string? text)
    {
        if (text is null)
        {
            throw new SdpParseException("no SDP");
        }

        if (text.Length > MaxLength)
        {
            throw new SdpParseException($"SDP larger than {MaxLength} characters");
        }

        var sawVersion = false;
        SdpOrigin? origin = null;
        string? sessionName = null;
        SdpConnection? connection = null;
        var bandwidths = new List<SdpBandwidth>();
        var timings = new List<SdpTiming>();
        var attributes = new List<SdpAttribute>();
        var otherLines = new List<SdpLine>();
        var media = new List<SdpMedia>();
        MediaBuilder? current = null;

        var lineNumber = 0;
        var position = 0;
        while (position < text.Length)
        {
            var end = text.AsSpan(position).IndexOfAny('\r', '\n');
            var raw = end < 0 ? text.AsSpan(position) : text.AsSpan(position, end);
            position = end < 0 ? text.Length : position + end + (text[position + end] == '\r' && position + end + 1 < text.Length && text[position + end + 1] == '\n' ? 2 : 1);
            lineNumber++;

            var line = raw.Trim(" \t").ToString();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length < 2 || line[1] != '=' || !char.IsAsciiLetter(line[0]))
            {
                throw new SdpParseException("not a <type>=<value> line", lineNumber);
            }

            var type = line[0];
            var value = line[2..];

            if (!sawVersion)
            {
                if (type != 'v')
                {
                    throw new SdpParseException("SDP must start with v=", lineNumber);
                }

                if (value.Trim() != "0")
                {
                    throw new SdpParseException("unsupported SDP version", lineNumber);
                }

                sawVersion = true;
                continue;
            }

            switch (type)
            {
                case 'v':
                    throw new SdpParseException("second v= line", lineNumber);

                case 'm':
                    if (current is not null)
                    {
                        media.Add(current.Build());
                    }

                    current = new MediaBuilder(ParseMediaLine(value, lineNumber));
                    break;

                case 'c':
                    var c = ParseConnection(value, lineNumber);
                    if (current is not null)
                    {
                        if (current.Connection is not null)
                        {
                            throw new SdpParseException("more than one c= in a media description", lineNumber);
                        }

                        current.Connection = c;
                    }
                    else
                    {
                        if (connection is not null)
                        {
                            throw new SdpParseException("more than one session-level c=", lineNumber);
                        }

                        connection = c;
                    }

                    break;

                case 'b':
                    var bandwidth = ParseBandwidth(value);
                    if (bandwidth is null)
                    {
                        (current?.OtherLines ?? otherLines).Add(new SdpLine(type, value));
                    }
                    else
                    {
                        (current?.Bandwidths ?? bandwidths).Add(bandwidth);
                    }

                    break;

                case 'a':
                    var colon = value.IndexOf(':');
                    var attribute = colon < 0 ? new SdpAttribute(value) : new SdpAttribute(value[..colon], value[(colon + 1)..]);
                    (current?.Attributes ?? attributes).Add(attribute);
                    break;

                case 'o' when current is null:
                    if (origin is not null)
                    {
                        throw new SdpParseException("more than one o=", lineNumber);
                    }

                    origin = ParseOrigin(value, lineNumber);
                    break;

                case 's' when current is null:
                    if (sessionName is not null)
                    {
                        throw new SdpParseException("more than one s=", lineNumber);
                    }

                    sessionName = value.Trim().Length == 0 ? "-" : value;
                    break;

                case 't' when current is null:
                    timings.Add(ParseTiming(value, lineNumber));
                    break;

                default:
                    (current?.OtherLines ?? otherLines).Add(new SdpLine(type, value));
                    break;
            }
        }

        if (!sawVersion)
        {
            throw new SdpParseException("empty SDP");
        }

        if (current is not null)
        {
            media.Add(current.Build());
        }

        return new SdpSession
        {
            Version = 0,
            Origin = origin,
            SessionName = sessionName ?? "-",
            Connection = connection,
            Bandwidths = bandwidths,
            Timings = timings,
            Attributes = attributes,
            OtherLines = otherLines,
            Media = media,
        };
    }

    private static SdpOrigin ParseOrigin(string value, int lineNumber)
    {
        var t = SdpText.Tokens(value);
        if (t.Length < 6)
        {
            throw new SdpParseException("o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> <address>", lineNumber);
        }

        // A username holding spaces (seen in the wild) takes all the leading tokens.
        var n = t.Length;
        return new SdpOrigin(string.Join(' ', t[..(n - 5)]), t[n - 5], t[n - 4], t[n - 3], t[n - 2], t[n - 1]);
    }

    private static SdpConnection ParseConnection(string value, int lineNumber)
    {
        var t = SdpText.Tokens(value);
        if (t.Length != 3)
        {
            throw new SdpParseException("c= needs <nettype> <addrtype> <address>", lineNumber);
        }

        return new SdpConnection(t[0], t[1], t[2]);
    }

    private static SdpTiming ParseTiming(string value, int lineNumber)
    {
        var t = SdpText.Tokens(value);
        if (t.Length != 2 || !SdpText.TryParseULong(t[0], out var start) || !SdpText.TryParseULong(t[1], out var stop))
        {
            throw new SdpParseException("t= needs <start-time> <stop-time>", lineNumber);
        }

        return new SdpTiming(start, stop);
    }

    private static SdpBandwidth? ParseBandwidth(string value)
    {
        var colon = value.IndexOf(':');
        if (colon <= 0 || value.AsSpan(0, colon).ContainsAny(" \t"))
        {
            return null;
        }

        var number = value[(colon + 1)..].Trim();
        return number.Length is > 0 and <= 18 && number.All(char.IsAsciiDigit) ? new SdpBandwidth(value[..colon], long.Parse(number, System.Globalization.CultureInfo.InvariantCulture)) : null;
    }

    private static SdpMedia ParseMediaLine(string value, int lineNumber)
    {
        var t = SdpText.Tokens(value);
        if (t.Length < 3)
        {
            throw new SdpParseException("m= needs <media> <port> <proto> <fmt>...", lineNumber);
        }

        var portText = t[1];
        int? count = null;
        var slash = portText.IndexOf('/');
        if (slash >= 0)
        {
            if (!SdpText.TryParseInt(portText[(slash + 1)..], 1, 65535, out var n))
            {
                throw new SdpParseException("m= port count is not a number", lineNumber);
            }

            count = n;
            portText = portText[..slash];
        }

        if (!SdpText.TryParseInt(portText, 0, 65535, out var port))
        {
            throw new SdpParseException("m= port is not 0..65535", lineNumber);
        }

        return new SdpMedia { MediaType = t[0], Port = port, PortCount = count, Protocol = t[2], Formats = t[3..] };
    }
}
