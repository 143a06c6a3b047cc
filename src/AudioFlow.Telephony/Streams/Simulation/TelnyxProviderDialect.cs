using System.Text.Json;
using AudioFlow.Audio.Channel;
using static AudioFlow.Telephony.Streams.StreamJsonReader;

namespace AudioFlow.Telephony.Streams.Simulation;

/// <summary>
/// Telnyx media streaming from Telnyx's side. Sends <c>connected</c>, <c>start</c>, <c>media</c>, <c>dtmf</c>,
/// <c>mark</c>, <c>stop</c>, <c>error</c>; parses <c>media</c>, <c>mark</c>, <c>clear</c> (stream id optional).
/// Telnyx sends no clear acknowledgement (it returns the queued marks instead).
/// </summary>
public sealed class TelnyxProviderDialect : IProviderStreamDialect
{
    private static readonly byte[][] Events = ["media"u8.ToArray(), "mark"u8.ToArray(), "clear"u8.ToArray()];

    private readonly Func<ReadOnlyMemory<byte>, ProviderCommand> _parse;

    public TelnyxProviderDialect() => _parse = ParseCore;

    /// <summary>L16 big-endian both ways (pairs with <see cref="TelnyxDialect.L16BigEndian"/>). Swaps every media payload: set it only for an L16 stream.</summary>
    public bool L16BigEndian { get; init; }

    public string Name => "telnyx";

    public string? Connected()
    {
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "connected"u8);
        w.WriteString("version"u8, "1.0.0"u8);
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string Start(ProviderStreamStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        string codec = ContentTypes.TelnyxCodec(start.Format);
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "start"u8);
        StreamJsonWriter.WriteNumberAsString(w, "sequence_number"u8, start.SequenceNumber);
        w.WriteString("stream_id"u8, start.StreamId);
        w.WriteStartObject("start"u8);
        if (start.AccountId is not null) w.WriteString("user_id"u8, start.AccountId);
        w.WriteString("call_control_id"u8, start.CallId);
        if (start.From is not null) w.WriteString("from"u8, start.From);
        if (start.To is not null) w.WriteString("to"u8, start.To);
        w.WriteStartObject("custom_parameters"u8);
        if (start.Parameters is not null)
            foreach (var (key, value) in start.Parameters)
                w.WriteString(key, value);
        w.WriteEndObject();
        w.WriteStartObject("media_format"u8);
        w.WriteString("encoding"u8, codec);
        w.WriteNumber("sample_rate"u8, start.Format.SampleRate);
        w.WriteNumber("channels"u8, 1);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string Media(string streamId, ReadOnlySpan<byte> payload, long sequenceNumber, long chunk, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "media"u8);
        StreamJsonWriter.WriteNumberAsString(w, "sequence_number"u8, sequenceNumber);
        w.WriteString("stream_id"u8, streamId);
        w.WriteStartObject("media"u8);
        w.WriteString("track"u8, "inbound"u8);
        StreamJsonWriter.WriteNumberAsString(w, "chunk"u8, chunk);
        StreamJsonWriter.WriteNumberAsString(w, "timestamp"u8, timestampMs);
        StreamJsonWriter.WritePayload(w, payload, L16BigEndian);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string Dtmf(string streamId, char digit, long? sequenceNumber = null)
    {
        if (!Streams.Dtmf.TryNormalize(digit, out char key)) throw new ArgumentException($"'{digit}' is not a DTMF key", nameof(digit));
        var w = Begin("dtmf"u8, streamId, sequenceNumber);
        w.WriteStartObject("dtmf"u8);
        w.WriteString("digit"u8, key.ToString());
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string MarkAcknowledged(string streamId, string name, long? sequenceNumber = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var w = Begin("mark"u8, streamId, sequenceNumber);
        w.WriteStartObject("mark"u8);
        w.WriteString("name"u8, name);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    /// <summary>Null: Telnyx acknowledges a clear only by returning the queued marks.</summary>
    public string? Cleared(string streamId, long? sequenceNumber = null) => null;

    public string Stop(string streamId, string callId, long? sequenceNumber = null)
    {
        ArgumentNullException.ThrowIfNull(callId);
        var w = Begin("stop"u8, streamId, sequenceNumber);
        w.WriteStartObject("stop"u8);
        w.WriteString("call_control_id"u8, callId);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    /// <summary>An <c>error</c> frame: <c>{"event":"error","stream_id":…,"payload":{"code":…,"title":…,"detail":…}}</c> (shape not confirmed by Telnyx's published examples).</summary>
    public string Error(string streamId, int code, string title, string detail)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(detail);
        var w = Begin("error"u8, streamId, null);
        w.WriteStartObject("payload"u8);
        w.WriteNumber("code"u8, code);
        w.WriteString("title"u8, title);
        w.WriteString("detail"u8, detail);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    private static Utf8JsonWriter Begin(ReadOnlySpan<byte> evt, string? streamId, long? sequenceNumber)
    {
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, evt);
        if (sequenceNumber is { } n) StreamJsonWriter.WriteNumberAsString(w, "sequence_number"u8, n);
        if (!string.IsNullOrEmpty(streamId)) w.WriteString("stream_id"u8, streamId);
        return w;
    }

    public ProviderCommand Parse(string json) => ParseText(json, _parse);

    /// <summary>Parses one UTF-8 message AudioFlow sent.</summary>
    public ProviderCommand Parse(ReadOnlyMemory<byte> utf8) => Guard(utf8, _parse);

    private ProviderCommand ParseCore(ReadOnlyMemory<byte> utf8)
    {
        int index = FindEvent(utf8.Span, Events, out string? other);
        if (index == 0)
        {
            var media = ProviderJson.ReadOutboundMedia(utf8.Span, "media", default);
            if (L16BigEndian) SwapBytePairs(media.Payload);
            return new PlayAudio(media.Payload);
        }

        using var document = Document(utf8);
        var root = document.RootElement;
        return index switch
        {
            1 => new MarkRequested(RequiredString(RequiredObject(root, "mark", "mark", "mark"), "name", "mark", "mark.name")),
            2 => ProviderJson.Clear,
            _ => new UnknownCommand(other!),
        };
    }
}
