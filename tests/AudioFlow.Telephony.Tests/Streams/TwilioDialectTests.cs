using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Streams;
using Xunit;

namespace AudioFlow.Telephony.Tests.Streams;

public sealed class TwilioDialectTests
{
    private static readonly TwilioDialect Twilio = new();

    [Fact]
    public void Name_and_clear_semantics()
    {
        Assert.Equal("twilio", Twilio.Name);
        Assert.True(Twilio.EchoesMarksOnClear);
    }

    [Fact]
    public void Golden_connected_and_start()
    {
        Assert.IsType<StreamConnected>(Twilio.Parse(Golden.Twilio.Connected));
        var start = Assert.IsType<StreamStarted>(Twilio.Parse(Golden.Twilio.Start));
        Assert.Equal("CA…", start.CallId);
        Assert.Equal("MZ…", start.StreamId);
        Assert.Equal(MediaFormat.Pcmu8k, start.Format);
        Assert.Equal(new Dictionary<string, string> { ["callRef"] = "123" }, start.Parameters);
    }

    [Fact]
    public void Golden_media_numbers_as_strings()
    {
        var media = Assert.IsType<StreamMedia>(Twilio.Parse(Golden.Twilio.Media));
        Assert.Equal(Golden.PayloadBytes, media.Payload);
        Assert.Equal(3, media.Sequence);
        Assert.Equal(1, media.Chunk);
        Assert.Equal(160, media.TimestampMs);
        Assert.Equal("inbound", media.Track);
    }

    [Fact]
    public void Golden_dtmf_mark_stop()
    {
        Assert.Equal(new StreamDtmf('1'), Twilio.Parse(Golden.Twilio.Dtmf));
        Assert.Equal(new StreamMarkAcknowledged("resp-17"), Twilio.Parse(Golden.Twilio.Mark));
        Assert.Equal(new StreamStopped(null), Twilio.Parse(Golden.Twilio.Stop));
        Assert.Equal(new StreamUnknownEvent("closed"), Twilio.Parse("""{"event":"closed"}"""));
    }

    [Theory]
    [InlineData("""{"event":"start","streamSid":"MZ","start":{"streamSid":"MZ"}}""", "start: missing 'start.callSid'")]
    [InlineData("""{"event":"start","start":{"callSid":"CA"}}""", "start: missing 'start.streamSid'")]
    [InlineData("""{"event":"start"}""", "start: missing 'start'")]
    [InlineData("""{"event":"start","start":{"callSid":"CA","streamSid":"MZ","mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":16000}}}""", "unsupported rate 16000")]
    [InlineData("""{"event":"start","start":{"callSid":"CA","streamSid":"MZ","customParameters":"a=b"}}""", "start: 'start.customParameters' is not an object")]
    [InlineData("""{"event":"mark","mark":{}}""", "mark: missing 'mark.name'")]
    [InlineData("""{"event":"mark"}""", "mark: missing 'mark'")]
    [InlineData("""{"event":"media","sequenceNumber":"3a","media":{"payload":"AA=="}}""", "media: 'sequenceNumber' is not an integer")]
    [InlineData("""{"event":"dtmf","dtmf":{"digit":"x"}}""", "dtmf: 'dtmf.digit' is not a DTMF key")]
    public void Errors_name_the_event_and_field(string json, string expected)
    {
        var e = Assert.Throws<StreamProtocolException>(() => Twilio.Parse(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Start_stream_sid_falls_back_to_root_and_parameters_keep_non_strings()
    {
        var start = (StreamStarted)Twilio.Parse("""{"event":"start","streamSid":"MZ1","start":{"callSid":"CA1","customParameters":{"n":5,"b":true,"z":null}}}""");
        Assert.Equal("MZ1", start.StreamId);
        Assert.Equal(MediaFormat.Pcmu8k, start.Format);
        Assert.Equal("5", start.Parameters["n"]);
        Assert.Equal("true", start.Parameters["b"]);
        Assert.Equal("", start.Parameters["z"]);
    }

    [Fact]
    public void Golden_outbound_exact()
    {
        string media = Twilio.Media("MZ…", Golden.PayloadBytes, MediaFormat.Pcmu8k);
        Assert.Equal("""{"event":"media","streamSid":"MZ…","media":{"payload":"//9/AA=="}}""", media);
        JsonAssert.Equal(Golden.Twilio.OutMedia, media);
        Assert.Equal("""{"event":"mark","streamSid":"MZ…","mark":{"name":"resp-17"}}""", Twilio.Mark("MZ…", "resp-17"));
        JsonAssert.Equal(Golden.Twilio.OutMark, Twilio.Mark("MZ…", "resp-17"));
        Assert.Equal("""{"event":"clear","streamSid":"MZ…"}""", Twilio.Clear("MZ…"));
        JsonAssert.Equal(Golden.Twilio.OutClear, Twilio.Clear("MZ…"));
        Assert.Null(Twilio.SendDtmf("MZ…", "1"));
        Assert.Null(Twilio.Stop("MZ…"));
    }

    [Fact]
    public void Media_rejects_anything_but_mulaw_8k()
    {
        Assert.Throws<ArgumentException>(() => Twilio.Media("MZ", [1], MediaFormat.Pcma8k));
        Assert.Throws<ArgumentException>(() => Twilio.Media("MZ", [1], MediaFormat.L16At8k));
        Assert.Throws<ArgumentException>(() => Twilio.Media("MZ", [1], new MediaFormat(AudioEncoding.Pcmu, 16000)));
    }

    [Fact]
    public void Large_payload_round_trips_through_the_reused_buffer()
    {
        var big = new byte[8000 * 30]; // 30 s of µ-law
        new Random(7).NextBytes(big);
        string json = Twilio.Media("MZ", big, MediaFormat.Pcmu8k);
        var back = (StreamMedia)Twilio.Parse(json.Replace("\"streamSid\"", "\"sequenceNumber\":\"9\",\"streamSid\""));
        Assert.Equal(big, back.Payload);
        Assert.Equal(9, back.Sequence);
        // And a small one after it still comes out right.
        Assert.Equal("""{"event":"clear","streamSid":"MZ"}""", Twilio.Clear("MZ"));
    }
}
