using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Streams;
using AudioFlow.Telephony.Streams.Simulation;
using Xunit;

namespace AudioFlow.Telephony.Tests.Streams;

/// <summary>The simulator's provider side against the product's dialects: what one builds, the other parses.</summary>
public sealed class ProviderRoundTripTests
{
    public static TheoryData<string, MediaFormat> Pairs() => new()
    {
        { "vobiz", MediaFormat.Pcmu8k },
        { "vobiz", MediaFormat.L16At16k },
        { "plivo", MediaFormat.L16At8k },
        { "plivo", new MediaFormat(AudioEncoding.L16, 24000) },
        { "twilio", MediaFormat.Pcmu8k },
        { "telnyx", MediaFormat.Pcmu8k },
        { "telnyx", MediaFormat.Pcma8k },
        { "telnyx", new MediaFormat(AudioEncoding.G722, 16000) },
        { "telnyx", MediaFormat.L16At16k },
    };

    private static readonly Dictionary<string, string> Parameters = new() { ["tenant"] = "abc", ["callRef"] = "123" };

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Provider_messages_parse_in_the_product(string name, MediaFormat format)
    {
        var provider = ProviderStreamDialects.Get(name);
        var product = StreamDialects.Get(name);
        Assert.Equal(product.Name, provider.Name);

        if (provider.Connected() is { } connected) Assert.IsType<StreamConnected>(product.Parse(connected));
        else Assert.Contains(name, new[] { "plivo", "vobiz" });

        var start = new ProviderStreamStart("call-1", "stream-1", format)
        {
            Parameters = Parameters, From = "+15550001111", To = "+15550002222", AccountId = "acct",
        };
        var started = Assert.IsType<StreamStarted>(product.Parse(provider.Start(start)));
        Assert.Equal("call-1", started.CallId);
        Assert.Equal("stream-1", started.StreamId);
        Assert.Equal(format, started.Format);
        Assert.Equal(Parameters, started.Parameters);
        if (name == "telnyx")
        {
            Assert.Equal("+15550001111", started.From);
            Assert.Equal("+15550002222", started.To);
        }

        var audio = new byte[format.BytesPerFrame];
        new Random(1).NextBytes(audio);
        var media = Assert.IsType<StreamMedia>(product.Parse(provider.Media("stream-1", audio, 7, 6, 120)));
        Assert.Equal(audio, media.Payload);
        Assert.Equal(7, media.Sequence);
        Assert.Equal(6, media.Chunk);
        Assert.Equal(120, media.TimestampMs);
        Assert.Equal("inbound", media.Track);

        foreach (char digit in "0123456789*#ABCD")
            Assert.Equal(new StreamDtmf(digit), product.Parse(provider.Dtmf("stream-1", digit, 9)));
        Assert.Equal(new StreamDtmf('A'), product.Parse(provider.Dtmf("stream-1", 'a')));
        Assert.Throws<ArgumentException>(() => provider.Dtmf("stream-1", 'x'));

        Assert.Equal(new StreamMarkAcknowledged("resp-17"), product.Parse(provider.MarkAcknowledged("stream-1", "resp-17", 10)));
        if (provider.Cleared("stream-1") is { } cleared) Assert.IsType<StreamCleared>(product.Parse(cleared));
        else Assert.True(product.EchoesMarksOnClear);
        Assert.IsType<StreamStopped>(product.Parse(provider.Stop("stream-1", "call-1", 11)));
    }

