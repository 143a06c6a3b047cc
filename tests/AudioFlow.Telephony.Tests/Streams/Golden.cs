using System.Text.Json.Nodes;
using Xunit;

namespace AudioFlow.Telephony.Tests.Streams;

/// <summary>
/// The wire examples of /work/shared/reference/field-notes.md §2 (from the providers' docs), copied as literal strings.
/// Placeholders in the notes ("&lt;base64 …&gt;", "…" for numbers) are filled with real values; ids keep their "…".
/// </summary>
internal static class Golden
{
    /// <summary>Four µ-law bytes: 0xFF 0xFF 0x7F 0x00.</summary>
    public const string Payload = "//9/AA==";
    public static readonly byte[] PayloadBytes = [0xFF, 0xFF, 0x7F, 0x00];

    public static class Plivo
    {
        public const string Start = """
            { "event": "start", "sequenceNumber": 1,
              "start": { "callId": "…", "streamId": "…", "accountId": "…",
                         "tracks": ["inbound"],
                         "mediaFormat": { "encoding": "audio/x-mulaw", "sampleRate": 8000 } },
              "extra_headers": "tenant=abc;callRef=123" }
            """;

        public const string Media = """
            { "event": "media", "sequenceNumber": 42, "streamId": "…",
              "media": { "track": "inbound", "timestamp": "1705312200000", "chunk": 41,
                         "payload": "//9/AA==" } }
            """;

        public const string Dtmf = """{ "event": "dtmf", "streamId": "…", "dtmf": { "digit": "5" } }""";

        public const string PlayedStreamVobiz = """{ "event": "playedStream", "name": "resp-17" }""";

        public const string ClearedAudio = """{ "sequenceNumber": 0, "event": "clearedAudio", "streamId": "…" }""";

        public const string PlayedStream = """{ "event": "playedStream", "streamId": "20170ada-…", "name": "customer greeting audio" }""";

        public const string ClearedAudioPlivo = """{ "sequenceNumber": 0, "event": "clearedAudio", "streamId": "20170ada-…" }""";

        // Outbound (AudioFlow → provider).
        public const string PlayAudio = """
            { "event": "playAudio",
              "media": { "contentType": "audio/x-mulaw", "sampleRate": 8000, "payload": "//9/AA==" } }
            """;
        public const string Checkpoint = """{ "event": "checkpoint", "streamId": "20170ada-…", "name": "customer greeting audio" }""";
        public const string ClearAudio = """{ "event": "clearAudio", "streamId": "b77e037d-…" }""";
        public const string SendDtmf = """{ "event": "sendDTMF", "dtmf": "123" }""";
        public const string Stop = """{ "event": "stop", "streamId": "…" }""";
    }

    public static class Twilio
    {
        public const string Connected = """{ "event": "connected", "protocol": "Call", "version": "1.0.0" }""";

        public const string Start = """
            { "event": "start", "sequenceNumber": "1", "streamSid": "MZ…",
              "start": { "accountSid": "AC…", "streamSid": "MZ…", "callSid": "CA…",
                         "tracks": ["inbound"],
                         "mediaFormat": { "encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1 },
                         "customParameters": { "callRef": "123" } } }
            """;

        public const string Media = """
            { "event": "media", "sequenceNumber": "3", "streamSid": "MZ…",
              "media": { "track": "inbound", "chunk": "1", "timestamp": "160", "payload": "//9/AA==" } }
            """;

        public const string Dtmf = """
            { "event": "dtmf", "sequenceNumber": "5", "streamSid": "MZ…",
              "dtmf": { "track": "inbound_track", "digit": "1" } }
            """;

        public const string Mark = """{ "event": "mark", "sequenceNumber": "4", "streamSid": "MZ…", "mark": { "name": "resp-17" } }""";

        public const string Stop = """
            { "event": "stop", "sequenceNumber": "5", "streamSid": "MZ…",
              "stop": { "accountSid": "AC…", "callSid": "CA…" } }
            """;

        // Outbound.
        public const string OutMedia = """{ "event": "media", "streamSid": "MZ…", "media": { "payload": "//9/AA==" } }""";
        public const string OutMark = """{ "event": "mark",  "streamSid": "MZ…", "mark": { "name": "resp-17" } }""";
        public const string OutClear = """{ "event": "clear", "streamSid": "MZ…" }""";
    }

    public static class Telnyx
    {
        public const string Connected = """{ "event": "connected", "version": "1.0.0" }""";

        public const string Start = """
            { "event": "start", "sequence_number": "1", "stream_id": "32DE0DEA-…",
              "start": { "user_id": "…", "call_control_id": "v2:…", "call_session_id": "…",
                         "from": "+1312…", "to": "+1312…", "client_state": "…",
                         "custom_parameters": { "customer_id": "customer_123" },
                         "media_format": { "encoding": "PCMU", "sample_rate": 8000, "channels": 1 } } }
            """;

        public const string Media = """
            { "event": "media", "stream_id": "…", "media": { "track": "inbound", "chunk": "2", "timestamp": "40", "payload": "//9/AA==" } }
            """;

        public const string Dtmf = """{ "event": "dtmf", "dtmf": { "digit": "1" } }""";

        // Outbound.
        public const string OutMedia = """{"event":"media","media":{"payload":"//9/AA=="}}""";
        public const string OutMark = """{"event":"mark","mark":{"name":"resp-17"}}""";
        public const string OutClear = """{"event":"clear"}""";
    }

    /// <summary>Every inbound golden message, for the fuzz tests.</summary>
    public static readonly (string Dialect, string Json)[] Inbound =
    [
        ("plivo", Plivo.Start), ("plivo", Plivo.Media), ("plivo", Plivo.Dtmf), ("plivo", Plivo.PlayedStreamVobiz),
        ("plivo", Plivo.ClearedAudio), ("plivo", Plivo.PlayedStream),
        ("twilio", Twilio.Connected), ("twilio", Twilio.Start), ("twilio", Twilio.Media), ("twilio", Twilio.Dtmf),
        ("twilio", Twilio.Mark), ("twilio", Twilio.Stop),
        ("telnyx", Telnyx.Connected), ("telnyx", Telnyx.Start), ("telnyx", Telnyx.Media), ("telnyx", Telnyx.Dtmf),
    ];

    /// <summary>Every outbound golden message, for the provider-side fuzz tests.</summary>
    public static readonly (string Dialect, string Json)[] Outbound =
    [
        ("plivo", Plivo.PlayAudio), ("plivo", Plivo.Checkpoint), ("plivo", Plivo.ClearAudio), ("plivo", Plivo.SendDtmf),
        ("plivo", Plivo.Stop),
        ("twilio", Twilio.OutMedia), ("twilio", Twilio.OutMark), ("twilio", Twilio.OutClear),
        ("telnyx", Telnyx.OutMedia), ("telnyx", Telnyx.OutMark), ("telnyx", Telnyx.OutClear),
    ];
}

internal static class JsonAssert
{
    /// <summary>Equal as JSON values (property order and whitespace ignored).</summary>
    public static void Equal(string expected, string actual)
    {
        var e = JsonNode.Parse(expected);
        var a = JsonNode.Parse(actual);
        Assert.True(JsonNode.DeepEquals(e, a), $"expected {e?.ToJsonString()}\nactual   {a?.ToJsonString()}");
    }
}
