using AudioFlow.Telephony.Sip.Messages;
using Xunit;
using static AudioFlow.Telephony.Tests.Sip.Messages.TortureFiles;

namespace AudioFlow.Telephony.Tests.Sip.Messages;

/// <summary>
/// RFC 4475 §3.3 "Application-Layer Semantics" and §3.4 "Backward Compatibility". Most of these are well-formed:
/// the parser accepts them and exposes what the UA/registrar layer needs to give the response the RFC expects
/// (416, 420, 415, 483...). The parser only rejects what is a syntax or framing matter.
/// </summary>
public sealed class Rfc4475SemanticsTests
{
    [Fact] // 3.3.1 Missing Required Header Fields: "Ideally, it will respond with a 400"
    public void Insuf_is_rejected_but_no_conformant_response_can_be_built()
    {
        // No Call-ID, From or To: RFC 3261 §8.2.6 needs them copied into any response, so the parser reports
        // CanRespond = false and the request is dropped. Deliberate deviation from the RFC's "ideally 400".
        var error = ParseInvalid("insuf");
        Assert.Contains("Missing", error.Reason, StringComparison.Ordinal);
        Assert.False(error.CanRespond);
    }

    [Fact] // 3.3.2 Request-URI with Unknown Scheme: a UA answers 416 (decided above the parser)
    public void Unkscm_parses_with_an_opaque_request_uri()
    {
        var m = (SipRequest)ParseValid("unkscm");
        Assert.False(m.RequestUri.IsSip);
        Assert.Equal("nobodyKnowsThisScheme", m.RequestUri.Scheme);
        Assert.Equal("totallyopaquecontent", m.RequestUri.Opaque);
        Assert.Equal("nobodyKnowsThisScheme:totallyopaquecontent", m.RequestUri.ToString());
    }

    [Fact] // 3.3.3 Request-URI with Known but Atypical Scheme: 416 unless the element handles soap.beep
    public void Novelsc_parses_with_an_opaque_request_uri()
    {
        var m = (SipRequest)ParseValid("novelsc");
        Assert.Equal("soap.beep", m.RequestUri.Scheme);
        Assert.Equal("//192.0.2.103:3002", m.RequestUri.Opaque);
    }

    [Fact] // 3.3.4 Unknown URI Schemes in Header Fields: valid syntax; a registrar would answer 400 (To must be SIP)
    public void Unksm2_parses_with_non_sip_uris_in_to_from_contact()
    {
        var m = ParseValid("unksm2");
        Assert.Equal(("isbn", "2983792873"), (m.To!.Uri.Scheme, m.To.Uri.Opaque));
        Assert.Equal("http", m.From!.Uri.Scheme);
        Assert.Equal("3234233", m.From.Tag);
        Assert.Equal("name", Assert.Single(m.Contacts).Uri.Scheme);
    }

    [Fact] // 3.3.5 Proxy-Require and Require: a UA answers 420 Bad Extension listing them in Unsupported
    public void Bext01_exposes_require_and_proxy_require()
    {
        var m = ParseValid("bext01");
        Assert.Equal(["nothingSupportsThis", "nothingSupportsThisEither"], m.Require);
        Assert.Equal(["noProxiesSupportThis", "norDoAnyProxiesSupportThis"], m.ProxyRequire);
        Assert.Equal("TLS", m.TopVia!.Transport);
    }

    [Fact] // 3.3.6 Unknown Content-Type: a UA answers 415
    public void Invut_exposes_the_unknown_content_type()
    {
        var m = ParseValid("invut");
        Assert.Equal("application/unknownformat", m.ContentType!.MediaType);
        Assert.Equal(40, m.Body.Length);
    }

    [Fact] // 3.3.7 Unknown Authorization Scheme: a registrar answers 401 with a Digest challenge
    public void Regaut01_parses_the_unknown_scheme()
    {
        var credentials = Assert.Single(ParseValid("regaut01").Authorization);
        Assert.Equal("NoOneKnowsThisScheme", credentials.Scheme);
        Assert.False(credentials.IsDigest);
        Assert.Equal("here", credentials.Parameters.Get("opaque-data"));
    }

