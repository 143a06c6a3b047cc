using System.Xml.Linq;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Streams;
using Xunit;

namespace AudioFlow.Telephony.Tests.Streams;

public sealed class StreamAnswersTests
{
    private static XElement Root(string xml)
    {
        Assert.StartsWith("<?xml version=\"1.0\" encoding=\"utf-8\"?>", xml);
        var document = XDocument.Parse(xml);
        Assert.Equal("Response", document.Root!.Name.LocalName);
        return document.Root;
    }

    [Fact]
    public void Plivo_stream_defaults_exact()
    {
        string xml = StreamAnswers.PlivoStreamXml(new StreamAnswerOptions("wss://host.example/vobiz/stream"));
        Assert.Equal(
            """<?xml version="1.0" encoding="utf-8"?><Response><Stream bidirectional="true" keepCallAlive="true" contentType="audio/x-mulaw;rate=8000">wss://host.example/vobiz/stream</Stream></Response>""",
            xml);
    }

    [Fact]
    public void Plivo_stream_all_attributes_and_escaping()
    {
        var options = new StreamAnswerOptions("wss://host.example/vobiz/stream?a=1&b=<2>")
        {
            ContentType = MediaFormat.L16At16k,
            AudioTrack = "inbound",
            StreamTimeoutSeconds = 3600,
            StatusCallbackUrl = "https://host.example/status?x=1&y=\"2\"",
            ExtraHeaders = [new("tenant", "abc"), new("callRef", "123")],
            MaxRetries = 3,
        };
        var stream = Root(StreamAnswers.PlivoStreamXml(options)).Element("Stream")!;
        Assert.Equal("wss://host.example/vobiz/stream?a=1&b=<2>", stream.Value);
        Assert.Equal("true", (string?)stream.Attribute("bidirectional"));
        Assert.Equal("inbound", (string?)stream.Attribute("audioTrack"));
        Assert.Equal("true", (string?)stream.Attribute("keepCallAlive"));
        Assert.Equal("audio/x-l16;rate=16000", (string?)stream.Attribute("contentType"));
        Assert.Equal("3600", (string?)stream.Attribute("streamTimeout"));
        Assert.Equal("https://host.example/status?x=1&y=\"2\"", (string?)stream.Attribute("statusCallbackUrl"));
        Assert.Equal("POST", (string?)stream.Attribute("statusCallbackMethod"));
        Assert.Equal("tenant=abc,callRef=123", (string?)stream.Attribute("extraHeaders"));
        Assert.Equal("3", (string?)stream.Attribute("maxRetries"));
    }

    [Fact]
    public void Plivo_stream_rejects_what_the_provider_would_break_on()
    {
        Assert.Throws<ArgumentException>(() => StreamAnswers.PlivoStreamXml(new("https://host/ws")));
        Assert.Throws<ArgumentException>(() => StreamAnswers.PlivoStreamXml(new("/relative")));
        Assert.Throws<ArgumentException>(() => StreamAnswers.PlivoStreamXml(new("wss://h/ws") { Bidirectional = false }));
        Assert.Throws<ArgumentException>(() => StreamAnswers.PlivoStreamXml(new("wss://h/ws") { AudioTrack = "both" }));
        Assert.Throws<ArgumentException>(() => StreamAnswers.PlivoStreamXml(new("wss://h/ws") { ContentType = MediaFormat.Pcma8k }));
        Assert.Throws<ArgumentException>(() => StreamAnswers.PlivoStreamXml(new("wss://h/ws") { ExtraHeaders = [new("a b", "c")] }));
        Assert.Throws<ArgumentException>(() => StreamAnswers.PlivoStreamXml(new("wss://h/ws") { ExtraHeaders = [new("k", new string('x', 600))] }));
        Assert.Throws<ArgumentException>(() => StreamAnswers.PlivoStreamXml(new("wss://h/ws") { MaxRetries = 11 }));
        // One-way streams may drop keepCallAlive and take another track.
        var oneWay = Root(StreamAnswers.PlivoStreamXml(new("ws://h/ws") { Bidirectional = false, KeepCallAlive = false, AudioTrack = "both" })).Element("Stream")!;
        Assert.Equal("false", (string?)oneWay.Attribute("bidirectional"));
        Assert.Equal("both", (string?)oneWay.Attribute("audioTrack"));
    }

    [Fact]
    public void Twilio_connect_stream_exact_and_escaped()
    {
        string xml = StreamAnswers.TwilioConnectStream("wss://host.example/twilio/stream",
            [new("callRef", "123"), new("note", "a<b & \"c\"")]);
        Assert.Equal(
            """<?xml version="1.0" encoding="utf-8"?><Response><Connect><Stream url="wss://host.example/twilio/stream"><Parameter name="callRef" value="123" /><Parameter name="note" value="a&lt;b &amp; &quot;c&quot;" /></Stream></Connect></Response>""",
            xml);
        var parameters = Root(xml).Element("Connect")!.Element("Stream")!.Elements("Parameter").ToList();
        Assert.Equal("a<b & \"c\"", (string?)parameters[1].Attribute("value"));
    }