    [Theory]
    [MemberData(nameof(Pairs))]
    public void Product_commands_parse_in_the_provider(string name, MediaFormat format)
    {
        var provider = ProviderStreamDialects.Get(name);
        var product = StreamDialects.Get(name);
        var audio = new byte[format.BytesPerFrame];
        new Random(2).NextBytes(audio);

        var play = Assert.IsType<PlayAudio>(provider.Parse(product.Media("stream-1", audio, format)));
        Assert.Equal(audio, play.Payload);
        if (name == "telnyx") Assert.Null(play.Format);
        else Assert.Equal(format, play.Format);

        Assert.Equal(new MarkRequested("resp-17"), provider.Parse(product.Mark("stream-1", "resp-17")));
        Assert.IsType<ClearRequested>(provider.Parse(product.Clear("stream-1")));

        string? dtmf = product.SendDtmf("stream-1", "12#");
        if (dtmf is not null) Assert.Equal(new DtmfRequested("12#"), provider.Parse(dtmf));
        else Assert.Contains(name, new[] { "twilio", "telnyx" });

        string? stop = product.Stop("stream-1");
        if (stop is not null) Assert.IsType<StopRequested>(provider.Parse(stop));
        else Assert.Contains(name, new[] { "twilio", "telnyx" });
    }

    [Fact]
    public void Plivo_flat_start_round_trips()
    {
        var provider = new VobizProviderDialect();
        string json = provider.Start(new ProviderStreamStart("c", "s", MediaFormat.L16At16k) { FlatShape = true, Parameters = Parameters });
        Assert.DoesNotContain("\"start\":{", json);
        var started = (StreamStarted)new VobizDialect().Parse(json);
        Assert.Equal(("c", "s", MediaFormat.L16At16k), (started.CallId, started.StreamId, started.Format));
        Assert.Equal(Parameters, started.Parameters);
    }

    [Fact]
    public void Big_endian_l16_pairs_round_trip()
    {
        byte[] little = [0x01, 0x02, 0x03, 0x04];
        var plivoProvider = new PlivoProviderDialect { L16BigEndianInbound = true };
        var plivo = PlivoDialect.For(MediaFormat.L16At16k, l16BigEndianInbound: true);
        string wire = plivoProvider.Media("s", little, 1, 1, 20);
        Assert.Contains("\"AgEEAw==\"", wire); // big-endian on the wire
        Assert.Equal(little, ((StreamMedia)plivo.Parse(wire)).Payload);

        var telnyxProvider = new TelnyxProviderDialect { L16BigEndian = true };
        var telnyx = new TelnyxDialect { L16BigEndian = true };
        Assert.Equal(little, ((StreamMedia)telnyx.Parse(telnyxProvider.Media("s", little, 1, 1, 20))).Payload);
        Assert.Equal(little, ((PlayAudio)telnyxProvider.Parse(telnyx.Media("s", little, MediaFormat.L16At16k))).Payload);
    }

    [Fact]
    public void Telnyx_error_frame_round_trips()
    {
        string json = new TelnyxProviderDialect().Error("S", 100004, "Invalid media", "payload is not base64");
        Assert.Equal(new StreamProviderError("100004 Invalid media: payload is not base64"), new TelnyxDialect().Parse(json));
    }

    [Fact]
    public void Awkward_text_survives_both_ways()
    {
        const string id = "id \"quoted\" \\ / \u00e9\u4e2d\ud83d\ude00 \n\t\u0001";
        foreach (var name in StreamDialects.Names)
        {
            var provider = ProviderStreamDialects.Get(name);
            var product = StreamDialects.Get(name);
            var parameters = new Dictionary<string, string> { ["k\u00e9y"] = "v\"al" };
            if (name is "plivo" or "vobiz") parameters = new() { ["key"] = "v\u00e9l" };
            var started = (StreamStarted)product.Parse(provider.Start(new ProviderStreamStart(id, id, MediaFormat.Pcmu8k) { Parameters = parameters }));
            Assert.Equal(id, started.CallId);
            Assert.Equal(id, started.StreamId);
            Assert.Equal(parameters, started.Parameters);
            Assert.Equal(new MarkRequested(id), provider.Parse(product.Mark(id, id)));
            Assert.Equal(new StreamMarkAcknowledged(id), product.Parse(provider.MarkAcknowledged(id, id)));
        }
    }

