using System.Net;
using System.Text;
using AudioFlow.Telephony.Sip.Sdp;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Sdp;

public sealed class SdpParserTests
{
    private static SdpParseException Reject(string text)
    {
        Assert.False(SdpParser.TryParse(text, out _, out var error));
        Assert.False(error!.IsInternalError);
        Assert.Throws<SdpParseException>(() => SdpParser.Parse(text));
        return error;
    }

    [Fact]
    public void Parses_every_field_of_the_sipp_offer()
    {
        var s = SdpSession.Parse(SdpSamples.Crlf(SdpSamples.Sipp));
        Assert.Equal(new SdpOrigin("sipp", "53655765", "2353687637", "IN", "IP4", "192.0.2.50"), s.Origin);
        Assert.Equal("-", s.SessionName);
        Assert.Equal(IPAddress.Parse("192.0.2.50"), s.Connection!.IpAddress);
        Assert.Equal([new SdpTiming(0, 0)], s.Timings);
        var m = Assert.Single(s.Media);
        Assert.True(m.IsAudio);
        Assert.Equal((6000, (int?)null, "RTP/AVP"), (m.Port, m.PortCount, m.Protocol));
        Assert.Equal(["0", "101"], m.Formats);
        Assert.Equal([0, 101], m.PayloadTypes);
        Assert.Equal(new SdpRtpMap(0, "PCMU", 8000), m.GetRtpMap(0));
        Assert.Equal(new SdpRtpMap(101, "telephone-event", 8000), m.GetRtpMap(101));
        Assert.Equal("0-16", m.GetFmtp(101));
        Assert.Null(m.GetFmtp(0));
        Assert.Equal(20, m.Ptime);
        Assert.Equal(SdpDirection.SendRecv, m.Direction);
        Assert.Null(m.Connection);
        Assert.Same(s.Connection, s.ConnectionFor(m));
    }

    [Fact]
    public void Samples_in_rfc_order_serialise_back_byte_for_byte()
    {
        foreach (var sample in SdpSamples.All.Where(s => s != SdpSamples.Rfc3264Alice))
        {
            var crlf = SdpSamples.Crlf(sample);
            Assert.Equal(crlf, SdpSession.Parse(crlf).ToString());
            Assert.Equal(crlf, SdpSession.Parse(sample).ToString()); // LF-only in, CRLF out
        }
    }

    [Fact]
    public void Unknown_attributes_and_ice_lines_are_preserved_in_order()
    {
        var s = SdpSession.Parse(SdpSamples.Linphone);
        Assert.Equal(["ice-pwd", "ice-ufrag", "rtcp-xr", "record"], s.Attributes.Select(a => a.Name));
        Assert.Equal("rcvr-rtt=all:10000 stat-summary=loss,dup,jitt,TTL voip-metrics", s.GetAttribute("rtcp-xr")!.Value);
        var m = s.Media[0];
        Assert.Equal(4, m.GetAttributes("candidate").Count());
        Assert.Equal("2 1 UDP 1694498687 203.0.113.77 7078 typ srflx raddr 192.0.2.35 rport 7078", m.GetAttributes("candidate").ElementAt(2).Value);
        Assert.Equal(new SdpRtcp(7079), m.Rtcp);
        Assert.Equal(new SdpRtpMap(96, "opus", 48000, 2), m.GetRtpMap(96));
        Assert.Null(m.GetRtpMap(18)); // fmtp only, static G729
        Assert.Equal("annexb=yes", m.GetFmtp(18));
        Assert.Null(m.Direction);
        Assert.Equal(SdpDirection.SendRecv, s.DirectionOf(m));
    }

