using System.Text.Json;
using AudioFlow.Audio.Channel;
using static AudioFlow.Telephony.Streams.StreamJsonReader;

namespace AudioFlow.Telephony.Streams;

/// <summary>
/// Twilio Media Streams (<c>&lt;Connect&gt;&lt;Stream&gt;</c>), AudioFlow's side.
/// In: <c>connected</c>, <c>start</c> (<c>start.{callSid,streamSid,mediaFormat,customParameters}</c>), <c>media</c>
/// (numbers as strings), <c>dtmf</c>, <c>mark</c>, <c>stop</c>. Out: <c>media</c>, <c>mark</c>, <c>clear</c>; Twilio has
/// no outbound DTMF or stop message (<see cref="SendDtmf"/> and <see cref="Stop"/> return null: close the socket to stop).
/// A <c>clear</c> makes Twilio echo every pending mark, so <see cref="EchoesMarksOnClear"/> is true.
/// Audio is µ-law 8 kHz mono only, both ways.
/// </summary>
public sealed class TwilioDialect : IUtf8StreamDialect
{
    private static readonly byte[][] Events =
    [
        "media"u8.ToArray(), "connected"u8.ToArray(), "start"u8.ToArray(), "dtmf"u8.ToArray(), "mark"u8.ToArray(),
        "stop"u8.ToArray(),
    ];

    private static readonly StreamConnected Connected = new();

    private readonly Func<ReadOnlyMemory<byte>, StreamMessage> _parse;

    public TwilioDialect() => _parse = ParseCore;

    public string Name => "twilio";

    public bool EchoesMarksOnClear => true;

    public StreamMessage Parse(string json) => ParseText(json, _parse);

    public StreamMessage Parse(ReadOnlyMemory<byte> utf8) => Guard(utf8, _parse);

    private static StreamMessage ParseCore(ReadOnlyMemory<byte> utf8)
    {
        int index = FindEvent(utf8.Span, Events, out string? other);
        if (index == 0) return ReadMedia(utf8.Span, "sequenceNumber"u8, "sequenceNumber", swapL16: false);

        using var document = Document(utf8);
        var root = document.RootElement;
        return index switch
        {
            1 => Connected,
            2 => ParseStart(root),
            3 => new StreamDtmf(Digit(root, "dtmf")),
            4 => new StreamMarkAcknowledged(RequiredString(RequiredObject(root, "mark", "mark", "mark"), "name", "mark", "mark.name")),
            5 => new StreamStopped(null),
            _ => new StreamUnknownEvent(other!),
        };
    }

    private static StreamStarted ParseStart(JsonElement root)
    {
        const string evt = "start";
        var start = RequiredObject(root, "start", evt, "start");
        string callId = RequiredString(start, "callSid", evt, "start.callSid");
        string streamId = OptionalString(start, "streamSid", evt, "start.streamSid")
                          ?? OptionalString(root, "streamSid", evt, "streamSid")
                          ?? throw Error("start: missing 'start.streamSid'");

        // Twilio streams µ-law 8 kHz only; an absent mediaFormat means exactly that.
        var format = MediaFormat.Pcmu8k;
        if (OptionalObject(start, "mediaFormat", evt, "start.mediaFormat") is { } mediaFormat)
        {
            string encoding = RequiredString(mediaFormat, "encoding", evt, "start.mediaFormat.encoding");
            int? rate = OptionalInt32(mediaFormat, "sampleRate", evt, "start.mediaFormat.sampleRate");
            if (!ContentTypes.TryParse(encoding, rate, out var parsed, out string error))
                throw Error($"start: 'start.mediaFormat.encoding': {error}");
            format = parsed;
        }

        var parameters = StringMap(start, "customParameters", evt, "start.customParameters");
        return new StreamStarted(callId, streamId, format, parameters, null, null);
    }

    /// <summary><c>{"event":"media","streamSid":…,"media":{"payload":…}}</c>.</summary>
    /// <exception cref="ArgumentException">Anything but µ-law 8 kHz: Twilio plays nothing else.</exception>
    public string Media(string streamId, ReadOnlySpan<byte> payload, MediaFormat format)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        ArgumentNullException.ThrowIfNull(format);
        if (format.Encoding != AudioEncoding.Pcmu || format.SampleRate != 8000)
            throw new ArgumentException($"Twilio media streams carry audio/x-mulaw at 8000 Hz only, not {format}", nameof(format));
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "media"u8);
        w.WriteString("streamSid"u8, streamId);
        w.WriteStartObject("media"u8);
        StreamJsonWriter.WritePayload(w, payload, swapBytePairs: false);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string Mark(string streamId, string name)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "mark"u8);
        w.WriteString("streamSid"u8, streamId);
        w.WriteStartObject("mark"u8);
        w.WriteString("name"u8, name);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string Clear(string streamId)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "clear"u8);
        w.WriteString("streamSid"u8, streamId);
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    /// <summary>Null: Twilio has no outbound DTMF message on the stream (play tones as audio, or update the call with TwiML <c>&lt;Play digits&gt;</c>).</summary>
    public string? SendDtmf(string streamId, string digits) => null;

    /// <summary>Null: closing the WebSocket ends a <c>&lt;Connect&gt;&lt;Stream&gt;</c>.</summary>
    public string? Stop(string streamId) => null;
}