    [Fact] // 3.3.8 Multiple Values in Single Value Required Fields: "would respond with a 400"
    public void Multi01_is_rejected_with_a_400()
    {
        var error = ParseInvalid("multi01");
        Assert.True(error.CanRespond);
        Assert.Contains("Multiple", error.Reason, StringComparison.Ordinal);
        var response = SipResponseBuilder.ForParseError(error)!;
        Assert.Single(response.Headers.GetAll("CSeq")); // the first of each copied
        Assert.Single(response.Headers.GetAll("To"));
    }

    [Fact] // 3.3.9 Multiple Content-Length Values: framing is ambiguous, "should respond with a 400"
    public void Mcl01_is_rejected_with_a_400()
    {
        var error = ParseInvalid("mcl01");
        Assert.True(error.CanRespond);
        Assert.Contains("Content-Length", error.Reason, StringComparison.Ordinal);
    }

    [Fact] // 3.3.10 200 OK Response with Broadcast Via Header Field Value: valid; discarded at its destination
    public void Bcast_parses()
    {
        var m = (SipResponse)ParseValid("bcast");
        Assert.Equal(200, m.StatusCode);
        Assert.Equal("255.255.255.255", m.Vias[1].Host);
    }

    [Fact] // 3.3.11 Max-Forwards of Zero: a UA answers OPTIONS normally, a proxy 483
    public void Zeromf_parses_with_max_forwards_zero() => Assert.Equal(0, ParseValid("zeromf").MaxForwards);

    [Fact] // 3.3.12 REGISTER with a Contact Header Parameter: unknownparam belongs to the header, not the URI
    public void Cparam01_parameter_is_a_contact_parameter()
    {
        var contact = Assert.Single(ParseValid("cparam01").Contacts);
        Assert.True(contact.Parameters.Contains("unknownparam"));
        Assert.Empty(contact.Uri.Parameters);
        Assert.Equal("+19725552222", contact.Uri.User);
    }

    [Fact] // 3.3.13 REGISTER with a url-parameter: inside <> it is a URI parameter
    public void Cparam02_parameter_is_a_uri_parameter()
    {
        var contact = Assert.Single(ParseValid("cparam02").Contacts);
        Assert.True(contact.Uri.Parameters.Contains("unknownparam"));
        Assert.Empty(contact.Parameters);
    }

    [Fact] // 3.3.14 REGISTER with a URL Escaped Header: valid; the escaped Route is a URI header of the binding
    public void Regescrt_contact_keeps_its_uri_header()
    {
        var m = ParseValid("regescrt");
        var contact = Assert.Single(m.Contacts); // compact M
        Assert.Equal("<sip:sip.example.com>", contact.Uri.Headers.Get("Route"));
        Assert.Equal("sip:user@example.com?Route=%3Csip:sip.example.com%3E", contact.Uri.ToString());
    }

    [Fact] // 3.3.15 Unacceptable Accept Offering: a UA answers 406 (or ignores Accept for INVITE)
    public void Sdp01_exposes_accept() => Assert.Equal(["text/nobodyKnowsThis"], ParseValid("sdp01").Headers.GetValues("Accept"));

    [Fact] // 3.4.1 INVITE with RFC 2543 Syntax: must be accepted (no branch cookie, no tags, no Max-Forwards)
    public void Inv2543_parses()
    {
        var m = ParseValid("inv2543");
        Assert.Null(m.TopVia!.Branch);
        Assert.Null(m.From!.Tag);
        Assert.Null(m.MaxForwards);
        Assert.Equal("phone", m.From.Uri.UserParameter);
        Assert.Equal("ss1.example.com", Assert.Single(m.RecordRoutes).Uri.MAddr);
        Assert.Null(m.ContentLength);
        Assert.Equal(105, m.Body.Length); // no Content-Length over UDP: the rest of the datagram
    }

    public static TheoryData<string> AllArchiveFiles() => new(AllNames());

    [Theory]
    [MemberData(nameof(AllArchiveFiles))]
    public void Every_archive_message_is_parsed_or_rejected_without_internal_failure(string name)
    {
        var bytes = Read(name);
        if (!SipParser.TryParse(bytes, out _, out var error))
        {
            Assert.NotEqual(SipParseErrorKind.InternalError, error.Kind);
        }

        // Same verdict through the stream framer for those that carry a Content-Length.
        var frames = new SipStreamFramer().Push(bytes);
        Assert.All(frames, f => Assert.NotEqual(SipParseErrorKind.InternalError, f.Error?.Kind));
    }

    [Fact]
    public void The_archive_has_all_49_rfc_messages_plus_test_dat() => Assert.Equal(50, AllNames().Count());
}
