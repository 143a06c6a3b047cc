using System.Text.Json;
using static AudioFlow.Telephony.Streams.StreamJsonReader;

namespace AudioFlow.Telephony.Streams.Simulation;

/// <summary>Parsing helpers for the provider side: the outbound-audio fast path and the shared singletons.</summary>
internal static class ProviderJson
{
    public static readonly ClearRequested Clear = new();
    public static readonly StopRequested Stop = new();

    /// <summary>What one outbound audio message carries.</summary>
    public readonly record struct OutboundMedia(byte[] Payload, string? ContentType, int? SampleRate, bool HasStreamId);

    /// <summary>
    /// One <see cref="Utf8JsonReader"/> walk over an outbound audio message: <c>media.payload</c> (required),
    /// <c>media.contentType</c>/<c>media.sampleRate</c> (Plivo), and whether the root <paramref name="streamIdName"/> is there.
    /// </summary>
    public static OutboundMedia ReadOutboundMedia(ReadOnlySpan<byte> utf8, string evt, ReadOnlySpan<byte> streamIdName)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 32 });
        reader.Read();
        byte[]? payload = null;
        string? contentType = null;
        int? sampleRate = null;
        bool hasStreamId = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("media"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null) continue;
                if (reader.TokenType != JsonTokenType.StartObject) throw Error($"{evt}: 'media' is not an object");
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("payload"u8))
                    {
                        reader.Read();
                        payload = ReadBase64(ref reader, evt, "media.payload");
                    }
                    else if (reader.ValueTextEquals("contentType"u8))
                    {
                        reader.Read();
                        if (reader.TokenType == JsonTokenType.Null) continue;
                        if (reader.TokenType != JsonTokenType.String) throw Error($"{evt}: 'media.contentType' is not a string");
                        contentType = reader.ValueTextEquals("audio/x-mulaw"u8) ? "audio/x-mulaw"
                            : reader.ValueTextEquals("audio/x-l16"u8) ? "audio/x-l16"
                            : reader.GetString();
                    }
                    else if (reader.ValueTextEquals("sampleRate"u8))
                    {
                        reader.Read();
                        long? rate = ReadInteger(ref reader, evt, "media.sampleRate");
                        if (rate is < 0 or > int.MaxValue) throw Error($"{evt}: 'media.sampleRate' is out of range");
                        sampleRate = (int?)rate;
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else
            {
                if (!streamIdName.IsEmpty && reader.ValueTextEquals(streamIdName))
                {
                    reader.Read();
                    hasStreamId = reader.TokenType == JsonTokenType.String && (reader.HasValueSequence || reader.ValueSpan.Length > 0);
                    reader.Skip();
                    continue;
                }
                reader.Read();
                reader.Skip();
            }
        }
        while (reader.Read()) { }
        if (payload is null) throw Error($"{evt}: missing 'media.payload'");
        return new OutboundMedia(payload, contentType, sampleRate, hasStreamId);
    }

    /// <summary>The root stream id (required by the dialect).</summary>
    public static void RequireStreamId(JsonElement root, string name, string evt) => RequiredString(root, name, evt, name);
}
