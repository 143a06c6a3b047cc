using System.Text;
using AudioFlow.Telephony.Sip.Messages;
using Xunit;
using static AudioFlow.Telephony.Tests.Sip.Messages.TortureFiles;

namespace AudioFlow.Telephony.Tests.Sip.Messages;

/// <summary>
/// RFC 4475 §3.1.2 "Invalid Messages" and §3.2 (transaction layer). Each test states what the RFC expects and what
/// this parser does. Where the RFC allows either rejecting or being liberal, this parser rejects (a 400 the layer
/// above can send), except where the field is not one a UA relies on (baddate).
/// </summary>
public sealed class Rfc4475InvalidMessageTests
{
    private static SipParseError Rejected400(string name, string? reasonContains = null)
    {
        var error = ParseInvalid(name);
        Assert.True(error.CanRespond, $"{name}: a 400 should be possible ({error})");
        Assert.Equal(400, error.StatusCode);
        if (reasonContains is not null)
        {
            Assert.Contains(reasonContains, error.Reason, StringComparison.OrdinalIgnoreCase);
        }

        // The reason is usable as a reason phrase, and the response can actually be built and serialised.
        Assert.DoesNotContain('\r', error.Reason);
        Assert.DoesNotContain('\n', error.Reason);
        var response = SipResponseBuilder.ForParseError(error, toTag: "t1")!;
        Assert.Equal(400, response.StatusCode);
        Assert.NotEmpty(response.Headers.GetAll("Via"));
        var text = Encoding.UTF8.GetString(response.ToBytes());
        Assert.StartsWith("SIP/2.0 400 " + error.Reason + "\r\n", text);
        return error;
    }

    [Fact] // 3.1.2.1 Extraneous Header Field Separators: "should respond with a 400 Bad Request"
    public void Badinv01() => Rejected400("badinv01", "Via");

    [Fact] // 3.1.2.2 Content Length Larger Than Message: over UDP "should respond with a 400"
    public void Clerr_over_udp()
    {
        var error = Rejected400("clerr");
        Assert.Equal(SipParseErrorKind.BodyTruncated, error.Kind);
    }

    [Fact] // 3.1.2.2 over a stream: "not much the receiving party could do but wait for more data"
    public void Clerr_over_tcp_waits_for_the_body()
    {
        var framer = new SipStreamFramer();
        Assert.Empty(framer.Push(Read("clerr")));
        Assert.False(framer.IsFaulted);
        Assert.True(framer.BufferedBytes > 0);
    }

    [Fact] // 3.1.2.3 Negative Content-Length: "should respond with a 400"
    public void Ncl() => Rejected400("ncl", "Content-Length");

    [Fact] // 3.1.2.4 Request Scalar Fields with Overlarge Values: "400 Bad Request due to the CSeq error"
    public void Scalar02()
    {
        Rejected400("scalar02", "CSeq");

        // Max-Forwards 300 alone is rejected too (the RFC would also allow ignoring it). The expiry values alone
        // are not parse errors: the accessors return null so the default (3600) applies.
        var text = Encoding.UTF8.GetString(Read("scalar02"));
        Rejected400Bytes(text.Replace("36893488147419103232", "36893"), "Max-Forwards");
        var message = ParseValidBytes(text.Replace("36893488147419103232", "36893").Replace("Max-Forwards: 300", "Max-Forwards: 70"));
        Assert.Null(message.Expires);
        Assert.Null(Assert.Single(message.Contacts).Expires);
    }

    [Fact] // 3.1.2.5 Response Scalar Fields with Overlarge Values: "will simply discard it"
    public void Scalarlg()
    {
        var error = ParseInvalid("scalarlg");
        Assert.False(error.CanRespond); // a response is never answered
    }

    [Fact] // 3.1.2.6 Unterminated Quoted String in Display Name: "should respond with a 400"
    public void Quotbal() => Rejected400("quotbal", "To");

    [Fact] // 3.1.2.7 <> Enclosing Request-URI: "reasonable always to reject ... with a 400" (or ignore the brackets)
    public void Ltgtruri() => Rejected400("ltgtruri", "Request-URI");

    [Fact] // 3.1.2.8 Malformed SIP Request-URI (embedded LWS): "should respond with a 400"
    public void Lwsruri() => Rejected400("lwsruri", "Request-Line");

