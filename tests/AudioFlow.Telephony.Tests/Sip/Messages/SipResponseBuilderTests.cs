using System.Text;
using AudioFlow.Telephony.Sip.Messages;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Messages;

public sealed class SipResponseBuilderTests
{
    private const string Invite =
        "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2d4790.1, SIP/2.0/TCP edge.example.com;branch=z9hG4bKx\r\n" +
        "Max-Forwards: 69\r\n" +
        "v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.101;rport=5060\r\n" +
        "Record-Route: <sip:proxy.example.com;lr>\r\n" +
        "t: Bob <sip:bob@biloxi.example.com>\r\n" +
        "From: \"Alice, A.\" <sip:alice@atlanta.example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n" +
        "CSeq: 314159 INVITE\r\n" +
        "Timestamp: 54\r\n" +
        "Contact: <sip:alice@pc33.atlanta.example.com>\r\n" +
        "Content-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n";

    private static SipRequest Request()
    {
        Assert.True(SipParser.TryParse(Encoding.UTF8.GetBytes(Invite), out var m, out var error), error?.ToString());
        return (SipRequest)m!;
    }

    [Fact]
    public void Copies_vias_in_order_from_to_callid_cseq_and_adds_the_to_tag()
    {
        var response = SipResponseBuilder.For(Request(), 486, toTag: "a6c85cf");
        Assert.Equal("SIP/2.0 486 Busy Here", response.StartLine);
        Assert.Equal(
            [
                ("Via", "SIP/2.0/UDP proxy.example.com;branch=z9hG4bK2d4790.1, SIP/2.0/TCP edge.example.com;branch=z9hG4bKx"),
                ("Via", "SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.101;rport=5060"),
                ("From", "\"Alice, A.\" <sip:alice@atlanta.example.com>;tag=1928301774"),
                ("To", "Bob <sip:bob@biloxi.example.com>;tag=a6c85cf"),
                ("Call-ID", "a84b4c76e66710@pc33.atlanta.example.com"),
                ("CSeq", "314159 INVITE"),
            ],
            response.Headers.Select(h => (h.Name, h.Value)));
        Assert.Equal(["proxy.example.com", "edge.example.com", "pc33.atlanta.example.com"], response.Vias.Select(v => v.Host));

        var text = Encoding.UTF8.GetString(response.ToBytes());
        Assert.EndsWith("CSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n", text, StringComparison.Ordinal);
        Assert.True(SipParser.TryParse(response.ToBytes(), out var reparsed, out _));
        Assert.Equal("a6c85cf", reparsed.To!.Tag);
    }

    [Fact]
    public void An_existing_to_tag_is_kept_and_100_trying_copies_timestamp()
    {
        var request = Request();
        request.Headers.Set("To", "Bob <sip:bob@biloxi.example.com>;tag=existing");
        var ok = SipResponseBuilder.For(request, 200, toTag: "new");
        Assert.Equal("existing", ok.To!.Tag);
        Assert.False(ok.Headers.Contains("Timestamp"));

        var trying = SipResponseBuilder.For(Request(), 100);
        Assert.Equal("SIP/2.0 100 Trying", trying.StartLine);
        Assert.Null(trying.To!.Tag);
        Assert.Equal("54", trying.Headers["Timestamp"]);
    }

    [Fact]
    public void Body_and_content_length_are_consistent()
    {
        var response = SipResponseBuilder.For(Request(), 200, "OK", "t");
        response.Headers.Add("Content-Type", "application/sdp");
        response.Headers.Add("Content-Length", "999"); // stale value: ToBytes writes the real one
        response.Body = Encoding.ASCII.GetBytes("v=0\r\n");
        var text = Encoding.UTF8.GetString(response.ToBytes());
        Assert.Contains("\r\nContent-Length: 5\r\n\r\nv=0\r\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("999", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Building_a_request_from_parts()
    {
        var request = new SipRequest("OPTIONS", SipUri.Create("[2001:db8::5]", 5060, "trunk"));
        request.Headers.Add("Via", new SipVia("UDP", "192.0.2.1", 5060, "z9hG4bK" + "abc") { Parameters = { { "rport", null } } }.ToString());
        request.Headers.Add("From", new SipNameAddr(SipUri.Create("example.com", user: "audioflow"), "Audio \"Flow\"") { Tag = "f1" }.ToString());
        request.Headers.Add("To", new SipNameAddr(SipUri.Create("example.com", user: "trunk")).ToString());
        request.Headers.Add("Call-ID", "c1@192.0.2.1");
        request.Headers.Add("CSeq", new SipCSeq(1, "OPTIONS").ToString());
        request.Headers.Add("Max-Forwards", "70");
        var bytes = request.ToBytes();
        Assert.Equal(
            "OPTIONS sip:trunk@[2001:db8::5]:5060 SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport\r\n" +
            "From: \"Audio \\\"Flow\\\"\" <sip:audioflow@example.com>;tag=f1\r\n" +
            "To: <sip:trunk@example.com>\r\n" +
            "Call-ID: c1@192.0.2.1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
            Encoding.UTF8.GetString(bytes));
        Assert.True(SipParser.TryParse(bytes, out var parsed, out _));
        Assert.Equal("Audio \"Flow\"", parsed.From!.DisplayName);
    }

    [Fact]
    public void Reject_bad_tags_and_reasons_have_defaults()
    {
        Assert.Throws<ArgumentException>(() => SipResponseBuilder.For(Request(), 200, toTag: "bad tag"));
        Assert.Equal("Unsupported URI Scheme", SipResponseBuilder.For(Request(), 416).ReasonPhrase);
        Assert.Equal("Client Error", SipResponseBuilder.For(Request(), 499).ReasonPhrase);
    }
}
