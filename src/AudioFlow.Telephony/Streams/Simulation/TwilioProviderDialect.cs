using System.Text.Json;
using AudioFlow.Audio.Channel;
using static AudioFlow.Telephony.Streams.StreamJsonReader;

namespace AudioFlow.Telephony.Streams.Simulation;

/// <summary>
/// Twilio Media Streams from Twilio's side. Sends <c>connected</c>, <c>start</c>, <c>media</c>, <c>dtmf</c>, <c>mark</c>,
/// <c>stop</c> (numbers as strings, <c>streamSid</c> on everything after <c>connected</c>); parses <c>media</c>,
/// <c>mark</c>, <c>clear</c>, each of which must carry <c>streamSid</c>. Twilio sends no clear acknowledgement.
/// </summary>
public sealed class TwilioProviderDialect : IProviderStreamDialect
{
    private static readonly byte[][] Events = ["media"u8.ToArray(), "mark"u8.ToArray(), "clear"u8.ToArray()];

    private readonly Func<ReadOnlyMemory<byte>, ProviderCommand> _parse;

    public TwilioProviderDialect() => _parse = ParseCore;

    public string Name => "twilio";

    public string? Connected()
    {
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "connected"u8);
        w.WriteString("protocol"u8, "Call"u8);
        w.WriteString("version"u8, "1.0.0"u8);
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    /// <exception cref="ArgumentException">Anything but µ-law 8 kHz.</exception>
    public string Start(ProviderStreamStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (start.Format != MediaFormat.Pcmu8k)
            throw new ArgumentException($"Twilio streams audio/x-mulaw at 8000 Hz only, not {start.Format}", nameof(start));
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "start"u8);
        StreamJsonWriter.WriteNumberAsString(w, "sequenceNumber"u8, start.SequenceNumber);
        w.WriteString("streamSid"u8, start.StreamId);
        w.WriteStartObject("start"u8);
        if (start.AccountId is not null) w.WriteString("accountSid"u8, start.AccountId);
        w.WriteString("streamSid"u8, start.StreamId);
        w.WriteString("callSid"u8, start.CallId);
        w.WriteStartArray("tracks"u8);
        w.WriteStringValue("inbound"u8);
        w.WriteEndArray();
        w.WriteStartObject("mediaFormat"u8);
        w.WriteString("encoding"u8, "audio/x-mulaw"u8);
        w.WriteNumber("sampleRate"u8, 8000);
        w.WriteNumber("channels"u8, 1);
        w.WriteEndObject();
        w.WriteStartObject("customParameters"u8);
        if (start.Parameters is not null)
            foreach (var (key, value) in start.Parameters)
                w.WriteString(key, value);
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
        StreamJsonWriter.WriteNumberAsString(w, "sequenceNumber"u8, sequenceNumber);
        w.WriteString("streamSid"u8, streamId);
        w.WriteStartObject("media"u8);
        w.WriteString("track"u8, "inbound"u8);
        StreamJsonWriter.WriteNumberAsString(w, "chunk"u8, chunk);
        StreamJsonWriter.WriteNumberAsString(w, "timestamp"u8, timestampMs);
        StreamJsonWriter.WritePayload(w, payload, swapBytePairs: false);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string Dtmf(string streamId, char digit, long? sequenceNumber = null)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        if (!Streams.Dtmf.TryNormalize(digit, out char key)) throw new ArgumentException($"'{digit}' is not a DTMF key", nameof(digit));
        var w = Begin("dtmf"u8, streamId, sequenceNumber);
        w.WriteStartObject("dtmf"u8);
        w.WriteString("track"u8, "inbound_track"u8);
        w.WriteString("digit"u8, key.ToString());
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string MarkAcknowledged(string streamId, string name, long? sequenceNumber = null)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        ArgumentException.ThrowIfNullOrEmpty(name);
        var w = Begin("mark"u8, streamId, sequenceNumber);
        w.WriteStartObject("mark"u8);
        w.WriteString("name"u8, name);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    /// <summary>Null: Twilio acknowledges a clear only by echoing the pending marks (send <see cref="MarkAcknowledged"/> for each).</summary>
    public string? Cleared(string streamId, long? sequenceNumber = null) => null;

    public string Stop(string streamId, string callId, long? sequenceNumber = null)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        ArgumentNullException.ThrowIfNull(callId);
        var w = Begin("stop"u8, streamId, sequenceNumber);
        w.WriteStartObject("stop"u8);
        w.WriteString("callSid"u8, callId);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    private static Utf8JsonWriter Begin(ReadOnlySpan<byte> evt, string streamId, long? sequenceNumber)
    {
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, evt);
        if (sequenceNumber is { } n) StreamJsonWriter.WriteNumberAsString(w, "sequenceNumber"u8, n);
        w.WriteString("streamSid"u8, streamId);
        return w;
    }

    public ProviderCommand Parse(string json) => ParseText(json, _parse);

    /// <summary>Parses one UTF-8 message AudioFlow sent.</summary>
    public ProviderCommand Parse(ReadOnlyMemory<byte> utf8) => Guard(utf8, _parse);

    private static ProviderCommand ParseCore(ReadOnlyMemory<byte> utf8)
    {
        int index = FindEvent(utf8.Span, Events, out string? other);
        if (index == 0)
        {
            var media = ProviderJson.ReadOutboundMedia(utf8.Span, "media", "streamSid"u8);
            if (!media.HasStreamId) throw Error("media: missing 'streamSid'");
            return new PlayAudio(media.Payload, MediaFormat.Pcmu8k);
        }

        using var document = Document(utf8);
        var root = document.RootElement;
        switch (index)
        {
            case 1:
                ProviderJson.RequireStreamId(root, "streamSid", "mark");
                return new MarkRequested(RequiredString(RequiredObject(root, "mark", "mark", "mark"), "name", "mark", "mark.name"));
            case 2:
                ProviderJson.RequireStreamId(root, "streamSid", "clear");
                return ProviderJson.Clear;
            default:
                return new UnknownCommand(other!);
        }
    }
}
