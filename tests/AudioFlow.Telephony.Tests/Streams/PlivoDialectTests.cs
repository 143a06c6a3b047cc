using System.Text;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Streams;
using Xunit;

namespace AudioFlow.Telephony.Tests.Streams;

public sealed class PlivoDialectTests
{
    private static readonly PlivoDialect Plivo = new();

    [Fact]
    public void Names_and_clear_semantics()
    {
        Assert.Equal("plivo", Plivo.Name);
        Assert.Equal("vobiz", new VobizDialect().Name);
        Assert.False(Plivo.EchoesMarksOnClear);
        Assert.Same(StreamDialects.Vobiz, StreamDialects.Get("Vobiz"));
        Assert.Equal("vobiz", StreamDialects.Get("vobiz").Name);
        Assert.Throws<ArgumentException>(() => StreamDialects.Get("exotel"));
    }

    [Fact]
    public void Golden_start_nested()
    {
        var start = Assert.IsType<StreamStarted>(Plivo.Parse(Golden.Plivo.Start));
        Assert.Equal("…", start.CallId);
        Assert.Equal("…", start.StreamId);
        Assert.Equal(MediaFormat.Pcmu8k, start.Format);
        Assert.Equal("abc", start.Parameters["tenant"]);
        Assert.Equal("123", start.Parameters["callRef"]);
        Assert.Null(start.From);
        Assert.Null(start.To);
    }

