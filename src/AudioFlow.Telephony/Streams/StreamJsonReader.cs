using System.Buffers;
using System.Buffers.Text;
using System.Collections.ObjectModel;
using System.Text;
using System.Text.Json;

namespace AudioFlow.Telephony.Streams;

/// <summary>
/// The parsing half the dialects share (both sides: AudioFlow's and the simulated provider's). The hot path, <c>media</c>,
/// is one <see cref="Utf8JsonReader"/> walk over pooled UTF-8 that decodes the base64 payload straight from the JSON
/// into its final array; everything else (rare) goes through <see cref="JsonDocument"/>. Every failure comes out as a
/// <see cref="StreamProtocolException"/>.
/// </summary>
internal static class StreamJsonReader
{
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 32 };
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    internal static readonly IReadOnlyDictionary<string, string> NoParameters = ReadOnlyDictionary<string, string>.Empty;

    public static StreamProtocolException Error(string message) => new(message);

    /// <summary>Runs <paramref name="core"/> over the UTF-8 of <paramref name="json"/> (pooled), mapping every failure to a protocol error.</summary>
    public static T ParseText<T>(string json, Func<ReadOnlyMemory<byte>, T> core)
    {
        ArgumentNullException.ThrowIfNull(json);
        byte[] rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            int length = Encoding.UTF8.GetBytes(json, rented);
            return Guard(rented.AsMemory(0, length), core);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Runs <paramref name="core"/>, mapping every failure to a protocol error.</summary>
    public static T Guard<T>(ReadOnlyMemory<byte> utf8, Func<ReadOnlyMemory<byte>, T> core)
    {
        try
        {
            return core(utf8);
        }
        catch (StreamProtocolException)
        {
            throw;
        }
        catch (JsonException e)
        {
            throw new StreamProtocolException("not JSON: " + e.Message, e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException
                                      or OverflowException or IndexOutOfRangeException or DecoderFallbackException)
        {
            throw new StreamProtocolException("malformed message: " + e.Message, e);
        }
    }

    /// <summary>
    /// Finds the root <c>event</c> and returns its index in <paramref name="known"/>, or -1 with the name in
    /// <paramref name="other"/>. Stops at the event; the caller's own parse validates the rest of the message.
    /// </summary>
    public static int FindEvent(ReadOnlySpan<byte> utf8, byte[][] known, out string? other)
    {
        other = null;
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            throw Error("message is not a JSON object");
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool isEvent = reader.ValueTextEquals("event"u8);
            reader.Read();
            if (!isEvent)
            {
                reader.Skip();
                continue;
            }
            if (reader.TokenType != JsonTokenType.String) throw Error("'event' is not a string");
            for (int i = 0; i < known.Length; i++)
                if (reader.ValueTextEquals(known[i])) return i;
            other = reader.GetString() ?? "";
            return -1;
        }
        throw Error("message has no 'event'");
    }

    /// <summary>Reads a <c>media</c> message: root <paramref name="sequenceName"/>, <c>media.{payload,chunk,timestamp,track}</c>.</summary>
    public static StreamMedia ReadMedia(ReadOnlySpan<byte> utf8, ReadOnlySpan<byte> sequenceName, string sequencePath, bool swapL16)
    {
        var reader = new Utf8JsonReader(utf8, ReaderOptions);
        reader.Read();
        byte[]? payload = null;
        long? sequence = null, chunk = null, timestamp = null;
        string? track = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("media"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null) continue;
                if (reader.TokenType != JsonTokenType.StartObject) throw Error("media: 'media' is not an object");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("payload"u8))
                    {
                        reader.Read();
                        payload = ReadBase64(ref reader, "media", "media.payload");
                    }
                    else if (reader.ValueTextEquals("chunk"u8))
                    {
                        reader.Read();
                        chunk = ReadInteger(ref reader, "media", "media.chunk");
                    }
                    else if (reader.ValueTextEquals("timestamp"u8))
                    {
                        reader.Read();
                        timestamp = ReadInteger(ref reader, "media", "media.timestamp");
                    }
                    else if (reader.ValueTextEquals("track"u8))
                    {
                        reader.Read();
                        track = ReadTrack(ref reader);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else if (reader.ValueTextEquals(sequenceName))
            {
                reader.Read();
                sequence = ReadInteger(ref reader, "media", sequencePath);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
        // Anything after the root object is an error (the reader throws on it).
        while (reader.Read()) { }

        if (payload is null) throw Error("media: missing 'media.payload'");
        if (swapL16) SwapBytePairs(payload);
        return new StreamMedia(payload, sequence, chunk, timestamp, track);
    }

    /// <summary>Decodes a base64 string token straight into its final array; null for a JSON null.</summary>
    public static byte[]? ReadBase64(ref Utf8JsonReader reader, string evt, string path)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String) throw Error($"{evt}: '{path}' is not a string");
        if (!reader.TryGetBytesFromBase64(out byte[]? bytes)) throw Error($"{evt}: '{path}' is not valid base64");
        return bytes;
    }

    /// <summary>An integer sent as a JSON number or as a string of digits (Twilio, Telnyx); null for null or "".</summary>
    public static long? ReadInteger(ref Utf8JsonReader reader, string evt, string path)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.Number:
                if (reader.TryGetInt64(out long n)) return n;
                throw Error($"{evt}: '{path}' is not an integer");
            case JsonTokenType.String:
                if (!reader.ValueIsEscaped && !reader.HasValueSequence)
                {
                    var span = reader.ValueSpan;
                    if (span.IsEmpty) return null;
                    if (Utf8Parser.TryParse(span, out long value, out int consumed) && consumed == span.Length) return value;
                    throw Error($"{evt}: '{path}' is not an integer");
                }
                return ParseInteger(reader.GetString(), evt, path);
            default:
                throw Error($"{evt}: '{path}' is not an integer");
        }
    }

    private static string? ReadTrack(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType != JsonTokenType.String) throw Error("media: 'media.track' is not a string");
        if (reader.ValueTextEquals("inbound"u8)) return "inbound";
        if (reader.ValueTextEquals("outbound"u8)) return "outbound";
        if (reader.ValueTextEquals("inbound_track"u8)) return "inbound_track";
        if (reader.ValueTextEquals("outbound_track"u8)) return "outbound_track";
        return reader.GetString();
    }

    /// <summary>Swaps each byte pair in place: big-endian L16 ⇄ little-endian. An odd last byte stays.</summary>
    public static void SwapBytePairs(Span<byte> pcm)
    {
        for (int i = 0; i + 1 < pcm.Length; i += 2)
            (pcm[i], pcm[i + 1]) = (pcm[i + 1], pcm[i]);
    }

    /// <summary>Parses the whole message into a document over the caller's memory (not copied: dispose it before the memory goes).</summary>
    public static JsonDocument Document(ReadOnlyMemory<byte> utf8)
    {
        var document = JsonDocument.Parse(utf8, DocumentOptions);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            throw Error("message is not a JSON object");
        }
        return document;
    }

    // ---- JsonDocument field access with messages naming the event and the field ----

    /// <summary>The property, when present and not JSON null.</summary>
    public static bool TryGet(JsonElement obj, string name, out JsonElement value)
    {
        if (obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null)
            return true;
        value = default;
        return false;
    }

    public static JsonElement? OptionalObject(JsonElement obj, string name, string evt, string path)
    {
        if (!TryGet(obj, name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.Object) throw Error($"{evt}: '{path}' is not an object");
        return value;
    }

    public static JsonElement RequiredObject(JsonElement obj, string name, string evt, string path) =>
        OptionalObject(obj, name, evt, path) ?? throw Error($"{evt}: missing '{path}'");

    /// <summary>A string property; null when absent, JSON null, or empty.</summary>
    public static string? OptionalString(JsonElement obj, string name, string evt, string path)
    {
        if (!TryGet(obj, name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String) throw Error($"{evt}: '{path}' is not a string");
        var text = value.GetString();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    public static string RequiredString(JsonElement obj, string name, string evt, string path) =>
        OptionalString(obj, name, evt, path) ?? throw Error($"{evt}: missing '{path}'");

    /// <summary>An integer as a JSON number or a string of digits; null when absent.</summary>
    public static long? OptionalInteger(JsonElement obj, string name, string evt, string path)
    {
        if (!TryGet(obj, name, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetInt64(out long n) ? n : throw Error($"{evt}: '{path}' is not an integer"),
            JsonValueKind.String => ParseInteger(value.GetString(), evt, path),
            _ => throw Error($"{evt}: '{path}' is not an integer"),
        };
    }

    public static int? OptionalInt32(JsonElement obj, string name, string evt, string path)
    {
        long? value = OptionalInteger(obj, name, evt, path);
        if (value is null) return null;
        if (value is < int.MinValue or > int.MaxValue) throw Error($"{evt}: '{path}' is out of range");
        return (int)value.Value;
    }

    private static long? ParseInteger(string? text, string evt, string path)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (long.TryParse(text, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long value))
            return value;
        throw Error($"{evt}: '{path}' is not an integer");
    }

    /// <summary>A base64 string property decoded; null when absent.</summary>
    public static byte[]? OptionalBase64(JsonElement obj, string name, string evt, string path)
    {
        if (!TryGet(obj, name, out var value)) return null;
        if (value.ValueKind != JsonValueKind.String) throw Error($"{evt}: '{path}' is not a string");
        if (!value.TryGetBytesFromBase64(out byte[]? bytes)) throw Error($"{evt}: '{path}' is not valid base64");
        return bytes;
    }

    /// <summary>
    /// An object of parameters (Twilio <c>customParameters</c>, Telnyx <c>custom_parameters</c>): string values as they
    /// are, numbers and booleans as their JSON text, null as "", nested objects/arrays as their raw JSON.
    /// </summary>
    public static IReadOnlyDictionary<string, string> StringMap(JsonElement obj, string name, string evt, string path)
    {
        var map = OptionalObject(obj, name, evt, path);
        if (map is null) return NoParameters;
        Dictionary<string, string>? result = null;
        foreach (var property in map.Value.EnumerateObject())
        {
            result ??= new Dictionary<string, string>(StringComparer.Ordinal);
            result[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString() ?? "",
                JsonValueKind.Null => "",
                _ => property.Value.GetRawText(),
            };
        }
        return result is null ? NoParameters : result;
    }

    /// <summary>A DTMF key from <c>dtmf.digit</c>: one of 0-9 * # A-D (a-d accepted, made upper case).</summary>
    public static char Digit(JsonElement root, string evt)
    {
        var dtmf = RequiredObject(root, "dtmf", evt, "dtmf");
        if (!TryGet(dtmf, "digit", out var value)) throw Error($"{evt}: missing 'dtmf.digit'");
        string? text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => throw Error($"{evt}: 'dtmf.digit' is not a string"),
        };
        if (text is { Length: 1 } && Dtmf.TryNormalize(text[0], out char digit)) return digit;
        throw Error($"{evt}: 'dtmf.digit' is not a DTMF key (0-9, *, #, A-D): '{Truncate(text ?? "")}'");
    }

    /// <summary>
    /// The human-readable text of a provider error event, whatever its shape: Telnyx <c>payload{code,title,detail}</c>,
    /// an <c>error</c> string or object, root <c>message</c>/<c>reason</c>/<c>description</c>/<c>detail</c>; else the raw JSON.
    /// </summary>
    public static string DescribeError(JsonElement root, string evt)
    {
        string? text = Describe(root);
        if (text is null)
        {
            foreach (var container in (ReadOnlySpan<string>)["payload", "error", "errors", "data", evt])
            {
                if (!TryGet(root, container, out var inner)) continue;
                text = inner.ValueKind switch
                {
                    JsonValueKind.String => inner.GetString(),
                    JsonValueKind.Object => Describe(inner),
                    JsonValueKind.Array => inner.GetArrayLength() > 0 && inner[0].ValueKind == JsonValueKind.Object ? Describe(inner[0]) : null,
                    _ => null,
                };
                if (text is not null) break;
            }
        }
        text ??= Truncate(root.GetRawText());
        return evt == "error" ? text : $"{evt}: {text}";
    }

    private static string? Describe(JsonElement obj)
    {
        string? message = FirstString(obj, "detail", "message", "description", "reason", "error", "title");
        string? title = FirstString(obj, "title");
        string? code = TryGet(obj, "code", out var c) && c.ValueKind is JsonValueKind.Number or JsonValueKind.String
            ? (c.ValueKind == JsonValueKind.String ? c.GetString() : c.GetRawText())
            : null;
        if (message is null && code is null) return null;
        var text = new StringBuilder();
        if (code is not null) text.Append(code);
        if (title is not null && title != message)
        {
            if (text.Length > 0) text.Append(' ');
            text.Append(title);
        }
        if (message is not null)
        {
            if (text.Length > 0) text.Append(": ");
            text.Append(message);
        }
        return text.ToString();
    }

    private static string? FirstString(JsonElement obj, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
            if (TryGet(obj, name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } s)
                return s;
        return null;
    }

    public static string Truncate(string text) => text.Length <= 200 ? text : text[..200] + "…";
}

/// <summary>DTMF key validation shared by parsers and builders.</summary>
internal static class Dtmf
{
    public static bool TryNormalize(char c, out char digit)
    {
        digit = c switch
        {
            >= '0' and <= '9' or '*' or '#' or >= 'A' and <= 'D' => c,
            >= 'a' and <= 'd' => char.ToUpperInvariant(c),
            _ => '\0',
        };
        return digit != '\0';
    }

    /// <summary>Validates a digit string for an outbound DTMF command (upper-cases a-d).</summary>
    public static string Validate(string digits, string paramName)
    {
        ArgumentNullException.ThrowIfNull(digits, paramName);
        if (digits.Length == 0) throw new ArgumentException("no DTMF digits", paramName);
        foreach (char c in digits)
            if (!TryNormalize(c, out _)) throw new ArgumentException($"'{c}' is not a DTMF key (0-9, *, #, A-D)", paramName);
        return digits.ToUpperInvariant();
    }
}
