using System.Text;
using AudioFlow.Telephony.Sip.Messages;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Messages;

public sealed class SipParserTests
{
    private const string Core =
        "Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\n" +
        "Max-Forwards: 70\r\n" +
        "To: Bob <sip:bob@example.com>\r\n" +
        "From: Alice <sip:alice@example.com>;tag=1928301774\r\n" +
        "Call-ID: a84b4c76e66710@pc33.example.com\r\n";

    private static SipMessage Parse(string text)
    {
        Assert.True(SipParser.TryParse(Encoding.UTF8.GetBytes(text), out var message, out var error), error?.ToString());
        return message!;
    }

    private static SipParseError Reject(string text)
    {
        Assert.False(SipParser.TryParse(Encoding.UTF8.GetBytes(text), out _, out var error));
        Assert.NotEqual(SipParseErrorKind.InternalError, error!.Kind);
        return error;
    }

    private static string Options(string extraHeaders = "", string body = "") =>
        "OPTIONS sip:bob@example.com SIP/2.0\r\n" + Core + "CSeq: 63104 OPTIONS\r\n" + extraHeaders + "\r\n" + body;

    [Fact]
    public void Compact_forms_map_to_full_names_and_serialise_in_full()
    {
        var m = Parse(
            "NOTIFY sip:bob@example.com SIP/2.0\r\n" +
            "v: SIP/2.0/TCP h.example.com;branch=z9hG4bKx\r\n" +
            "f: <sip:a@example.com>;tag=1\r\nt: <sip:b@example.com>;tag=2\r\ni: cid-1\r\nCSeq: 5 NOTIFY\r\n" +
            "m: <sip:a@10.0.0.1>\r\ne: gzip\r\nc: text/plain\r\ns: hello\r\nk: timer, replaces\r\no: refer;id=7\r\n" +
            "r: <sip:c@example.com>\r\nb: <sip:a@example.com>\r\nu: refer, dialog\r\nx: 1800;refresher=uas\r\n" +
            "l: 2\r\n\r\nhi");
        Assert.Equal("cid-1", m.CallId);
        Assert.Equal("2", m.To!.Tag);
        Assert.Equal("10.0.0.1", Assert.Single(m.Contacts).Uri.Host);
        Assert.Equal("gzip", m.Headers["Content-Encoding"]);
        Assert.Equal("text/plain", m.ContentType!.MediaType);
        Assert.Equal("hello", m.Headers["Subject"]);
        Assert.Equal(["timer", "replaces"], m.Supported);
        Assert.Equal(("refer", "7"), (m.Event!.EventType, m.Event.Id));
        Assert.Equal("c", m.ReferTo!.Uri.User);
        Assert.Equal("a", m.ReferredBy!.Uri.User);
        Assert.Equal(["refer", "dialog"], m.Headers.GetValues("Allow-Events"));
        Assert.Equal("1800;refresher=uas", m.Headers["Session-Expires"]);
        Assert.Equal(2, m.ContentLength);
        Assert.Equal("v", m.Headers[0].Name); // original name kept

        var text = Encoding.UTF8.GetString(m.ToBytes());
        foreach (var full in new[] { "Via:", "From:", "To:", "Call-ID:", "Contact:", "Content-Encoding:", "Content-Type:", "Subject:", "Supported:", "Event:", "Refer-To:", "Referred-By:", "Allow-Events:", "Session-Expires:", "Content-Length: 2" })
        {
            Assert.Contains("\r\n" + full, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Header_lookup_is_case_insensitive_and_sees_compact_forms()
    {
        var m = Parse(Options("sUpPoRtEd: 100rel\r\n"));
        Assert.Equal("a84b4c76e66710@pc33.example.com", m.Headers["call-id"]);
        Assert.Equal("a84b4c76e66710@pc33.example.com", m.Headers["i"]);
        Assert.Equal(["100rel"], m.Supported);
        Assert.Equal("Supported", m.Headers.First(h => h.Name == "sUpPoRtEd").CanonicalName);
    }

    [Fact]
    public void Folded_lines_are_joined_with_one_space_even_between_name_and_colon()
    {
        var m = Parse(
            "OPTIONS sip:bob@example.com SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP pc33.example.com\r\n\t;branch=z9hG4bK776asdhds\r\n   ;rport\r\n" +
            "To: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=1\r\n" +
            "Call-ID\r\n  : folded-1\r\nCSeq: 1\r\n OPTIONS\r\n" +
            "X-Long: one\r\n two  \r\n\t  three\r\n\r\n");
        Assert.Equal("folded-1", m.CallId);
        Assert.Equal(new SipCSeq(1, "OPTIONS"), m.CSeq);
        Assert.Equal("one two three", m.Headers["X-Long"]);
        Assert.Equal("z9hG4bK776asdhds", m.TopVia!.Branch);
        Assert.True(m.TopVia.HasRPort);
    }

    [Fact]
    public void Lws_around_colon_is_accepted()
    {
        var m = Parse(Options("Subject   :   spaced out  \r\nX-Tab\t:\tvalue\r\n"));
        Assert.Equal("spaced out", m.Headers["Subject"]);
        Assert.Equal("value", m.Headers["X-Tab"]);
    }

    [Fact]
    public void Comma_lists_and_repeated_headers_are_both_values_in_order()
    {
        var m = Parse(
            "INVITE sip:bob@example.com SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2\r\n" +
            "Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3\r\n" +
            "To: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=1\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n" +
            "Contact: \"Doe, John\" <sip:john@a.example.com;x=1>;q=0.5, <sip:k@b.example.com>, \"Quote \\\" ,<\" <sip:q@c.example.com>\r\n" +
            "Allow: INVITE, ACK,BYE\r\nAllow: OPTIONS\r\n" +
            "Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\nRecord-Route: <sip:rr.example.com;lr>\r\n" +
            "Subject: one, two\r\n\r\n");
        Assert.Equal(["a.example.com", "b.example.com", "c.example.com"], m.Vias.Select(v => v.Host));
        Assert.Equal(["Doe, John", null, "Quote \" ,<"], m.Contacts.Select(c => c.DisplayName));
        Assert.Equal(0.5, m.Contacts[0].Q);
        Assert.Equal(["INVITE", "ACK", "BYE", "OPTIONS"], m.Allow);
        Assert.Equal(["p1.example.com", "p2.example.com"], m.Routes.Select(r => r.Uri.Host));
        Assert.Equal("rr.example.com", Assert.Single(m.RecordRoutes).Uri.Host);
        Assert.Equal(["one, two"], m.Headers.GetValues("Subject")); // not a list header: never split
        Assert.Equal(2, m.Headers.CountOf("Via"));
    }

    [Fact]
    public void Ipv6_via_and_uris()
    {
        var m = Parse(
            "INVITE sip:bob@[2001:db8::10] SIP/2.0\r\n" +
            "Via: SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1;received=2001:db8::2;rport=5062\r\n" +
            "To: <sip:bob@[2001:db8::10]>\r\nFrom: <sip:alice@[2001:db8::1]:5070>;tag=1\r\nCall-ID: v6\r\nCSeq: 1 INVITE\r\n" +
            "Contact: <sip:alice@[2001:db8::1]:5070;transport=tcp>\r\n\r\n");
        var request = (SipRequest)m;
        Assert.Equal("[2001:db8::10]", request.RequestUri.Host);
        Assert.True(request.RequestUri.HostIsIPv6);
        var via = m.TopVia!;
        Assert.Equal(("[2001:db8::1]", (int?)5060, "2001:db8::2", (int?)5062), (via.Host, via.Port, via.Received, via.RPort));
        var contact = Assert.Single(m.Contacts).Uri;
        Assert.Equal(("[2001:db8::1]", (int?)5070, "tcp"), (contact.Host, contact.Port, contact.Transport));
        Assert.Equal("SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bK1;received=2001:db8::2;rport=5062", via.ToString());

        Reject(Options().Replace("pc33.example.com;", "[2001:db8::zz];", StringComparison.Ordinal));
        Reject(Options().Replace("pc33.example.com;", "[2001:db8::1;", StringComparison.Ordinal));
    }

    [Fact]
    public void Rport_flag_versus_value()
    {
        Assert.True(SipVia.TryParse("SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bKa", out var flag));
        Assert.True(flag.HasRPort);
        Assert.Null(flag.RPort);

        Assert.True(SipVia.TryParse("SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKa;rport=40000;received=203.0.113.9", out var value));
        Assert.True(value.HasRPort);
        Assert.Equal(40000, value.RPort);

        flag.RPort = 5061;
        flag.Received = "203.0.113.9";
        Assert.Equal("SIP/2.0/UDP 10.0.0.1:5060;rport=5061;branch=z9hG4bKa;received=203.0.113.9", flag.ToString());

        Assert.True(SipVia.TryParse("SIP/2.0/UDP 10.0.0.1", out var none));
        Assert.False(none.HasRPort);
    }

    [Fact]
    public void Quoted_display_names_with_escapes_and_utf8()
    {
        var m = Parse(Options().Replace("From: Alice <sip:alice@example.com>", "From: \"A \\\"quoted\\\" \\\\ name\" <sip:alice@example.com>", StringComparison.Ordinal)
            .Replace("To: Bob <", "To: \"Jörg Müller 東京\" <", StringComparison.Ordinal));
        Assert.Equal("A \"quoted\" \\ name", m.From!.DisplayName);
        Assert.Equal("Jörg Müller 東京", m.To!.DisplayName);
        Assert.Equal("\"A \\\"quoted\\\" \\\\ name\" <sip:alice@example.com>;tag=1928301774", m.From.ToString());

        // Unquoted UTF-8 tokens are tolerated.
        Assert.Equal("Zoë Ångström", Parse(Options().Replace("To: Bob <", "To: Zoë Ångström <", StringComparison.Ordinal)).To!.DisplayName);
    }

    [Fact]
    public void Udp_without_content_length_takes_the_rest_of_the_datagram()
    {
        var m = Parse(Options(body: "abc\r\ndef"));
        Assert.Null(m.ContentLength);
        Assert.Equal("abc\r\ndef", Encoding.UTF8.GetString(m.Body.Span));
        Assert.Contains("Content-Length: 8\r\n", Encoding.UTF8.GetString(m.ToBytes()), StringComparison.Ordinal);
    }

    [Fact]
    public void Udp_content_length_shorter_than_the_datagram_ignores_the_extra_octets()
    {
        var m = Parse(Options("Content-Length: 3\r\n", "abcdef"));
        Assert.Equal("abc", Encoding.UTF8.GetString(m.Body.Span));
    }

    [Fact]
    public void Udp_content_length_longer_than_the_datagram_is_an_error_with_a_400()
    {
        var error = Reject(Options("Content-Length: 10\r\n", "abcdef"));
        Assert.Equal(SipParseErrorKind.BodyTruncated, error.Kind);
        Assert.True(error.CanRespond);
    }

    [Theory]
    [InlineData("Content-Length: abc\r\n")]
    [InlineData("Content-Length: -1\r\n")]
    [InlineData("Content-Length: 99999999999999999999\r\n")]
    [InlineData("Content-Length: 1\r\nl: 2\r\n")]
    public void Bad_content_length_is_rejected(string header) => Assert.True(Reject(Options(header, "ab")).CanRespond);

    [Fact]
    public void Identical_repeated_content_length_is_tolerated() => Assert.Equal(2, Parse(Options("Content-Length: 2\r\nl: 2\r\n", "ab")).Body.Length);

    [Fact]
    public void Leading_crlfs_and_bare_lf_line_ends_are_tolerated()
    {
        var m = Parse("\r\n\r\n" + Options().Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal("OPTIONS", ((SipRequest)m).Method);
        Assert.Equal("a84b4c76e66710@pc33.example.com", m.CallId);
    }

    [Fact]
    public void Unknown_methods_and_headers_are_preserved()
    {
        var m = (SipRequest)Parse(Options().Replace("OPTIONS", "FROBNICATE", StringComparison.Ordinal) + "");
        Assert.Equal("FROBNICATE", m.Method);
        var withHeader = Parse(Options("X-Weird_Name.1: \"unbalanced ; ,\r\n"));
        Assert.Equal("\"unbalanced ; ,", withHeader.Headers["X-Weird_Name.1"]);
    }

    [Fact]
    public void Empty_or_keepalive_datagrams_are_reported_as_empty()
    {
        Assert.False(SipParser.TryParse([], out _, out var e1));
        Assert.Equal(SipParseErrorKind.Empty, e1.Kind);
        Assert.False(SipParser.TryParse("\r\n\r\n"u8, out _, out var e2));
        Assert.Equal(SipParseErrorKind.Empty, e2.Kind);
        Assert.False(e2.CanRespond);
    }

    [Fact]
    public void Very_long_lines_parse_and_the_overall_size_limit_applies()
    {
        var longValue = new string('a', 50_000);
        Assert.Equal(longValue, Parse(Options("X-Long: " + longValue + "\r\n")).Headers["X-Long"]);

        var tooLarge = Reject(Options("X-Long: " + new string('a', 70_000) + "\r\n"));
        Assert.Equal(SipParseErrorKind.MessageTooLarge, tooLarge.Kind);
        Assert.Equal(513, tooLarge.StatusCode);

        Assert.False(SipParser.TryParse(Encoding.UTF8.GetBytes(Options()), 100, out _, out var small));
        Assert.Equal(SipParseErrorKind.MessageTooLarge, small.Kind);
    }

    [Fact]
    public void A_broken_ack_never_gets_a_response()
    {
        var error = Reject(Options().Replace("OPTIONS", "ACK", StringComparison.Ordinal).Replace("Max-Forwards: 70", "Max-Forwards: x", StringComparison.Ordinal));
        Assert.False(error.CanRespond);
    }

    [Fact]
    public void Missing_via_means_no_response_is_possible()
    {
        var error = Reject(Options().Replace("Via: SIP/2.0/UDP pc33.example.com;branch=z9hG4bK776asdhds\r\n", "", StringComparison.Ordinal));
        Assert.Contains("Via", error.Reason, StringComparison.Ordinal);
        Assert.False(error.CanRespond);
    }

    [Theory]
    [InlineData("OPTIONS sip:bob@example.com SIP/2.0 \r\n")]
    [InlineData("OPTIONS  sip:bob@example.com SIP/2.0\r\n")]
    [InlineData("OPTIONS sip:bob@example.com\r\n")]
    [InlineData("OPTIONS sip:bob@example.com SIP/2\r\n")]
    [InlineData("OPTIONS <sip:bob@example.com> SIP/2.0\r\n")]
    [InlineData("OPTIONS sip:bob@example.com?Subject=x SIP/2.0\r\n")]
    public void Malformed_request_lines_are_rejected_with_a_400(string requestLine)
    {
        var error = Reject(requestLine + Core + "CSeq: 1 OPTIONS\r\n\r\n");
        Assert.True(error.CanRespond);
        Assert.Equal(400, error.StatusCode);
    }

    [Theory]
    [InlineData("SIP/2.0 20 OK")]
    [InlineData("SIP/2.0 2000 OK")]
    [InlineData("SIP/2.0 099 Low")]
    [InlineData("SIP/2.0 200OK")]
    [InlineData("SIP/3.0 200 OK")]
    [InlineData("SIP/2.0 700 Too High")]
    [InlineData("SIP/2.0 999 Too High")]
    public void Malformed_status_lines_are_rejected_without_response(string statusLine)
    {
        var error = Reject(statusLine + "\r\n" + Core + "CSeq: 1 OPTIONS\r\n\r\n");
        Assert.False(error.CanRespond);
    }

    [Fact]
    public void Response_without_reason_phrase_separator_is_tolerated()
    {
        var m = (SipResponse)Parse("SIP/2.0 180\r\n" + Core + "CSeq: 1 INVITE\r\n\r\n");
        Assert.Equal((180, ""), (m.StatusCode, m.ReasonPhrase));
    }

    [Fact]
    public void Header_values_cannot_inject_lines()
    {
        var headers = new SipRequest("OPTIONS", SipUri.Parse("sip:a@b.example.com")).Headers;
        Assert.Throws<ArgumentException>(() => headers.Add("X-Evil", "a\r\nVia: injected"));
        Assert.Throws<ArgumentException>(() => headers.Add("Bad Name", "x"));
        Assert.Throws<ArgumentException>(() => new SipRequest("BAD METHOD", SipUri.Parse("sip:a@b.example.com")));
        var request = new SipRequest("OPTIONS", SipUri.Parse("sip:a@b.example.com")) { Version = "SIP/2.0\r\nX: y" };
        Assert.Throws<InvalidOperationException>(() => request.ToBytes());
        var response = new SipResponse(400, "Bad\r\nVia: x");
        Assert.StartsWith("SIP/2.0 400 Bad  Via: x\r\n", Encoding.UTF8.GetString(response.ToBytes()), StringComparison.Ordinal);
    }

    [Fact]
    public void Digest_challenge_and_credentials_are_parsed()
    {
        var m = Parse("SIP/2.0 401 Unauthorized\r\n" + Core + "CSeq: 1 REGISTER\r\n" +
            "WWW-Authenticate: Digest realm=\"atlanta.example.com\", qop=\"auth,auth-int\",\r\n nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", opaque=\"\", stale=FALSE, algorithm=MD5\r\n" +
            "Proxy-Authenticate: Digest realm=\"p\", nonce=\"n\\\"q\"\r\n\r\n");
        var challenge = Assert.Single(m.WwwAuthenticate);
        Assert.True(challenge.IsDigest);
        Assert.Equal(("atlanta.example.com", "ea9c8e88df84f1cec4341ae6cbe5a359", "", "MD5"), (challenge.Realm, challenge.Nonce, challenge.Opaque, challenge.Algorithm));
        Assert.Equal(["auth", "auth-int"], challenge.QopOptions);
        Assert.False(challenge.Stale);
        Assert.Equal("n\"q", Assert.Single(m.ProxyAuthenticate).Nonce);

        Assert.True(SipDigestCredentials.TryParse(
            "Digest username=\"bob\", realm=\"biloxi.example.com\", nonce=\"dcd98b\", uri=\"sip:bob@biloxi.example.com\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c\"",
            out var credentials));
        Assert.Equal(("bob", "sip:bob@biloxi.example.com", "auth", "00000001", "0a4f113b"), (credentials.Username, credentials.Uri, credentials.Qop, credentials.NonceCount, credentials.CNonce));
        Assert.Equal(
            "Digest username=\"bob\", realm=\"biloxi.example.com\", nonce=\"dcd98b\", uri=\"sip:bob@biloxi.example.com\", qop=auth, nc=00000001, cnonce=\"0a4f113b\", response=\"6629fae49393a05397450978507c4ef1\", opaque=\"5ccc069c\"",
            credentials.ToString());

        Assert.False(SipDigestChallenge.TryParse("Digest realm=\"unterminated", out _));
        Assert.True(SipDigestCredentials.TryParse("Negotiate YIIGhgYJKoZIhvcSAQICAQBuggZ1MIIGcaADAgEFoQMCAQ6iBwMFACAAAACjggT", out var token68));
        Assert.NotNull(token68.Token68);
    }

    [Fact]
    public void Subscription_state_event_and_refer_to()
    {
        var m = Parse(Options("Event: refer;id=93809824\r\nSubscription-State: active;expires=60\r\nRefer-To: <sip:carol@example.com?Replaces=abc%40x%3Bto-tag%3D1>\r\nExpires: 3600\r\n"));
        Assert.Equal("93809824", m.Event!.Id);
        Assert.Equal(("active", (uint?)60), (m.SubscriptionState!.State, m.SubscriptionState.Expires));
        Assert.Equal("abc@x;to-tag=1", m.ReferTo!.Uri.Headers.Get("Replaces"));
        Assert.Equal(3600u, m.Expires);
        Assert.True(SipSubscriptionState.TryParse("terminated;reason=noresource;retry-after=30", out var terminated));
        Assert.True(terminated.IsTerminated);
        Assert.Equal(("noresource", (uint?)30), (terminated.Reason, terminated.RetryAfter));
    }

    [Fact]
    public void Contact_wildcard_is_accepted_alone_only()
    {
        var m = Parse(Options("Contact: *\r\nExpires: 0\r\n").Replace("OPTIONS", "REGISTER", StringComparison.Ordinal));
        Assert.True(Assert.Single(m.Contacts).IsWildcard);
        Reject(Options("Contact: *, <sip:a@b.example.com>\r\n"));
    }
}