    [Fact]
    public void Provider_parse_errors_and_unknowns()
    {
        var plivo = ProviderStreamDialects.Plivo;
        var twilio = ProviderStreamDialects.Twilio;
        var telnyx = ProviderStreamDialects.Telnyx;
        Assert.Contains("playAudio: missing 'media.contentType'", Assert.Throws<StreamProtocolException>(() => plivo.Parse("""{"event":"playAudio","media":{"payload":"AA=="}}""")).Message);
        Assert.Contains("playAudio: 'media.contentType'", Assert.Throws<StreamProtocolException>(() => plivo.Parse("""{"event":"playAudio","media":{"contentType":"audio/x-alaw","sampleRate":8000,"payload":"AA=="}}""")).Message);
        Assert.Contains("checkpoint: missing 'streamId'", Assert.Throws<StreamProtocolException>(() => plivo.Parse("""{"event":"checkpoint","name":"n"}""")).Message);
        Assert.Contains("sendDTMF: 'dtmf' holds 'x'", Assert.Throws<StreamProtocolException>(() => plivo.Parse("""{"event":"sendDTMF","dtmf":"1x"}""")).Message);
        Assert.Contains("media: missing 'streamSid'", Assert.Throws<StreamProtocolException>(() => twilio.Parse("""{"event":"media","media":{"payload":"AA=="}}""")).Message);
        Assert.Contains("media: 'media.payload' is not valid base64", Assert.Throws<StreamProtocolException>(() => telnyx.Parse("""{"event":"media","media":{"payload":"@@"}}""")).Message);
        Assert.Equal(new UnknownCommand("sendDTMF"), twilio.Parse("""{"event":"sendDTMF","dtmf":"1"}"""));
        Assert.Equal(new UnknownCommand("muteStream"), plivo.Parse("""{"event":"muteStream","streamId":"s"}"""));
        Assert.Throws<ArgumentException>(() => twilio.Start(new ProviderStreamStart("c", "s", MediaFormat.L16At16k)));
    }

    [Fact]
    public void Golden_outbound_examples_parse_in_the_provider()
    {
        Assert.Equal(Golden.PayloadBytes, ((PlayAudio)ProviderStreamDialects.Plivo.Parse(Golden.Plivo.PlayAudio)).Payload);
        Assert.Equal(new MarkRequested("customer greeting audio"), ProviderStreamDialects.Plivo.Parse(Golden.Plivo.Checkpoint));
        Assert.IsType<ClearRequested>(ProviderStreamDialects.Plivo.Parse(Golden.Plivo.ClearAudio));
        Assert.Equal(new DtmfRequested("123"), ProviderStreamDialects.Vobiz.Parse(Golden.Plivo.SendDtmf));
        Assert.IsType<StopRequested>(ProviderStreamDialects.Vobiz.Parse(Golden.Plivo.Stop));
        Assert.Equal(Golden.PayloadBytes, ((PlayAudio)ProviderStreamDialects.Twilio.Parse(Golden.Twilio.OutMedia)).Payload);
        Assert.Equal(new MarkRequested("resp-17"), ProviderStreamDialects.Twilio.Parse(Golden.Twilio.OutMark));
        Assert.IsType<ClearRequested>(ProviderStreamDialects.Twilio.Parse(Golden.Twilio.OutClear));
        Assert.Equal(Golden.PayloadBytes, ((PlayAudio)ProviderStreamDialects.Telnyx.Parse(Golden.Telnyx.OutMedia)).Payload);
        Assert.Equal(new MarkRequested("resp-17"), ProviderStreamDialects.Telnyx.Parse(Golden.Telnyx.OutMark));
        Assert.IsType<ClearRequested>(ProviderStreamDialects.Telnyx.Parse(Golden.Telnyx.OutClear));
    }
}

public sealed class BuilderArgumentTests
{
    [Fact]
    public void Empty_mark_names_are_rejected_by_every_builder()
    {
        foreach (var name in StreamDialects.Names)
        {
            Assert.ThrowsAny<ArgumentException>(() => StreamDialects.Get(name).Mark("s", ""));
            Assert.ThrowsAny<ArgumentException>(() => ProviderStreamDialects.Get(name).MarkAcknowledged("s", ""));
        }
    }
}