    [Fact]
    public void Media_level_connection_bandwidth_and_rtcp_with_address()
    {
        var s = SdpSession.Parse(SdpSamples.KamailioRelayed);
        var m = s.Media[0];
        Assert.Equal("192.168.10.23", s.Connection!.Address);
        Assert.Equal("198.51.100.20", s.ConnectionFor(m)!.Address);
        Assert.Equal([new SdpBandwidth("AS", 84)], s.Bandwidths);
        Assert.Equal([new SdpBandwidth("TIAS", 64000)], m.Bandwidths);
        Assert.Equal(new SdpRtcp(35003, new SdpConnection("IN", "IP4", "198.51.100.20")), m.Rtcp);
        Assert.Equal("yes", m.GetAttribute("nortpproxy")!.Value);
    }

    [Fact]
    public void Tolerates_lf_bare_cr_blank_lines_trailing_whitespace_and_missing_s_and_t()
    {
        var text = "\r\n  v=0 \r\no=- 1 1 IN IP4 192.0.2.1\t\n\nc=IN  IP4   192.0.2.1  \r" +
                   "m=audio 4000 RTP/AVP 0\r\na=sendonly   \n\n";
        var s = SdpSession.Parse(text);
        Assert.Equal("-", s.SessionName);
        Assert.Empty(s.Timings);
        Assert.Equal("192.0.2.1", s.Connection!.Address);
        Assert.Equal(SdpDirection.SendOnly, s.Media[0].Direction);
        Assert.Equal("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nm=audio 4000 RTP/AVP 0\r\na=sendonly\r\n", s.ToString());
    }

    [Fact]
    public void Unknown_and_informational_lines_are_kept_and_written_in_rfc_order()
    {
        var text = """
            v=0
            o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5
            s=SDP Seminar
            x=experimental
            i=A Seminar on the session description protocol
            u=http://www.example.com/seminars/sdp.pdf
            e=j.doe@example.com (Jane Doe)
            c=IN IP4 224.2.17.12/127
            t=2873397496 2873404696
            r=7d 1h 0 25h
            a=recvonly
            m=audio 49170 RTP/AVP 0
            k=prompt
            i=voice
            y=unknown
            b=AS:not-a-number
            m=video 51372 RTP/AVP 99
            a=rtpmap:99 h263-1998/90000
            """;
        var s = SdpSession.Parse(text);
        Assert.Equal("SDP Seminar", s.SessionName);
        Assert.Equal([new SdpLine('x', "experimental"), new SdpLine('i', "A Seminar on the session description protocol"),
            new SdpLine('u', "http://www.example.com/seminars/sdp.pdf"), new SdpLine('e', "j.doe@example.com (Jane Doe)"),
            new SdpLine('r', "7d 1h 0 25h")], s.OtherLines);
        Assert.Equal(IPAddress.Parse("224.2.17.12"), s.Connection!.IpAddress);
        Assert.Equal(SdpDirection.RecvOnly, s.Direction);
        Assert.Equal([new SdpLine('k', "prompt"), new SdpLine('i', "voice"), new SdpLine('y', "unknown"), new SdpLine('b', "AS:not-a-number")], s.Media[0].OtherLines);
        var expected = """
            v=0
            o=jdoe 2890844526 2890842807 IN IP4 10.47.16.5
            s=SDP Seminar
            i=A Seminar on the session description protocol
            u=http://www.example.com/seminars/sdp.pdf
            e=j.doe@example.com (Jane Doe)
            c=IN IP4 224.2.17.12/127
            t=2873397496 2873404696
            r=7d 1h 0 25h
            x=experimental
            a=recvonly
            m=audio 49170 RTP/AVP 0
            i=voice
            b=AS:not-a-number
            k=prompt
            y=unknown
            m=video 51372 RTP/AVP 99
            a=rtpmap:99 h263-1998/90000
            """;
        Assert.Equal(SdpSamples.Crlf(expected), s.ToString());
        Assert.Equal(s.ToString(), SdpSession.Parse(s.ToString()).ToString());
    }