    [Fact]
    public void Twilio_connect_stream_rules()
    {
        var e = Assert.Throws<ArgumentException>(() => StreamAnswers.TwilioConnectStream("wss://h/ws?call=1"));
        Assert.Contains("31920", e.Message);
        Assert.Throws<ArgumentException>(() => StreamAnswers.TwilioConnectStream("ws://h/ws"));
        Assert.Throws<ArgumentException>(() => StreamAnswers.TwilioConnectStream("wss://h/ws", [new(new string('n', 500), "v")]));
        Assert.Throws<ArgumentException>(() => StreamAnswers.TwilioConnectStream("wss://h/ws", [new("n", new string('v', 500))]));
        Assert.Throws<ArgumentException>(() => StreamAnswers.TwilioConnectStream("wss://h/ws", [new("", "v")]));
        Assert.Throws<ArgumentException>(() => StreamAnswers.TwilioConnectStream("wss://h/ws", [new("n", "bad\u0001")]));
        var ok = Root(StreamAnswers.TwilioConnectStream("wss://h/ws", [new(new string('n', 499), new string('v', 499))]));
        Assert.Single(ok.Descendants("Parameter"));
    }

    [Fact]
    public void Telnyx_texml_stream()
    {
        string xml = StreamAnswers.TelnyxTexmlStream("wss://host.example/telnyx/stream", MediaFormat.Pcmu8k);
        Assert.Equal(
            """<?xml version="1.0" encoding="utf-8"?><Response><Connect><Stream url="wss://host.example/telnyx/stream" track="inbound_track" codec="PCMU" bidirectionalMode="rtp" bidirectionalCodec="PCMU" bidirectionalSamplingRate="8000" /></Connect></Response>""",
            xml);
        var stream = Root(StreamAnswers.TelnyxTexmlStream("wss://h/ws?ref=a&b=c", MediaFormat.L16At16k, [new("k", "v")]))
            .Element("Connect")!.Element("Stream")!;
        Assert.Equal("wss://h/ws?ref=a&b=c", (string?)stream.Attribute("url"));
        Assert.Null(stream.Attribute("codec"));
        Assert.Equal("L16", (string?)stream.Attribute("bidirectionalCodec"));
        Assert.Equal("16000", (string?)stream.Attribute("bidirectionalSamplingRate"));
        Assert.Equal("v", (string?)stream.Element("Parameter")!.Attribute("value"));
        Assert.Equal("16000", (string?)Root(StreamAnswers.TelnyxTexmlStream("wss://h/ws", new MediaFormat(AudioEncoding.G722, 16000)))
            .Descendants("Stream").Single().Attribute("bidirectionalSamplingRate"));
        Assert.Throws<ArgumentException>(() => StreamAnswers.TelnyxTexmlStream("wss://h/ws", new MediaFormat(AudioEncoding.L16, 44100)));
        Assert.Throws<ArgumentException>(() => StreamAnswers.TelnyxTexmlStream("http://h/ws", MediaFormat.Pcmu8k));
    }

    [Fact]
    public void Transfers_to_numbers_and_sip()
    {
        Assert.Equal("""<?xml version="1.0" encoding="utf-8"?><Response><Dial><Number>+15551234567</Number></Dial></Response>""",
            StreamAnswers.PlivoTransferXml("+1 (555) 123-4567"));
        Assert.Equal("""<?xml version="1.0" encoding="utf-8"?><Response><Dial><User>sip:agent@pbx.example</User></Dial></Response>""",
            StreamAnswers.PlivoTransferXml("sip:agent@pbx.example"));
        Assert.Equal("""<?xml version="1.0" encoding="utf-8"?><Response><Dial><Number>+15551234567</Number></Dial></Response>""",
            StreamAnswers.TwilioDialTwiml("+15551234567"));
        Assert.Equal("""<?xml version="1.0" encoding="utf-8"?><Response><Dial callerId="+15550000000"><Sip>sip:agent@pbx.example;transport=tcp</Sip></Dial></Response>""",
            StreamAnswers.TwilioDialTwiml("sip:agent@pbx.example;transport=tcp", callerId: "+15550000000"));
        Assert.Equal("Sip", Root(StreamAnswers.TelnyxDialTexml("sips:a@b")).Element("Dial")!.Elements().Single().Name.LocalName);
        var escaped = Root(StreamAnswers.TwilioDialTwiml("sip:a@b?X-Ref=1&Y=2")).Element("Dial")!.Element("Sip")!;
        Assert.Equal("sip:a@b?X-Ref=1&Y=2", escaped.Value);

        Assert.Throws<ArgumentException>(() => StreamAnswers.TwilioDialTwiml("call bob"));
        Assert.Throws<ArgumentException>(() => StreamAnswers.TwilioDialTwiml("+1"));
        Assert.Throws<ArgumentException>(() => StreamAnswers.TwilioDialTwiml("12345678901234567"));
        Assert.Throws<ArgumentException>(() => StreamAnswers.PlivoTransferXml("sip:"));
        Assert.Throws<ArgumentException>(() => StreamAnswers.PlivoTransferXml("sip:a b@c"));
        Assert.Throws<ArgumentException>(() => StreamAnswers.PlivoTransferXml("1+2"));
    }
}
