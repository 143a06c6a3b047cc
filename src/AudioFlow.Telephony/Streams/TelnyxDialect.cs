using System.Text.Json;
using AudioFlow.Audio.Channel;
using static AudioFlow.Telephony.Streams.StreamJsonReader;

namespace AudioFlow.Telephony.Streams;

/// <summary>
/// Telnyx media streaming (bidirectional RTP mode), AudioFlow's side.
/// In: <c>connected</c>, <c>start</c> (root <c>stream_id</c>; <c>start.call_control_id</c> as the call id,
/// <c>start.from</c>/<c>to</c>, <c>custom_parameters</c>, <c>media_format</c>), <c>media</c> (root
/// <c>sequence_number</c>; order not guaranteed), <c>dtmf</c>, <c>mark</c>, <c>stop</c>, <c>error</c>.
/// Out: <c>media</c>, <c>mark</c>, <c>clear</c> (with <c>stream_id</c> when known); no outbound DTMF or stop message.
/// A <c>clear</c> returns queued marks, so <see cref="EchoesMarksOnClear"/> is true.
/// </summary>
public sealed class TelnyxDialect : IUtf8StreamDialect
{
    private static readonly byte[][] Events =
    [
        "media"u8.ToArray(), "connected"u8.ToArray(), "start"u8.ToArray(), "dtmf"u8.ToArray(), "mark"u8.ToArray(),
        "stop"u8.ToArray(), "error"u8.ToArray(),
    ];

    private static readonly StreamConnected Connected = new();

    private readonly Func<ReadOnlyMemory<byte>, StreamMessage> _parse;

    public TelnyxDialect() => _parse = ParseCore;

    /// <summary>
    /// L16 payloads are big-endian both ways (RTP's L16 is network byte order, RFC 3551). Telnyx documents the
    /// payload as "RTP payload" without saying; unverified, so default false (little-endian, the rest of the dialects'
    /// convention). Parsing is stateless, so this swaps <em>every</em> inbound media payload: set it only on an
    /// instance serving an L16 stream. Outbound it swaps only when the format given is L16.
    /// </summary>
    public bool L16BigEndian { get; init; }

    public string Name => "telnyx";

    public bool EchoesMarksOnClear => true;

    public StreamMessage Parse(string json) => ParseText(json, _parse);

    public StreamMessage Parse(ReadOnlyMemory<byte> utf8) => Guard(utf8, _parse);

    private StreamMessage ParseCore(ReadOnlyMemory<byte> utf8)
    {
        int index = FindEvent(utf8.Span, Events, out string? other);
        if (index == 0) return ReadMedia(utf8.Span, "sequence_number"u8, "sequence_number", L16BigEndian);

        using var document = Document(utf8);
        var root = document.RootElement;
        return index switch
        {
            1 => Connected,
            2 => ParseStart(root),
            3 => new StreamDtmf(Digit(root, "dtmf")),
            4 => new StreamMarkAcknowledged(RequiredString(RequiredObject(root, "mark", "mark", "mark"), "name", "mark", "mark.name")),
            5 => new StreamStopped(OptionalObject(root, "stop", "stop", "stop") is { } stop
                                       ? OptionalString(stop, "reason", "stop", "stop.reason")
                                       : null),
            6 => new StreamProviderError(DescribeError(root, "error")),
            _ => new StreamUnknownEvent(other!),
        };
    }

    private static StreamStarted ParseStart(JsonElement root)
    {
        const string evt = "start";
        var start = RequiredObject(root, "start", evt, "start");
        string streamId = OptionalString(root, "stream_id", evt, "stream_id")
                          ?? OptionalString(start, "stream_id", evt, "start.stream_id")
                          ?? throw Error("start: missing 'stream_id'");
        string callId = RequiredString(start, "call_control_id", evt, "start.call_control_id");
        string? from = OptionalString(start, "from", evt, "start.from");
        string? to = OptionalString(start, "to", evt, "start.to");

        // Telnyx's default codec when the message leaves it out.
        var format = MediaFormat.Pcmu8k;
        if (OptionalObject(start, "media_format", evt, "start.media_format") is { } mediaFormat)
        {
            string encoding = RequiredString(mediaFormat, "encoding", evt, "start.media_format.encoding");
            int? rate = OptionalInt32(mediaFormat, "sample_rate", evt, "start.media_format.sample_rate");
            if (!ContentTypes.TryParse(encoding, rate, out var parsed, out string error))
                throw Error($"start: 'start.media_format.encoding': {error}");
            format = parsed;
        }

        var parameters = StringMap(start, "custom_parameters", evt, "start.custom_parameters");
        return new StreamStarted(callId, streamId, format, parameters, from, to);
    }

    /// <summary><c>{"event":"media","stream_id":…,"media":{"payload":…}}</c> in the codec the stream was started with.</summary>
    public string Media(string streamId, ReadOnlySpan<byte> payload, MediaFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "media"u8);
        WriteStreamId(w, streamId);
        w.WriteStartObject("media"u8);
        StreamJsonWriter.WritePayload(w, payload, L16BigEndian && format.Encoding == AudioEncoding.L16);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string Mark(string streamId, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "mark"u8);
        WriteStreamId(w, streamId);
        w.WriteStartObject("mark"u8);
        w.WriteString("name"u8, name);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string Clear(string streamId)
    {
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "clear"u8);
        WriteStreamId(w, streamId);
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    /// <summary>Null: Telnyx takes DTMF through Call Control (<c>actions/send_dtmf</c>), not over the stream.</summary>
    public string? SendDtmf(string streamId, string digits) => null;

    /// <summary>Null: stop with Call Control (<c>actions/streaming_stop</c>) or by closing the socket.</summary>
    public string? Stop(string streamId) => null;

    private static void WriteStreamId(Utf8JsonWriter w, string? streamId)
    {
        if (!string.IsNullOrEmpty(streamId)) w.WriteString("stream_id"u8, streamId);
    }
}
