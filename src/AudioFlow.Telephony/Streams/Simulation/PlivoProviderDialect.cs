using System.Text;
using System.Text.Json;
using AudioFlow.Audio.Channel;
using static AudioFlow.Telephony.Streams.StreamJsonReader;

namespace AudioFlow.Telephony.Streams.Simulation;

/// <summary>
/// Plivo's audio stream from Plivo's side (and Vobiz's: <see cref="VobizProviderDialect"/>). Sends <c>start</c>
/// (nested, or the older flat shape), <c>media</c>, <c>dtmf</c>, <c>playedStream</c>, <c>clearedAudio</c>, <c>stop</c>;
/// parses <c>playAudio</c>, <c>checkpoint</c>, <c>clearAudio</c>, <c>sendDTMF</c>, <c>stop</c>.
/// </summary>
public class PlivoProviderDialect : IProviderStreamDialect
{
    private static readonly byte[][] Events =
    [
        "playAudio"u8.ToArray(), "checkpoint"u8.ToArray(), "clearAudio"u8.ToArray(), "sendDTMF"u8.ToArray(), "stop"u8.ToArray(),
    ];

    private readonly Func<ReadOnlyMemory<byte>, ProviderCommand> _parse;

    public PlivoProviderDialect() => _parse = ParseCore;

    /// <summary>Send L16 media big-endian (the unverified Vobiz claim; pairs with <see cref="PlivoDialect.L16BigEndianInbound"/>). Swaps every media payload: set it only for an L16 stream.</summary>
    public bool L16BigEndianInbound { get; init; }

    public virtual string Name => "plivo";

    public string? Connected() => null;

