using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Streams;
using Xunit;

namespace AudioFlow.Telephony.Tests.Streams;

public sealed class TelnyxDialectTests
{
    private static readonly TelnyxDialect Telnyx = new();

    [Fact]
    public void Name_and_clear_semantics()
    {
        Assert.Equal("telnyx", Telnyx.Name);
        Assert.True(Telnyx.EchoesMarksOnClear);
    }

    [Fact]
    public void Golden_connected_and_start()
    {
        Assert.IsType<StreamConnected>(Telnyx.Parse(Golden.Telnyx.Connected));
        var start = Assert.IsType<StreamStarted>(Telnyx.Parse(Golden.Telnyx.Start));
        Assert.Equal("v2:…", start.CallId);
        Assert.Equal("32DE0DEA-…", start.StreamId);
        Assert.Equal(MediaFormat.Pcmu8k, start.Format);
        Assert.Equal("+1312…", start.From);
        Assert.Equal("+1312…", start.To);
        Assert.Equal(new Dictionary<string, string> { ["customer_id"] = "customer_123" }, start.Parameters);
    }

    [Theory]
    [InlineData("PCMU", 8000, AudioEncoding.Pcmu, 8000)]
    [InlineData("PCMA", 8000, AudioEncoding.Pcma, 8000)]
    [InlineData("G722", 8000, AudioEncoding.G722, 16000)]
    [InlineData("G722", 16000, AudioEncoding.G722, 16000)]
    [InlineData("L16", 16000, AudioEncoding.L16, 16000)]
    [InlineData("L16", 24000, AudioEncoding.L16, 24000)]
    public void Start_codecs(string codec, int rate, AudioEncoding encoding, int expectedRate)
    {
        string json = $$$$"""{"event":"start","stream_id":"S","start":{"call_control_id":"C","media_format":{"encoding":"{{{{codec}}}}","sample_rate":{{{{rate}}}},"channels":1}}}""";
        var start = (StreamStarted)Telnyx.Parse(json);
        Assert.Equal(new MediaFormat(encoding, expectedRate), start.Format);
        Assert.Null(start.From);
        Assert.Empty(start.Parameters);
    }

    [Theory]
    [InlineData("""{"event":"start","stream_id":"S","start":{"call_control_id":"C","media_format":{"encoding":"OPUS","sample_rate":48000}}}""", "unknown content type 'OPUS'")]
    [InlineData("""{"event":"start","start":{"call_control_id":"C"}}""", "start: missing 'stream_id'")]
    [InlineData("""{"event":"start","stream_id":"S","start":{}}""", "start: missing 'start.call_control_id'")]
    [InlineData("""{"event":"start","stream_id":"S","start":{"call_control_id":"C","media_format":{"sample_rate":8000}}}""", "start: missing 'start.media_format.encoding'")]
    [InlineData("""{"event":"media","sequence_number":"x","media":{"payload":"AA=="}}""", "media: 'sequence_number' is not an integer")]
    public void Errors_name_the_field(string json, string expected)
    {
        var e = Assert.Throws<StreamProtocolException>(() => Telnyx.Parse(json));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Golden_media_dtmf_and_the_rest()
    {
        var media = Assert.IsType<StreamMedia>(Telnyx.Parse(Golden.Telnyx.Media));
        Assert.Equal(Golden.PayloadBytes, media.Payload);
        Assert.Null(media.Sequence);
        Assert.Equal(2, media.Chunk);
        Assert.Equal(40, media.TimestampMs);
        Assert.Equal("inbound", media.Track);
        var sequenced = (StreamMedia)Telnyx.Parse("""{"event":"media","sequence_number":"4","media":{"payload":""}}""");
        Assert.Equal(4, sequenced.Sequence);
        Assert.Empty(sequenced.Payload);

        Assert.Equal(new StreamDtmf('1'), Telnyx.Parse(Golden.Telnyx.Dtmf));
        Assert.Equal(new StreamMarkAcknowledged("m1"), Telnyx.Parse("""{"event":"mark","stream_id":"S","mark":{"name":"m1"}}"""));
        Assert.Equal(new StreamStopped(null), Telnyx.Parse("""{"event":"stop","stream_id":"S","stop":{"call_control_id":"C"}}"""));
        Assert.Equal(new StreamUnknownEvent("streaming_failed"), Telnyx.Parse("""{"event":"streaming_failed"}"""));
    }

    [Theory]
    [InlineData("""{"event":"error","stream_id":"S","payload":{"code":100003,"title":"Malformed frame","detail":"The frame could not be parsed"}}""", "100003 Malformed frame: The frame could not be parsed")]
    [InlineData("""{"event":"error","payload":{"detail":"bad"}}""", "bad")]
    [InlineData("""{"event":"error","error":{"title":"Rate limit","code":"100005"}}""", "100005: Rate limit")]
    [InlineData("""{"event":"error","message":"plain"}""", "plain")]
    [InlineData("""{"event":"error","errors":[{"code":1,"detail":"first"}]}""", "1: first")]
    public void Error_shapes_are_tolerated(string json, string expected)
    {
        Assert.Equal(new StreamProviderError(expected), Telnyx.Parse(json));
    }

    [Fact]
    public void Golden_outbound()
    {
        JsonAssert.Equal(Golden.Telnyx.OutMedia, Telnyx.Media("", Golden.PayloadBytes, MediaFormat.Pcmu8k));
        JsonAssert.Equal(Golden.Telnyx.OutMark, Telnyx.Mark("", "resp-17"));
        JsonAssert.Equal(Golden.Telnyx.OutClear, Telnyx.Clear(""));
        Assert.Equal("""{"event":"media","stream_id":"S","media":{"payload":"//9/AA=="}}""", Telnyx.Media("S", Golden.PayloadBytes, MediaFormat.Pcmu8k));
        Assert.Equal("""{"event":"mark","stream_id":"S","mark":{"name":"resp-17"}}""", Telnyx.Mark("S", "resp-17"));
        Assert.Equal("""{"event":"clear","stream_id":"S"}""", Telnyx.Clear("S"));
        Assert.Null(Telnyx.SendDtmf("S", "1"));
        Assert.Null(Telnyx.Stop("S"));
    }

    [Fact]
    public void L16_big_endian_option_swaps_both_ways_for_l16_only()
    {
        var be = new TelnyxDialect { L16BigEndian = true };
        Assert.Equal("""{"event":"media","stream_id":"S","media":{"payload":"IgFEMw=="}}""", be.Media("S", [0x01, 0x22, 0x33, 0x44], MediaFormat.L16At16k));
        Assert.Equal("""{"event":"media","stream_id":"S","media":{"payload":"ASIzRA=="}}""", be.Media("S", [0x01, 0x22, 0x33, 0x44], MediaFormat.Pcmu8k));
        var media = (StreamMedia)be.Parse("""{"event":"media","media":{"payload":"IgFEMw=="}}""");
        Assert.Equal(new byte[] { 0x01, 0x22, 0x33, 0x44 }, media.Payload);
    }
}
