using System.Text.Json;
using AudioFlow.Audio.Channel;
using static AudioFlow.Telephony.Streams.StreamJsonReader;

namespace AudioFlow.Telephony.Streams;

/// <summary>
/// Plivo's audio-stream WebSocket dialect, AudioFlow's side; Vobiz speaks the same (<see cref="VobizDialect"/>).
/// In: <c>start</c> (nested <c>start.{callId,streamId,mediaFormat}</c> or the older flat shape with a root
/// <c>contentType</c>; <c>extra_headers</c> "k=v;k2=v2" or "k=v,k2=v2"), <c>media</c>, <c>dtmf</c>,
/// <c>playedStream</c>/<c>played</c>, <c>clearedAudio</c>, <c>stop</c>, <c>playFailed</c>/<c>error</c>.
/// Out: <c>playAudio</c>, <c>checkpoint</c>, <c>clearAudio</c>, <c>sendDTMF</c>, <c>stop</c>.
/// Pending checkpoints are never acknowledged after a clear, so <see cref="EchoesMarksOnClear"/> is false.
/// </summary>
public class PlivoDialect : IUtf8StreamDialect
{
    private static readonly byte[][] Events =
    [
        "media"u8.ToArray(), "start"u8.ToArray(), "dtmf"u8.ToArray(), "playedStream"u8.ToArray(), "played"u8.ToArray(),
        "clearedAudio"u8.ToArray(), "stop"u8.ToArray(), "playFailed"u8.ToArray(), "error"u8.ToArray(),
    ];

    private static readonly StreamCleared Cleared = new();

    private readonly Func<ReadOnlyMemory<byte>, StreamMessage> _parse;

    public PlivoDialect() => _parse = ParseCore;

    /// <summary>
    /// Inbound L16 <c>media.payload</c> is big-endian: swap every inbound media payload to little-endian.
    /// A Vobiz skill document says Vobiz sends L16 big-endian (and wants <c>playAudio</c> little-endian); another Plivo
    /// implementation decodes it little-endian. Unverified, hence default false. Parsing is stateless, so this swaps
    /// <em>every</em> media payload: set it only on an instance serving an L16 stream (<see cref="For"/> does that).
    /// </summary>
    public bool L16BigEndianInbound { get; init; }

    /// <summary>A dialect for a stream answered with <paramref name="format"/>: byte-swapping only when it is L16 and the option is on.</summary>
    public static PlivoDialect For(MediaFormat format, bool l16BigEndianInbound = false, bool vobiz = false)
    {
        ArgumentNullException.ThrowIfNull(format);
        bool swap = l16BigEndianInbound && format.Encoding == AudioEncoding.L16;
        return vobiz ? new VobizDialect { L16BigEndianInbound = swap } : new PlivoDialect { L16BigEndianInbound = swap };
    }

    public virtual string Name => "plivo";

    public bool EchoesMarksOnClear => false;

    public StreamMessage Parse(string json) => ParseText(json, _parse);

    public StreamMessage Parse(ReadOnlyMemory<byte> utf8) => Guard(utf8, _parse);

    private StreamMessage ParseCore(ReadOnlyMemory<byte> utf8)
    {
        int index = FindEvent(utf8.Span, Events, out string? other);
        if (index == 0) return ReadMedia(utf8.Span, "sequenceNumber"u8, "sequenceNumber", L16BigEndianInbound);

        using var document = Document(utf8);
        var root = document.RootElement;
        return index switch
        {
            1 => ParseStart(root),
            2 => new StreamDtmf(Digit(root, "dtmf")),
            3 => new StreamMarkAcknowledged(RequiredString(root, "name", "playedStream", "name")),
            4 => new StreamMarkAcknowledged(RequiredString(root, "name", "played", "name")),
            5 => Cleared,
            6 => new StreamStopped(OptionalString(root, "reason", "stop", "reason")
                                   ?? (OptionalObject(root, "stop", "stop", "stop") is { } stop ? OptionalString(stop, "reason", "stop", "stop.reason") : null)),
            7 => new StreamProviderError(DescribeError(root, "playFailed")),
            8 => new StreamProviderError(DescribeError(root, "error")),
            _ => new StreamUnknownEvent(other!),
        };
    }

    private static StreamStarted ParseStart(JsonElement root)
    {
        const string evt = "start";
        var start = OptionalObject(root, "start", evt, "start");
        string callId = (start is { } s1 ? OptionalString(s1, "callId", evt, "start.callId") : null)
                        ?? OptionalString(root, "callId", evt, "callId")
                        ?? throw Error("start: missing 'start.callId'");
        string streamId = (start is { } s2 ? OptionalString(s2, "streamId", evt, "start.streamId") : null)
                          ?? OptionalString(root, "streamId", evt, "streamId")
                          ?? throw Error("start: missing 'start.streamId'");

        MediaFormat format;
        if (start is { } s3 && OptionalObject(s3, "mediaFormat", evt, "start.mediaFormat") is { } mediaFormat)
        {
            string encoding = RequiredString(mediaFormat, "encoding", evt, "start.mediaFormat.encoding");
            int? rate = OptionalInt32(mediaFormat, "sampleRate", evt, "start.mediaFormat.sampleRate");
            format = ParseFormat(encoding, rate, "start.mediaFormat.encoding");
        }
        else if (OptionalString(root, "contentType", evt, "contentType") is { } contentType)
        {
            format = ParseFormat(contentType, null, "contentType");
        }
        else
        {
            // Neither shape carries it: Plivo's and Vobiz's documented default content type.
            format = MediaFormat.L16At8k;
        }

        var parameters = ExtraHeaders(root, start);
        return new StreamStarted(callId, streamId, format, parameters, null, null);
    }

