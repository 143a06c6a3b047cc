using System.Globalization;
using System.Text;
using System.Xml;
using AudioFlow.Audio.Channel;

namespace AudioFlow.Telephony.Streams;

/// <summary>
/// The XML documents AudioFlow answers a provider's webhook with: connect the call to a media stream
/// (Plivo/Vobiz XML <c>&lt;Stream&gt;</c>, Twilio TwiML and Telnyx TeXML <c>&lt;Connect&gt;&lt;Stream&gt;</c>), or
/// transfer it (<c>&lt;Dial&gt;</c>). Written with <see cref="XmlWriter"/>, so every value is escaped. Invalid
/// arguments throw <see cref="ArgumentException"/> naming the provider rule they break.
/// </summary>
public static class StreamAnswers
{
    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        Indent = false,
        OmitXmlDeclaration = false,
    };

    /// <summary>
    /// Plivo/Vobiz: <c>&lt;Response&gt;&lt;Stream bidirectional="true" keepCallAlive="true"
    /// contentType="audio/x-mulaw;rate=8000" …&gt;wss://host/path&lt;/Stream&gt;&lt;/Response&gt;</c> (the URL is the element text).
    /// </summary>
    public static string PlivoStreamXml(StreamAnswerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateWebSocketUrl(options.Url, requireSecure: false, nameof(options));
        string contentType = ContentTypes.ToPlivoContentType(options.ContentType);
        if (options.KeepCallAlive && !options.Bidirectional)
            throw new ArgumentException("keepCallAlive requires bidirectional=true", nameof(options));
        if (options.AudioTrack is { } track)
        {
            if (track is not ("inbound" or "outbound" or "both"))
                throw new ArgumentException($"audioTrack must be inbound, outbound or both, not '{track}'", nameof(options));
            if (options.Bidirectional && track != "inbound")
                throw new ArgumentException("a bidirectional stream takes audioTrack=\"inbound\" only (\"both\" hangs the call up)", nameof(options));
        }
        if (options.StreamTimeoutSeconds is <= 0)
            throw new ArgumentException("streamTimeout must be positive", nameof(options));
        if (options.MaxRetries is < 0 or > 10)
            throw new ArgumentException("maxRetries must be 0..10", nameof(options));
        if (options.StatusCallbackUrl is { } callback && !Uri.TryCreate(callback, UriKind.Absolute, out _))
            throw new ArgumentException($"statusCallbackUrl is not an absolute URL: '{callback}'", nameof(options));
        if (options.StatusCallbackUrl is not null && options.StatusCallbackMethod is not ("GET" or "POST"))
            throw new ArgumentException("statusCallbackMethod must be GET or POST", nameof(options));
        string? extraHeaders = options.ExtraHeaders is { Count: > 0 } headers ? PlivoExtraHeaders(headers) : null;

        return Write(x =>
        {
            x.WriteStartElement("Response");
            x.WriteStartElement("Stream");
            x.WriteAttributeString("bidirectional", options.Bidirectional ? "true" : "false");
            if (options.AudioTrack is not null) x.WriteAttributeString("audioTrack", options.AudioTrack);
            x.WriteAttributeString("keepCallAlive", options.KeepCallAlive ? "true" : "false");
            x.WriteAttributeString("contentType", contentType);
            if (options.StreamTimeoutSeconds is { } timeout)
                x.WriteAttributeString("streamTimeout", timeout.ToString(CultureInfo.InvariantCulture));
            if (options.StatusCallbackUrl is not null)
            {
                x.WriteAttributeString("statusCallbackUrl", options.StatusCallbackUrl);
                x.WriteAttributeString("statusCallbackMethod", options.StatusCallbackMethod);
            }
            if (extraHeaders is not null) x.WriteAttributeString("extraHeaders", extraHeaders);
            if (options.MaxRetries is { } retries)
                x.WriteAttributeString("maxRetries", retries.ToString(CultureInfo.InvariantCulture));
            x.WriteString(options.Url);
            x.WriteEndElement();
            x.WriteEndElement();
        });
    }

    private static string PlivoExtraHeaders(IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in headers)
        {
            if (string.IsNullOrEmpty(key) || !IsAlphanumeric(key) || !IsAlphanumeric(value ?? ""))
                throw new ArgumentException($"extraHeaders keys and values must be [A-Za-z0-9]: '{key}={value}'", nameof(headers));
            if (text.Length > 0) text.Append(',');
            text.Append(key).Append('=').Append(value);
        }
        if (text.Length > 512) throw new ArgumentException("extraHeaders must be at most 512 bytes", nameof(headers));
        return text.ToString();
    }

    private static bool IsAlphanumeric(string text)
    {
        foreach (char c in text)
            if (!char.IsAsciiLetterOrDigit(c)) return false;
        return true;
    }

    /// <summary>
    /// Twilio: <c>&lt;Response&gt;&lt;Connect&gt;&lt;Stream url="wss://…"&gt;&lt;Parameter name="…" value="…"/&gt;…&lt;/Stream&gt;&lt;/Connect&gt;&lt;/Response&gt;</c>,
    /// a bidirectional stream that holds the call until AudioFlow closes the socket.
    /// </summary>
    /// <param name="url">A wss:// URL without a query string (Twilio error 31920): pass values as parameters.</param>
    /// <param name="parameters">Custom parameters, names and values under 500 characters each; they arrive in <c>start.customParameters</c>.</param>
    public static string TwilioConnectStream(string url, IEnumerable<KeyValuePair<string, string>>? parameters = null)
    {
        ValidateWebSocketUrl(url, requireSecure: true, nameof(url));
        if (new Uri(url).Query.Length > 0 || url.Contains('?'))
            throw new ArgumentException("Twilio rejects a stream URL with a query string (error 31920); pass values as <Parameter>s", nameof(url));
        var list = ValidateParameters(parameters, nameof(parameters));
        return Write(x =>
        {
            x.WriteStartElement("Response");
            x.WriteStartElement("Connect");
            x.WriteStartElement("Stream");
            x.WriteAttributeString("url", url);
            WriteParameters(x, list);
            x.WriteEndElement();
            x.WriteEndElement();
            x.WriteEndElement();
        });
    }

    /// <summary>
    /// Telnyx TeXML: <c>&lt;Response&gt;&lt;Connect&gt;&lt;Stream url="wss://…" track="inbound_track" bidirectionalMode="rtp"
    /// bidirectionalCodec="PCMU" bidirectionalSamplingRate="8000"/&gt;&lt;/Connect&gt;&lt;/Response&gt;</c>.
    /// <c>&lt;Connect&gt;</c> runs the stream synchronously (the call stays up while the socket does); a bare or
    /// <c>&lt;Start&gt;</c>-wrapped <c>&lt;Stream&gt;</c> is asynchronous and the call would run off the end of the document.
    /// For PCMU/PCMA the inbound <c>codec</c> is set to the same codec (Telnyx transcodes between those two only).
    /// </summary>
    /// <param name="url">The WebSocket URL (ws:// or wss://).</param>
    /// <param name="format">The bidirectional codec and rate: PCMU/PCMA 8000, G722, L16 8000/16000/24000.</param>
    /// <param name="parameters">Custom parameters as <c>&lt;Parameter&gt;</c> children (TwiML-compatible; unverified that TeXML passes them into <c>custom_parameters</c>).</param>
    public static string TelnyxTexmlStream(string url, MediaFormat format, IEnumerable<KeyValuePair<string, string>>? parameters = null)
    {
        ValidateWebSocketUrl(url, requireSecure: false, nameof(url));
        ArgumentNullException.ThrowIfNull(format);
        string codec = ContentTypes.TelnyxCodec(format);
        if (format.Encoding == AudioEncoding.L16 && format.SampleRate is not (8000 or 16000 or 24000))
            throw new ArgumentException($"Telnyx bidirectional L16 is 8000, 16000 or 24000 Hz, not {format.SampleRate}", nameof(format));
        var list = ValidateParameters(parameters, nameof(parameters));
        return Write(x =>
        {
            x.WriteStartElement("Response");
            x.WriteStartElement("Connect");
            x.WriteStartElement("Stream");
            x.WriteAttributeString("url", url);
            x.WriteAttributeString("track", "inbound_track");
            if (format.Encoding is AudioEncoding.Pcmu or AudioEncoding.Pcma) x.WriteAttributeString("codec", codec);
            x.WriteAttributeString("bidirectionalMode", "rtp");
            x.WriteAttributeString("bidirectionalCodec", codec);
            x.WriteAttributeString("bidirectionalSamplingRate", format.SampleRate.ToString(CultureInfo.InvariantCulture));
            WriteParameters(x, list);
            x.WriteEndElement();
            x.WriteEndElement();
            x.WriteEndElement();
        });
    }

    /// <summary>
    /// Plivo/Vobiz transfer: <c>&lt;Response&gt;&lt;Dial&gt;&lt;Number&gt;+1…&lt;/Number&gt;&lt;/Dial&gt;&lt;/Response&gt;</c> for a phone
    /// number, <c>&lt;Dial&gt;&lt;User&gt;sip:…&lt;/User&gt;&lt;/Dial&gt;</c> for a SIP URI.
    /// </summary>
    /// <param name="target">An E.164-style number ("+15551234567"; spaces, dashes, dots and parentheses are dropped) or a sip:/sips: URI.</param>
    /// <param name="callerId">Optional <c>callerId</c> attribute of <c>&lt;Dial&gt;</c>.</param>
    public static string PlivoTransferXml(string target, string? callerId = null) => Dial(target, callerId, "User");

    /// <summary>
    /// Twilio transfer: <c>&lt;Response&gt;&lt;Dial&gt;&lt;Number&gt;+1…&lt;/Number&gt;&lt;/Dial&gt;&lt;/Response&gt;</c> for a phone number,
    /// <c>&lt;Dial&gt;&lt;Sip&gt;sip:…&lt;/Sip&gt;&lt;/Dial&gt;</c> for a SIP URI.
    /// </summary>
    public static string TwilioDialTwiml(string target, string? callerId = null) => Dial(target, callerId, "Sip");

    /// <summary>Telnyx TeXML transfer: the TwiML shape (<c>&lt;Number&gt;</c> / <c>&lt;Sip&gt;</c>), which TeXML supports.</summary>
    public static string TelnyxDialTexml(string target, string? callerId = null) => Dial(target, callerId, "Sip");

    private static string Dial(string target, string? callerId, string sipNoun)
    {
        var (isSip, normalized) = ClassifyTarget(target);
        if (callerId is not null && string.IsNullOrWhiteSpace(callerId))
            throw new ArgumentException("callerId is blank", nameof(callerId));
        return Write(x =>
        {
            x.WriteStartElement("Response");
            x.WriteStartElement("Dial");
            if (callerId is not null) x.WriteAttributeString("callerId", callerId);
            x.WriteElementString(isSip ? sipNoun : "Number", normalized);
            x.WriteEndElement();
            x.WriteEndElement();
        });
    }

    /// <summary>Whether a transfer target is a SIP URI or a phone number, and its normalised text.</summary>
    internal static (bool IsSip, string Target) ClassifyTarget(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        string trimmed = target.Trim();
        if (trimmed.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || trimmed.StartsWith("sips:", StringComparison.OrdinalIgnoreCase))
        {
            int colon = trimmed.IndexOf(':');
            if (trimmed.Length <= colon + 1 || trimmed.AsSpan().IndexOfAny(" \t\r\n<>\"") >= 0)
                throw new ArgumentException($"not a SIP URI: '{target}'", nameof(target));
            return (true, trimmed);
        }

        var number = new StringBuilder(trimmed.Length);
        for (int i = 0; i < trimmed.Length; i++)
        {
            char c = trimmed[i];
            if (char.IsAsciiDigit(c) || (c == '+' && i == 0)) number.Append(c);
            else if (c is ' ' or '-' or '.' or '(' or ')') continue;
            else throw new ArgumentException($"not a phone number or SIP URI: '{target}'", nameof(target));
        }
        int digits = number.Length - (number.Length > 0 && number[0] == '+' ? 1 : 0);
        if (digits is < 2 or > 15)
            throw new ArgumentException($"not a phone number or SIP URI: '{target}' (2 to 15 digits)", nameof(target));
        return (false, number.ToString());
    }

    private static void ValidateWebSocketUrl(string url, bool requireSecure, string paramName)
    {
        ArgumentNullException.ThrowIfNull(url, paramName);
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException($"stream URL is not absolute: '{url}'", paramName);
        // Twilio only dials wss://; plain ws:// is allowed for loopback hosts so a node can be tested locally
        // (the provider simulator, an SSH tunnel) without a certificate.
        bool ok = requireSecure ? uri.Scheme == "wss" || (uri.Scheme == "ws" && uri.IsLoopback) : uri.Scheme is "wss" or "ws";
        if (!ok)
            throw new ArgumentException($"stream URL must be {(requireSecure ? "wss:// (ws:// only on loopback)" : "ws:// or wss://")}: '{url}'", paramName);
    }

    private static List<KeyValuePair<string, string>> ValidateParameters(IEnumerable<KeyValuePair<string, string>>? parameters, string paramName)
    {
        var list = new List<KeyValuePair<string, string>>();
        if (parameters is null) return list;
        foreach (var (name, value) in parameters)
        {
            if (string.IsNullOrEmpty(name)) throw new ArgumentException("a stream parameter has no name", paramName);
            if (name.Length >= 500 || (value?.Length ?? 0) >= 500)
                throw new ArgumentException($"stream parameter '{StreamJsonReader.Truncate(name)}': name and value must be under 500 characters", paramName);
            if (!IsXmlText(name) || !IsXmlText(value ?? ""))
                throw new ArgumentException($"stream parameter '{StreamJsonReader.Truncate(name)}' holds characters XML cannot carry", paramName);
            list.Add(new(name, value ?? ""));
        }
        return list;
    }

    private static bool IsXmlText(string text)
    {
        try
        {
            XmlConvert.VerifyXmlChars(text);
            return true;
        }
        catch (XmlException)
        {
            return false;
        }
    }

    private static void WriteParameters(XmlWriter x, List<KeyValuePair<string, string>> parameters)
    {
        foreach (var (name, value) in parameters)
        {
            x.WriteStartElement("Parameter");
            x.WriteAttributeString("name", name);
            x.WriteAttributeString("value", value);
            x.WriteEndElement();
        }
    }

    private static string Write(Action<XmlWriter> body)
    {
        using var stream = new MemoryStream();
        using (var x = XmlWriter.Create(stream, Settings))
        {
            x.WriteStartDocument();
            body(x);
            x.WriteEndDocument();
        }
        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }
}