    [Fact] // 3.1.2.9 Multiple SP Separating Request-Line Elements: "acceptable to reject ... as malformed"
    public void Lwsstart() => Rejected400("lwsstart", "Request-Line");

    [Fact] // 3.1.2.10 SP Characters at End of Request-Line: "acceptable to reject ... as malformed"
    public void Trws() => Rejected400("trws", "Request-Line");

    [Fact] // 3.1.2.11 Escaped Headers in SIP Request-URI: "acceptable ... to reject ... with a 400"
    public void Escruri() => Rejected400("escruri", "headers");

    [Fact] // 3.1.2.12 Invalid Time Zone in Date Header Field: may reject, "could ignore this value altogether"
    public void Baddate_is_accepted_because_Date_is_not_interpreted()
    {
        var m = ParseValid("baddate");
        Assert.Equal("Fri, 01 Jan 2010 16:00:00 EST", m.Headers["Date"]); // kept raw, not split at the comma
    }

    [Fact] // 3.1.2.13 Failure to Enclose name-addr URI in <>: "reasonable ... to respond with a 400"
    public void Regbadct() => Rejected400("regbadct", "Contact");

    [Fact] // 3.1.2.14 Spaces within addr-spec: "reasonable to reject this request with a 400"
    public void Badaspec() => Rejected400("badaspec", "To");

    [Fact] // 3.1.2.15 Non-token Characters in Display Name: "reasonable always to reject ... with a 400"
    public void Baddn()
    {
        // The archived baddn.dat also lacks the empty line that ends the header section: rejected for that first.
        Rejected400("baddn", "empty line");

        // With the empty line added, the unquoted "Bell, Alexander" display name is what gets it rejected.
        var error = ParseInvalid(Read("baddn").Concat("\r\n"u8.ToArray()).ToArray(), "baddn+CRLF");
        Assert.True(error.CanRespond);
        Assert.Contains("From", error.Reason, StringComparison.Ordinal);
    }

    [Fact] // 3.1.2.16 Unknown Protocol Version: "should respond ... with a 505 Version Not Supported"
    public void Badvers()
    {
        var error = ParseInvalid("badvers");
        Assert.Equal(SipParseErrorKind.VersionNotSupported, error.Kind);
        Assert.Equal(505, error.StatusCode);
        Assert.True(error.CanRespond);
        Assert.Equal(505, SipResponseBuilder.ForParseError(error)!.StatusCode);
    }

    [Fact] // 3.1.2.17 Start Line and CSeq Method Mismatch: "will respond with a 400"
    public void Mismatch01() => Rejected400("mismatch01", "CSeq");

    [Fact] // 3.1.2.18 Unknown Method with CSeq Method Mismatch: 501 preferred, "400 Bad Request is also acceptable"
    public void Mismatch02() => Rejected400("mismatch02", "CSeq");

    [Fact] // 3.1.2.19 Overlarge Response Code: "should simply drop it"
    public void Bigcode()
    {
        var error = ParseInvalid("bigcode");
        Assert.False(error.CanRespond);
    }

    [Fact] // 3.2.1 Missing Transaction Identifier: must not break; the transaction layer may 400 or fall back to 2543 matching
    public void Badbranch_parses_and_exposes_the_empty_magic_cookie_branch()
    {
        var via = ParseValid("badbranch").TopVia!;
        Assert.Equal("z9hG4bK", via.Branch);
        Assert.False(via.HasRfc3261Branch);
    }

    [Fact] // Not described in the RFC text but present in its archive: a request line without SIP-Version
    public void Test_dat_is_rejected_without_a_response()
    {
        var error = ParseInvalid("test");
        Assert.False(error.CanRespond); // no Via, no CSeq
    }

    private static void Rejected400Bytes(string text, string reasonContains)
    {
        var error = ParseInvalid(Encoding.UTF8.GetBytes(text), reasonContains);
        Assert.True(error.CanRespond);
        Assert.Contains(reasonContains, error.Reason, StringComparison.OrdinalIgnoreCase);
    }

    private static SipMessage ParseValidBytes(string text)
    {
        Assert.True(SipParser.TryParse(Encoding.UTF8.GetBytes(text), out var m, out var error), error?.ToString());
        return m!;
    }
}