    private static MediaFormat ParseFormat(string contentType, int? rate, string path) =>
        ContentTypes.TryParse(contentType, rate, out var format, out string error)
            ? format
            : throw Error($"start: '{path}': {error}");

    /// <summary><c>extra_headers</c> (root, or inside <c>start</c>): "k=v;k2=v2", "k=v,k2=v2", or an object.</summary>
    internal static IReadOnlyDictionary<string, string> ExtraHeaders(JsonElement root, JsonElement? start)
    {
        JsonElement owner;
        string path;
        if (TryGet(root, "extra_headers", out _)) (owner, path) = (root, "extra_headers");
        else if (start is { } s && TryGet(s, "extra_headers", out _)) (owner, path) = (s, "start.extra_headers");
        else return NoParameters;

        var value = owner.GetProperty("extra_headers");
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                return StringMap(owner, "extra_headers", "start", path);
            case JsonValueKind.String:
                string text = value.GetString() ?? "";
                if (!text.TrimStart().StartsWith('{')) return SplitHeaders(text);
                // Some senders put a JSON object in the string.
                try
                {
                    using var inner = JsonDocument.Parse(text);
                    if (inner.RootElement.ValueKind != JsonValueKind.Object) throw Error($"start: '{path}' is not valid");
                    var map = new Dictionary<string, string>(StringComparer.Ordinal);
                    foreach (var p in inner.RootElement.EnumerateObject())
                        map[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() ?? "" : p.Value.GetRawText();
                    return map;
                }
                catch (JsonException e)
                {
                    throw new StreamProtocolException($"start: '{path}' is not valid: {e.Message}", e);
                }
            default:
                throw Error($"start: '{path}' is not a string");
        }
    }

    /// <summary>Splits "k=v;k2=v2" or "k=v,k2=v2" (keys and values are [A-Za-z0-9] by the providers' rules); a key without '=' gets "".</summary>
    internal static IReadOnlyDictionary<string, string> SplitHeaders(string text)
    {
        Dictionary<string, string>? map = null;
        foreach (var range in text.AsSpan().SplitAny(";,"))
        {
            var entry = text.AsSpan(range).Trim();
            if (entry.IsEmpty) continue;
            int eq = entry.IndexOf('=');
            var key = (eq < 0 ? entry : entry[..eq]).Trim();
            if (key.IsEmpty) continue;
            var value = eq < 0 ? default : entry[(eq + 1)..].Trim();
            map ??= new Dictionary<string, string>(StringComparer.Ordinal);
            map[key.ToString()] = value.ToString();
        }
        return map is null ? NoParameters : map;
    }

    /// <summary><c>playAudio</c>: <c>audio/x-mulaw</c> at 8000 Hz or <c>audio/x-l16</c> (little-endian, as given).</summary>
    /// <exception cref="ArgumentException">A format Plivo/Vobiz cannot play (A-law, G.722).</exception>
    public string Media(string streamId, ReadOnlySpan<byte> payload, MediaFormat format)
    {
        string mime = ContentTypes.PlivoMimeType(format);
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "playAudio"u8);
        w.WriteStartObject("media"u8);
        w.WriteString("contentType"u8, mime);
        w.WriteNumber("sampleRate"u8, format.SampleRate);
        StreamJsonWriter.WritePayload(w, payload, swapBytePairs: false);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string Mark(string streamId, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return EventWithStream("checkpoint"u8, streamId, name);
    }

    public string Clear(string streamId) => EventWithStream("clearAudio"u8, streamId, null);

    public string? SendDtmf(string streamId, string digits)
    {
        string valid = Dtmf.Validate(digits, nameof(digits));
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "sendDTMF"u8);
        w.WriteString("dtmf"u8, valid);
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string? Stop(string streamId) => EventWithStream("stop"u8, streamId, null);

    private static string EventWithStream(ReadOnlySpan<byte> evt, string streamId, string? name)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, evt);
        w.WriteString("streamId"u8, streamId);
        if (name is not null) w.WriteString("name"u8, name);
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }
}

/// <summary>Vobiz: Plivo's WebSocket dialect under its own name (the differences are in REST, XML and auth, not the stream).</summary>
public sealed class VobizDialect : PlivoDialect
{
    public override string Name => "vobiz";
}