    public string Start(ProviderStreamStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        string contentType = ContentTypes.ToPlivoContentType(start.Format);
        string? extraHeaders = start.Parameters is { Count: > 0 } p ? JoinHeaders(p) : null;
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "start"u8);
        if (start.FlatShape)
        {
            w.WriteString("streamId"u8, start.StreamId);
            w.WriteString("callId"u8, start.CallId);
            if (start.AccountId is not null) w.WriteString("accountId"u8, start.AccountId);
            w.WriteString("contentType"u8, contentType);
        }
        else
        {
            w.WriteNumber("sequenceNumber"u8, start.SequenceNumber);
            w.WriteStartObject("start"u8);
            w.WriteString("callId"u8, start.CallId);
            w.WriteString("streamId"u8, start.StreamId);
            if (start.AccountId is not null) w.WriteString("accountId"u8, start.AccountId);
            w.WriteStartArray("tracks"u8);
            w.WriteStringValue("inbound"u8);
            w.WriteEndArray();
            w.WriteStartObject("mediaFormat"u8);
            w.WriteString("encoding"u8, ContentTypes.PlivoMimeType(start.Format));
            w.WriteNumber("sampleRate"u8, start.Format.SampleRate);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        if (extraHeaders is not null) w.WriteString("extra_headers"u8, extraHeaders);
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    private static string JoinHeaders(IReadOnlyDictionary<string, string> parameters)
    {
        var text = new StringBuilder();
        foreach (var (key, value) in parameters)
        {
            if (key.AsSpan().IndexOfAny(";,=") >= 0 || (value ?? "").AsSpan().IndexOfAny(";,") >= 0)
                throw new ArgumentException($"extra header '{key}' holds a separator (; , =)", nameof(parameters));
            if (text.Length > 0) text.Append(';');
            text.Append(key).Append('=').Append(value);
        }
        return text.ToString();
    }

    public string Media(string streamId, ReadOnlySpan<byte> payload, long sequenceNumber, long chunk, long timestampMs)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "media"u8);
        w.WriteNumber("sequenceNumber"u8, sequenceNumber);
        w.WriteString("streamId"u8, streamId);
        w.WriteStartObject("media"u8);
        w.WriteString("track"u8, "inbound"u8);
        StreamJsonWriter.WriteNumberAsString(w, "timestamp"u8, timestampMs);
        w.WriteNumber("chunk"u8, chunk);
        StreamJsonWriter.WritePayload(w, payload, L16BigEndianInbound);
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string Dtmf(string streamId, char digit, long? sequenceNumber = null)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        if (!Streams.Dtmf.TryNormalize(digit, out char key)) throw new ArgumentException($"'{digit}' is not a DTMF key", nameof(digit));
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "dtmf"u8);
        if (sequenceNumber is { } n) w.WriteNumber("sequenceNumber"u8, n);
        w.WriteString("streamId"u8, streamId);
        w.WriteStartObject("dtmf"u8);
        w.WriteString("digit"u8, key.ToString());
        w.WriteEndObject();
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string MarkAcknowledged(string streamId, string name, long? sequenceNumber = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "playedStream"u8);
        if (sequenceNumber is { } n) w.WriteNumber("sequenceNumber"u8, n);
        if (!string.IsNullOrEmpty(streamId)) w.WriteString("streamId"u8, streamId);
        w.WriteString("name"u8, name);
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public string? Cleared(string streamId, long? sequenceNumber = null)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteNumber("sequenceNumber"u8, sequenceNumber ?? 0);
        w.WriteString("event"u8, "clearedAudio"u8);
        w.WriteString("streamId"u8, streamId);
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    /// <summary>An inbound <c>stop</c> (Vobiz documents one; Plivo/Vobiz usually just close the socket).</summary>
    public string Stop(string streamId, string callId, long? sequenceNumber = null)
    {
        ArgumentNullException.ThrowIfNull(streamId);
        ArgumentNullException.ThrowIfNull(callId);
        var w = StreamJsonWriter.Begin();
        w.WriteStartObject();
        w.WriteString("event"u8, "stop"u8);
        if (sequenceNumber is { } n) w.WriteNumber("sequenceNumber"u8, n);
        w.WriteString("streamId"u8, streamId);
        w.WriteString("callId"u8, callId);
        w.WriteEndObject();
        return StreamJsonWriter.Finish();
    }

    public ProviderCommand Parse(string json) => ParseText(json, _parse);

    /// <summary>Parses one UTF-8 message AudioFlow sent.</summary>
    public ProviderCommand Parse(ReadOnlyMemory<byte> utf8) => Guard(utf8, _parse);

    private ProviderCommand ParseCore(ReadOnlyMemory<byte> utf8)
    {
        int index = FindEvent(utf8.Span, Events, out string? other);
        if (index == 0)
        {
            var media = ProviderJson.ReadOutboundMedia(utf8.Span, "playAudio", default);
            if (media.ContentType is null) throw Error("playAudio: missing 'media.contentType'");
            if (!ContentTypes.TryParse(media.ContentType, media.SampleRate, out var format, out string error))
                throw Error($"playAudio: 'media.contentType': {error}");
            if (format.Encoding is not (AudioEncoding.Pcmu or AudioEncoding.L16))
                throw Error($"playAudio: 'media.contentType': Plivo plays audio/x-mulaw or audio/x-l16, not '{media.ContentType}'");
            return new PlayAudio(media.Payload, format);
        }

        using var document = Document(utf8);
        var root = document.RootElement;
        switch (index)
        {
            case 1:
                ProviderJson.RequireStreamId(root, "streamId", "checkpoint");
                return new MarkRequested(RequiredString(root, "name", "checkpoint", "name"));
            case 2:
                ProviderJson.RequireStreamId(root, "streamId", "clearAudio");
                return ProviderJson.Clear;
            case 3:
                return new DtmfRequested(DtmfDigits(root));
            case 4:
                ProviderJson.RequireStreamId(root, "streamId", "stop");
                return ProviderJson.Stop;
            default:
                return new UnknownCommand(other!);
        }
    }

    private static string DtmfDigits(JsonElement root)
    {
        string digits = RequiredString(root, "dtmf", "sendDTMF", "dtmf");
        foreach (char c in digits)
            if (!Streams.Dtmf.TryNormalize(c, out _))
                throw Error($"sendDTMF: 'dtmf' holds '{c}', not a DTMF key (0-9, *, #, A-D)");
        return digits.ToUpperInvariant();
    }
}

/// <summary>Vobiz's audio stream from Vobiz's side: Plivo's, under its own name.</summary>
public sealed class VobizProviderDialect : PlivoProviderDialect
{
    public override string Name => "vobiz";
}