    [Fact]
    public void Ipv6_connection_and_origin()
    {
        var s = SdpSession.Parse(SdpSamples.Ipv6);
        Assert.Equal("IP6", s.Connection!.AddressType);
        Assert.Equal(IPAddress.Parse("2001:db8::15"), s.Connection.IpAddress);
        Assert.Equal("2001:db8::15", s.Origin!.Address);
        Assert.False(s.Connection.IsUnspecified);
        Assert.True(new SdpConnection("IN", "IP6", "::").IsUnspecified);
        Assert.True(new SdpConnection("IN", "IP4", "0.0.0.0").IsUnspecified);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0x7f.1")]
    [InlineData("127.1")]
    [InlineData("1.2.3.256")]
    [InlineData("host.example.com")]
    [InlineData("1.2.3.4.5")]
    [InlineData("")]
    public void Only_strict_ip_literals_count_as_addresses(string address) =>
        Assert.Null(new SdpConnection("IN", "IP4", address).IpAddress);

    [Fact]
    public void Connection_for_an_address_writes_the_family()
    {
        Assert.Equal("IN IP4 10.0.0.5", SdpConnection.For(IPAddress.Parse("10.0.0.5")).ToString());
        Assert.Equal("IN IP6 2001:db8::5", SdpConnection.For(IPAddress.Parse("2001:db8::5")).ToString());
        Assert.Equal("IN IP4 10.0.0.5", SdpConnection.For(IPAddress.Parse("::ffff:10.0.0.5")).ToString());
    }

    [Fact]
    public void Origin_username_with_spaces_and_version_increment()
    {
        var s = SdpSession.Parse("v=0\no=Sip Phone  99 18446744073709551615 IN IP4 192.0.2.9\ns=x\n");
        Assert.Equal("Sip Phone", s.Origin!.Username);
        Assert.Equal("18446744073709551616", s.Origin.WithNextVersion().SessionVersion);
        Assert.Equal("1", (s.Origin with { SessionVersion = "abc" }).WithNextVersion().SessionVersion);
        Assert.Equal("o=Sip Phone 99 18446744073709551615 IN IP4 192.0.2.9", s.ToString().Split("\r\n")[1]);
    }

    [Fact]
    public void Typed_attributes_tolerate_variants_and_skip_malformed_values()
    {
        var s = SdpSession.Parse("""
            v=0
            o=- 1 1 IN IP4 192.0.2.1
            s=-
            c=IN IP4 192.0.2.1
            t=0 0
            m=audio 4000/2 RTP/AVP 0 abc 300 8
            a=ptime:abc
            a=ptime:20.0
            a=maxptime:40
            a=rtpmap:8 pcma/8000/1
            a=rtpmap:0
            a=rtpmap:x PCMU/8000
            a=rtcp:0
            a=rtcp:5001 IN IP4
            a=rtcp:5003 IN IP6 2001:db8::1
            a=fmtp:8
            a=RTCP-MUX
            a=INACTIVE
            a=sendrecv
            """);
        var m = s.Media[0];
        Assert.Equal(2, m.PortCount);
        Assert.Equal([0, 8], m.PayloadTypes);
        Assert.Equal(20, m.Ptime);
        Assert.Equal(40, m.MaxPtime);
        Assert.Equal([new SdpRtpMap(8, "pcma", 8000, 1)], m.RtpMaps);
        Assert.Equal(new SdpRtcp(5003, new SdpConnection("IN", "IP6", "2001:db8::1")), m.Rtcp);
        Assert.Null(m.GetFmtp(8));
        Assert.True(m.RtcpMux);
        Assert.Equal(SdpDirection.Inactive, m.Direction); // the first one
        Assert.Equal("m=audio 4000/2 RTP/AVP 0 abc 300 8", s.ToString().Split("\r\n")[5]);
    }

    [Fact]
    public void Parses_utf8_bytes_including_invalid_sequences()
    {
        var bytes = Encoding.UTF8.GetBytes("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=Caf\u00e9 ").Concat(new byte[] { 0xFF, 0x0D, 0x0A }).ToArray();
        Assert.True(SdpParser.TryParse(bytes, out var s, out _));
        Assert.Equal("Caf\u00e9 \uFFFD", s!.SessionName);
    }

    [Theory]
    [InlineData("", "empty SDP")]
    [InlineData(" \r\n\r\n", "empty SDP")]
    [InlineData("hello world", "not a <type>=<value> line")]
    [InlineData("o=- 1 1 IN IP4 192.0.2.1\r\nv=0", "SDP must start with v=")]
    [InlineData("v=1", "unsupported SDP version")]
    [InlineData("v=0\r\nv=0", "second v= line")]
    [InlineData("v=0\r\nmalformed", "not a <type>=<value> line")]
    [InlineData("v=0\r\n1=x", "not a <type>=<value> line")]
    [InlineData("v=0\r\no=- 1 IN IP4 192.0.2.1", "o= needs <username> <sess-id> <sess-version> <nettype> <addrtype> <address>")]
    [InlineData("v=0\r\no=- 1 1 IN IP4 a\r\no=- 1 1 IN IP4 b", "more than one o=")]
    [InlineData("v=0\r\ns=a\r\ns=b", "more than one s=")]
    [InlineData("v=0\r\nc=IN IP4", "c= needs <nettype> <addrtype> <address>")]
    [InlineData("v=0\r\nc=IN IP4 1.2.3.4 5", "c= needs <nettype> <addrtype> <address>")]
    [InlineData("v=0\r\nc=IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.2", "more than one session-level c=")]
    [InlineData("v=0\r\nm=audio 1 RTP/AVP 0\r\nc=IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.2", "more than one c= in a media description")]
    [InlineData("v=0\r\nt=0", "t= needs <start-time> <stop-time>")]
    [InlineData("v=0\r\nt=now later", "t= needs <start-time> <stop-time>")]
    [InlineData("v=0\r\nm=audio 4000", "m= needs <media> <port> <proto> <fmt>...")]
    [InlineData("v=0\r\nm=audio 70000 RTP/AVP 0", "m= port is not 0..65535")]
    [InlineData("v=0\r\nm=audio -1 RTP/AVP 0", "m= port is not 0..65535")]
    [InlineData("v=0\r\nm=audio 4000/x RTP/AVP 0", "m= port count is not a number")]
    public void Rejects_unusable_sdp_with_a_reason(string text, string reason) =>
        Assert.Equal(reason, Reject(text).Reason);

    [Fact]
    public void Reports_the_line_number_and_limits_size()
    {
        var error = Reject("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n\r\nc=IN\r\n");
        Assert.Equal(4, error.LineNumber);
        Assert.StartsWith("Invalid SDP (line 4):", error.Message, StringComparison.Ordinal);
        Assert.Equal("SDP larger than 65536 characters", Reject("v=0\r\n" + new string('a', 70000)).Reason);
        Assert.False(SdpParser.TryParse((string?)null, out _, out _));
    }

    [Fact]
    public void Builds_and_writes_a_session_from_code()
    {
        var s = new SdpSession
        {
            Origin = SdpOrigin.Create("me", 7, 8, IPAddress.Parse("2001:db8::7")),
            SessionName = "call",
            Connection = SdpConnection.For(IPAddress.Parse("2001:db8::7")),
            Timings = [SdpTiming.Unbounded],
            Media =
            [
                new SdpMedia
                {
                    MediaType = "audio", Port = 5004, Protocol = "RTP/AVP", Formats = ["9"],
                    Attributes = [new SdpRtpMap(9, "G722", 8000).ToAttribute(), SdpAttribute.Ptime(20), SdpAttribute.Direction(SdpDirection.RecvOnly)],
                },
            ],
        };
        Assert.Equal(SdpSamples.Crlf("""
            v=0
            o=me 7 8 IN IP6 2001:db8::7
            s=call
            c=IN IP6 2001:db8::7
            t=0 0
            m=audio 5004 RTP/AVP 9
            a=rtpmap:9 G722/8000
            a=ptime:20
            a=recvonly
            """), s.ToString());
        Assert.Throws<ArgumentException>(() => new SdpSession { SessionName = "a\r\nb" }.ToString());
    }
}