    [Fact]
    public void Start_flat_older_shape_with_comma_headers()
    {
        const string json = """{"event":"start","streamId":"s-1","callId":"c-1","contentType":"audio/x-l16;rate=16000","extra_headers":"a=1,b=2"}""";
        var start = Assert.IsType<StreamStarted>(new VobizDialect().Parse(json));
        Assert.Equal("c-1", start.CallId);
        Assert.Equal("s-1", start.StreamId);
        Assert.Equal(MediaFormat.L16At16k, start.Format);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, start.Parameters);
    }

    [Fact]
    public void Start_without_any_format_takes_the_documented_default_and_no_headers()
    {
        var start = Assert.IsType<StreamStarted>(Plivo.Parse("""{"event":"start","start":{"callId":"c","streamId":"s"}}"""));
        Assert.Equal(MediaFormat.L16At8k, start.Format);
        Assert.Empty(start.Parameters);
    }

    [Fact]
    public void Start_l16_24k_and_rate_inside_encoding()
    {
        var a = (StreamStarted)Plivo.Parse("""{"event":"start","start":{"callId":"c","streamId":"s","mediaFormat":{"encoding":"audio/x-l16","sampleRate":24000}}}""");
        Assert.Equal(new MediaFormat(AudioEncoding.L16, 24000), a.Format);
        var b = (StreamStarted)Plivo.Parse("""{"event":"start","start":{"callId":"c","streamId":"s","mediaFormat":{"encoding":"audio/x-l16;rate=16000"}}}""");
        Assert.Equal(MediaFormat.L16At16k, b.Format);
    }

    [Theory]
    [InlineData("""{"event":"start","start":{"streamId":"s"}}""", "start: missing 'start.callId'")]
    [InlineData("""{"event":"start","start":{"callId":"c"}}""", "start: missing 'start.streamId'")]
    [InlineData("""{"event":"start","start":{"callId":"c","streamId":""}}""", "start: missing 'start.streamId'")]
    [InlineData("""{"event":"start","start":{"callId":5,"streamId":"s"}}""", "start: 'start.callId' is not a string")]
    [InlineData("""{"event":"start","start":"x"}""", "start: 'start' is not an object")]
    [InlineData("""{"event":"start","start":{"callId":"c","streamId":"s","mediaFormat":{"encoding":"audio/opus","sampleRate":48000}}}""", "unknown content type 'audio/opus'")]
    [InlineData("""{"event":"start","start":{"callId":"c","streamId":"s","mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":"fast"}}}""", "start: 'start.mediaFormat.sampleRate' is not an integer")]
    [InlineData("""{"event":"start","start":{"callId":"c","streamId":"s"},"extra_headers":7}""", "start: 'extra_headers' is not a string")]
    public void Start_errors_name_the_field(string json, string expected)
    {
        var e = Assert.Throws<StreamProtocolException>(() => Plivo.Parse(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Extra_headers_as_json_object_or_string()
    {
        var a = (StreamStarted)Plivo.Parse("""{"event":"start","start":{"callId":"c","streamId":"s"},"extra_headers":{"k":"v","n":3}}""");
        Assert.Equal("v", a.Parameters["k"]);
        Assert.Equal("3", a.Parameters["n"]);
        var b = (StreamStarted)Plivo.Parse("""{"event":"start","start":{"callId":"c","streamId":"s"},"extra_headers":"{\"k\":\"v\"}"}""");
        Assert.Equal("v", b.Parameters["k"]);
        var c = (StreamStarted)Plivo.Parse("""{"event":"start","start":{"callId":"c","streamId":"s"},"extra_headers":" a = 1 ; flag ;; =x "}""");
        Assert.Equal("1", c.Parameters["a"]);
        Assert.Equal("", c.Parameters["flag"]);
        Assert.Equal(2, c.Parameters.Count);
    }

    [Fact]
    public void Golden_media()
    {
        var media = Assert.IsType<StreamMedia>(Plivo.Parse(Golden.Plivo.Media));
        Assert.Equal(Golden.PayloadBytes, media.Payload);
        Assert.Equal(42, media.Sequence);
        Assert.Equal(41, media.Chunk);
        Assert.Equal(1705312200000, media.TimestampMs);
        Assert.Equal("inbound", media.Track);
    }

    [Fact]
    public void Media_from_utf8_bytes_equals_media_from_string()
    {
        var fromBytes = (StreamMedia)Plivo.Parse(Encoding.UTF8.GetBytes(Golden.Plivo.Media).AsMemory());
        var fromString = (StreamMedia)Plivo.Parse(Golden.Plivo.Media);
        Assert.Equal(fromString.Payload, fromBytes.Payload);
        Assert.Equal(fromString with { Payload = fromBytes.Payload }, fromBytes);
    }

    [Fact]
    public void Media_with_event_last_escaped_payload_and_no_metadata()
    {
        // '/' may be escaped as "\/" by some JSON writers; the event can come after the media object.
        var media = (StreamMedia)Plivo.Parse("""{"media":{"payload":"\/\/9\/AA=="},"event":"media"}""");
        Assert.Equal(Golden.PayloadBytes, media.Payload);
        Assert.Null(media.Sequence);
        Assert.Null(media.Chunk);
        Assert.Null(media.TimestampMs);
        Assert.Null(media.Track);
    }

    [Theory]
    [InlineData("""{"event":"media","media":{"payload":"not base64!"}}""", "media: 'media.payload' is not valid base64")]
    [InlineData("""{"event":"media","media":{"payload":12}}""", "media: 'media.payload' is not a string")]
    [InlineData("""{"event":"media","media":{}}""", "media: missing 'media.payload'")]
    [InlineData("""{"event":"media"}""", "media: missing 'media.payload'")]
    [InlineData("""{"event":"media","media":[1]}""", "media: 'media' is not an object")]
    [InlineData("""{"event":"media","media":{"payload":"AA==","chunk":"x1"}}""", "media: 'media.chunk' is not an integer")]
    [InlineData("""{"event":"media","media":{"payload":"AA==","timestamp":1.5}}""", "media: 'media.timestamp' is not an integer")]
    [InlineData("""{"event":"media","sequenceNumber":{},"media":{"payload":"AA=="}}""", "media: 'sequenceNumber' is not an integer")]
    [InlineData("""{"event":"media","media":{"payload":"AA=="}} x""", "not JSON: ")]
    [InlineData("""{"event":"media","media":{"payload":"AA==""", "not JSON: ")]
    public void Media_errors_name_the_field(string json, string expected)
    {
        var e = Assert.Throws<StreamProtocolException>(() => Plivo.Parse(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void L16_big_endian_inbound_is_swapped_to_little_endian()
    {
        var swapping = PlivoDialect.For(MediaFormat.L16At16k, l16BigEndianInbound: true, vobiz: true);
        Assert.True(swapping.L16BigEndianInbound);
        Assert.Equal("vobiz", swapping.Name);
        const string json = """{"event":"media","media":{"payload":"ASIzRA=="}}"""; // 01 22 33 44
        Assert.Equal(new byte[] { 0x22, 0x01, 0x44, 0x33 }, ((StreamMedia)swapping.Parse(json)).Payload);
        Assert.Equal(new byte[] { 0x01, 0x22, 0x33, 0x44 }, ((StreamMedia)Plivo.Parse(json)).Payload);
        // For a µ-law stream the option is not applied at all.
        Assert.False(PlivoDialect.For(MediaFormat.Pcmu8k, l16BigEndianInbound: true).L16BigEndianInbound);
    }

    [Fact]
    public void Golden_dtmf_acks_cleared()
    {
        Assert.Equal(new StreamDtmf('5'), Plivo.Parse(Golden.Plivo.Dtmf));
        Assert.Equal(new StreamMarkAcknowledged("resp-17"), Plivo.Parse(Golden.Plivo.PlayedStreamVobiz));
        Assert.Equal(new StreamMarkAcknowledged("customer greeting audio"), Plivo.Parse(Golden.Plivo.PlayedStream));
        Assert.Equal(new StreamMarkAcknowledged("x"), Plivo.Parse("""{"event":"played","name":"x"}"""));
        Assert.IsType<StreamCleared>(Plivo.Parse(Golden.Plivo.ClearedAudio));
        Assert.IsType<StreamCleared>(Plivo.Parse(Golden.Plivo.ClearedAudioPlivo));
    }

    [Theory]
    [InlineData("""{"event":"dtmf","dtmf":{"digit":"E"}}""", "dtmf: 'dtmf.digit' is not a DTMF key")]
    [InlineData("""{"event":"dtmf","dtmf":{"digit":"12"}}""", "dtmf: 'dtmf.digit' is not a DTMF key")]
    [InlineData("""{"event":"dtmf","dtmf":{}}""", "dtmf: missing 'dtmf.digit'")]
    [InlineData("""{"event":"dtmf"}""", "dtmf: missing 'dtmf'")]
    [InlineData("""{"event":"playedStream"}""", "playedStream: missing 'name'")]
    public void Dtmf_and_ack_errors(string json, string expected)
    {
        var e = Assert.Throws<StreamProtocolException>(() => Plivo.Parse(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Dtmf_accepts_every_key_and_lower_case_letters()
    {
        foreach (char c in "0123456789*#ABCD")
            Assert.Equal(new StreamDtmf(c), Plivo.Parse($$$"""{"event":"dtmf","dtmf":{"digit":"{{{c}}}"}}"""));
        Assert.Equal(new StreamDtmf('B'), Plivo.Parse("""{"event":"dtmf","dtmf":{"digit":"b"}}"""));
    }

    [Fact]
    public void Stop_errors_and_unknown_events()
    {
        Assert.Equal(new StreamStopped(null), Plivo.Parse("""{"event":"stop","streamId":"s"}"""));
        Assert.Equal(new StreamStopped("hangup"), Plivo.Parse("""{"event":"stop","stop":{"reason":"hangup"}}"""));
        Assert.Equal(new StreamProviderError("playFailed: bad audio"), Plivo.Parse("""{"event":"playFailed","streamId":"s","reason":"bad audio"}"""));
        Assert.Equal(new StreamProviderError("boom"), Plivo.Parse("""{"event":"error","error":"boom"}"""));
        Assert.Equal(new StreamProviderError("42: boom"), Plivo.Parse("""{"event":"error","error":{"code":42,"message":"boom"}}"""));
        var raw = Assert.IsType<StreamProviderError>(Plivo.Parse("""{"event":"error","x":1}"""));
        Assert.Contains("\"x\":1", raw.Message);
        Assert.Equal(new StreamUnknownEvent("muteStream"), Plivo.Parse("""{"event":"muteStream","streamId":"s"}"""));
    }

    [Theory]
    [InlineData("", "not JSON: ")]
    [InlineData("hello", "not JSON: ")]
    [InlineData("[1,2]", "message is not a JSON object")]
    [InlineData("\"media\"", "message is not a JSON object")]
    [InlineData("{}", "message has no 'event'")]
    [InlineData("""{"streamId":"s","media":{"payload":"AA=="}}""", "message has no 'event'")]
    [InlineData("""{"event":5}""", "'event' is not a string")]
    [InlineData("""{"event":"clearedAudio",}""", "not JSON: ")]
    [InlineData("""{"event":"whatever","x":[}""", "not JSON: ")]
    public void Envelope_errors(string json, string expected)
    {
        var e = Assert.Throws<StreamProtocolException>(() => Plivo.Parse(json));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Golden_play_audio_exact()
    {
        string json = Plivo.Media("ignored", Golden.PayloadBytes, MediaFormat.Pcmu8k);
        Assert.Equal("""{"event":"playAudio","media":{"contentType":"audio/x-mulaw","sampleRate":8000,"payload":"//9/AA=="}}""", json);
        JsonAssert.Equal(Golden.Plivo.PlayAudio, json);
    }

    [Fact]
    public void Play_audio_l16_and_rejected_formats()
    {
        JsonAssert.Equal("""{"event":"playAudio","media":{"contentType":"audio/x-l16","sampleRate":16000,"payload":"AQI="}}""",
            Plivo.Media("s", [1, 2], MediaFormat.L16At16k));
        Assert.Throws<ArgumentException>(() => Plivo.Media("s", [1], MediaFormat.Pcma8k));
        Assert.Throws<ArgumentException>(() => Plivo.Media("s", [1], new MediaFormat(AudioEncoding.G722, 16000)));
    }

    [Fact]
    public void Golden_commands_exact()
    {
        Assert.Equal("""{"event":"checkpoint","streamId":"20170ada-…","name":"customer greeting audio"}""",
            Plivo.Mark("20170ada-…", "customer greeting audio"));
        JsonAssert.Equal(Golden.Plivo.Checkpoint, Plivo.Mark("20170ada-…", "customer greeting audio"));
        JsonAssert.Equal(Golden.Plivo.ClearAudio, Plivo.Clear("b77e037d-…"));
        JsonAssert.Equal(Golden.Plivo.SendDtmf, Plivo.SendDtmf("s", "123")!);
        JsonAssert.Equal(Golden.Plivo.Stop, Plivo.Stop("…")!);
        Assert.Equal("""{"event":"clearAudio","streamId":"b77e037d-…"}""", Plivo.Clear("b77e037d-…"));
        Assert.Equal("""{"event":"sendDTMF","dtmf":"1#AB"}""", Plivo.SendDtmf("s", "1#ab"));
        Assert.Throws<ArgumentException>(() => Plivo.SendDtmf("s", "12x"));
        Assert.Throws<ArgumentException>(() => Plivo.SendDtmf("s", ""));
    }

    [Fact]
    public void Names_with_quotes_are_escaped()
    {
        string json = Plivo.Mark("s", "say \"hi\"\n");
        Assert.Equal(new StreamMarkAcknowledged("say \"hi\"\n"),
            Plivo.Parse(json.Replace("checkpoint", "playedStream")));
    }
}
