using System.Text;
using AudioFlow.Telephony.Sip.Messages;
using Xunit;
using static AudioFlow.Telephony.Tests.Sip.Messages.TortureFiles;

namespace AudioFlow.Telephony.Tests.Sip.Messages;

/// <summary>
/// RFC 4475 §3.1.1 "Valid Messages": every one must parse, with the fields the RFC points out checked.
/// Each message is the exact byte file in Torture/ (see Torture/README.md).
/// </summary>
public sealed class Rfc4475ValidMessageTests
{
    private static string Repeat(string s, int n) => string.Concat(Enumerable.Repeat(s, n));

    [Fact] // 3.1.1.1 A Short Tortuous INVITE
    public void Wsinv()
    {
        var m = (SipRequest)ParseValid("wsinv");
        Assert.Equal("INVITE", m.Method);
        Assert.Equal("vivekg", m.RequestUri.User);
        Assert.Equal("chair-dnrc.example.com", m.RequestUri.Host);
        Assert.True(m.RequestUri.Parameters.TryGet("unknownparam", out var flag));
        Assert.Null(flag);

        // Line folding, LWS around colons and semicolons, odd case, escaped quotes.
        Assert.Null(m.To!.DisplayName);
        Assert.Equal("1918181833n", m.To.Tag);
        Assert.Equal("J Rosenberg \\\"", m.From!.DisplayName);
        Assert.Equal("98asjd8", m.From.Tag);
        Assert.Equal(68, m.MaxForwards); // leading zeros: 0068
        Assert.Equal(new SipCSeq(9, "INVITE"), m.CSeq); // 0009, folded before INVITE
        Assert.Equal("wsinv.ndaksdj@192.0.2.1", m.CallId);

        // Mix of Via and v, comma separated and separate lines, LWS inside sent-protocol.
        var vias = m.Vias;
        Assert.Equal(3, vias.Count);
        Assert.Equal(("UDP", "192.0.2.2", "390skdjuw"), (vias[0].Transport, vias[0].Host, vias[0].Branch));
        Assert.Equal(("TCP", "spindle.example.com", "z9hG4bK9ikj8"), (vias[1].Transport, vias[1].Host, vias[1].Branch));
        Assert.Equal(("UDP", "192.168.255.111", "z9hG4bK30239"), (vias[2].Transport, vias[2].Host, vias[2].Branch));
        Assert.False(vias[0].HasRfc3261Branch);
        Assert.True(vias[1].HasRfc3261Branch);

        // Empty subject (compact s), unknown headers kept as written.
        Assert.True(m.Headers.Contains("Subject"));
        Assert.Equal("", m.Headers["Subject"]);
        Assert.Equal("newfangled value continued newfangled value", m.Headers["NewFangledHeader"]);
        Assert.Equal(";;,,;;,;", m.Headers["UnknownHeaderWithUnusualValue"]);
        Assert.Equal(["TO", "from", "MaX-fOrWaRdS", "Call-ID", "Content-Length", "cseq", "Via", "s"], m.Headers.Take(8).Select(h => h.Name));

        var route = Assert.Single(m.Routes);
        Assert.True(route.Uri.IsLooseRouting);
        Assert.Equal("value", route.Uri.Parameters.Get("unknownwith"));
        Assert.True(route.Uri.Parameters.Contains("unknown-no-value"));

        var contact = Assert.Single(m.Contacts);
        Assert.Equal("Quoted string \"\"", contact.DisplayName);
        Assert.Equal("newvalue", contact.Parameters.Get("newparam"));
        Assert.True(contact.Parameters.TryGet("secondparam", out var noValue));
        Assert.Null(noValue);
        Assert.Equal(0.33, contact.Q);

        Assert.True(m.ContentType!.Is("application/sdp"));
        Assert.Equal(150, m.Body.Length);
        Assert.StartsWith("v=0\r\n", Encoding.ASCII.GetString(m.Body.Span));
    }

    [Fact] // 3.1.1.2 Wide Range of Valid Characters
    public void Intmeth()
    {
        var m = (SipRequest)ParseValid("intmeth");
        const string method = "!interesting-Method0123456789_*+`.%indeed'~";
        Assert.Equal(method, m.Method); // % is not an escape here: not INVITE
        Assert.Equal("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*", m.RequestUri.User);
        Assert.Equal("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)", m.RequestUri.Password);
        Assert.Equal("example.com", m.RequestUri.Host);
        Assert.Equal("z9hG4bK-.!%66*_+`'~", m.TopVia!.Branch);
        Assert.Equal("BEL:\u0007 NUL:\u0000 DEL:\u007f", m.To!.DisplayName); // quoted-pairs, including NUL
        Assert.Equal("token1~` token2'+_ token3*%!.-", m.From!.DisplayName);
        Assert.Equal("работающий", m.From.Parameters.Get("fromParam''~+*_!.-%"));
        Assert.Equal("_token~1'+`*%!-.", m.From.Tag);
        Assert.Equal("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{", m.CallId);
        Assert.Equal(new SipCSeq(139122385, method), m.CSeq);
        Assert.Equal(255, m.MaxForwards);
        Assert.Equal("\ufeff大停電", m.Headers["extensionHeader-!.%*+_`'~"]);
        Assert.Equal(0, m.Body.Length);
    }

    [Fact] // 3.1.1.3 Valid Use of the % Escaping Mechanism
    public void Esc01()
    {
        var m = (SipRequest)ParseValid("esc01");
        Assert.Equal("sips:user@example.com", m.RequestUri.User);
        Assert.Equal("example.net", m.RequestUri.Host);
        Assert.Equal("user", m.To!.Uri.User);
        Assert.True(m.To.Uri.IsEquivalentTo(SipUri.Parse("sip:user@example.com")));
        Assert.Equal("I have spaces", m.From!.Uri.User);
        var contact = Assert.Single(m.Contacts).Uri;
        Assert.Equal("caller", contact.User);
        Assert.True(contact.IsLooseRouting); // %6C%72 is "lr"
        Assert.Equal("value%41", contact.Parameters.Get("name"));
        Assert.True(m.ContentType!.Is("application/sdp")); // compact c
        Assert.Equal("esc01.239409asdfakjkn23onasd0-3234", m.CallId); // compact i
        Assert.Equal(150, m.Body.Length);
    }

    [Fact] // 3.1.1.4 Escaped Nulls in URIs
    public void Escnull()
    {
        var m = ParseValid("escnull");
        Assert.Equal("null-\0-null", m.To!.Uri.User);
        Assert.Equal("null-\0-null", m.From!.Uri.User);
        Assert.Equal(["\0", "\0\0"], m.Contacts.Select(c => c.Uri.User));
        Assert.Equal(0, m.ContentLength); // compact L
        Assert.Contains("sip:null-%00-null@example.com", Encoding.UTF8.GetString(m.ToBytes()));
    }

    [Fact] // 3.1.1.5 Use of % When It Is Not an Escape
    public void Esc02()
    {
        var m = (SipRequest)ParseValid("esc02");
        Assert.Equal("RE%47IST%45R", m.Method); // an unknown method, not REGISTER
        Assert.Equal("%Z%45", m.To!.DisplayName);
        Assert.Equal("%Z%45", m.From!.DisplayName);
        Assert.Equal("z9hG4bK209%fzsnel234", m.TopVia!.Branch);
        Assert.Equal(2, m.Contacts.Count); // C%6Fntact is another header
        Assert.Equal("<sip:alias2@host2.example.com>", m.Headers["C%6Fntact"]);
    }

    [Fact] // 3.1.1.6 Message with No LWS between Display Name and <
    public void Lwsdisp()
    {
        var m = ParseValid("lwsdisp");
        Assert.Equal("caller", m.From!.DisplayName);
        Assert.Equal("323", m.From.Tag);
    }

    [Fact] // 3.1.1.7 Long Values in Header Fields
    public void Longreq()
    {
        var m = ParseValid("longreq");
        var to = m.To!;
        Assert.Equal("I have a user name of " + Repeat("extreme", 10) + " proportion", to.DisplayName);
        Assert.Equal(6000, to.Uri.Port);
        Assert.Equal("very" + Repeat("long", 20) + "value", to.Uri.Parameters.Get("unknownparam1"));
        Assert.Equal("shortvalue", to.Uri.Parameters.Get("longparam" + Repeat("name", 25)));
        Assert.True(to.Uri.Parameters.Contains("very" + Repeat("long", 25) + "ParameterNameWithNoValue"));

        var from = m.From!;
        Assert.Equal(Repeat("amazinglylongcallername", 5), from.Uri.User);
        Assert.Equal("12" + Repeat("982", 50) + "424", from.Tag);
        Assert.Equal("unknowheaderparam" + Repeat("value", 15), from.Parameters.Get("unknownheaderparam" + Repeat("name", 20)));
        Assert.True(from.Parameters.Contains("unknownValueless" + Repeat("paramname", 10)));

        Assert.Equal("longreq.one" + Repeat("really", 20) + "longcallid", m.CallId);
        var vias = m.Vias;
        Assert.Equal(34, vias.Count); // Via, v, V, ViA, "V :", "Via  :"...
        for (var i = 0; i < 33; i++)
        {
            Assert.Equal($"sip{33 - i}.example.com", vias[i].Host);
        }

        Assert.Equal("192.0.2.5", vias[33].Received);
        Assert.Equal("very" + Repeat("long", 50) + "branchvalue", vias[33].Branch);
        Assert.Equal(Repeat("amazinglylongcallername", 5), Assert.Single(m.Contacts).Uri.User);
        Assert.Equal(
            "unknown-" + Repeat("long", 20) + "-value; unknown-" + Repeat("long", 20) + "-parameter-name = unknown-" + Repeat("long", 20) + "-parameter-value",
            m.Headers["Unknown-" + Repeat("Long", 20) + "-Name"]);
        Assert.Equal(150, m.Body.Length);
    }

    [Fact] // 3.1.1.8 Extra Trailing Octets in a UDP Datagram
    public void Dblreq()
    {
        // The REGISTER says Content-Length: 0; the INVITE after it in the same datagram is ignored (RFC 3261 §18.3).
        var m = (SipRequest)ParseValid("dblreq");
        Assert.Equal("REGISTER", m.Method);
        Assert.Equal("dblreq.0ha0isndaksdj99sdfafnl3lk233412", m.CallId); // compact I (upper case)
        Assert.Equal(0, m.Body.Length);
    }

    [Fact] // 3.1.1.9 Semicolon-Separated Parameters in URI User Part
    public void Semiuri()
    {
        var m = (SipRequest)ParseValid("semiuri");
        Assert.Equal("user;par=u@example.net", m.RequestUri.User);
        Assert.Equal("example.com", m.RequestUri.Host);
        Assert.Empty(m.RequestUri.Parameters);
        Assert.Equal(6, m.Headers.GetValues("Accept").Count); // folded list
    }

    [Fact] // 3.1.1.10 Varied and Unknown Transport Types
    public void Transports()
    {
        var m = ParseValid("transports");
        Assert.Equal(["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"], m.Vias.Select(v => v.Transport));
        Assert.Equal("transports.kijh4akdnaqjkwendsasfdj", m.CallId);
    }

    [Fact] // 3.1.1.11 Multipart MIME Message
    public void Mpart01()
    {
        var m = ParseValid("mpart01");
        Assert.Equal(553, m.Body.Length);
        Assert.Equal("7a9cbec02ceef655", m.ContentType!.Boundary);
        Assert.True(m.TopVia!.HasRPort);
        Assert.Null(m.TopVia.RPort);
        Assert.Equal(5070, m.TopVia.Port);
        var raw = Read("mpart01");
        Assert.True(raw.AsSpan(raw.Length - 553).SequenceEqual(m.Body.Span)); // binary body, bare LFs and all
    }

    [Fact] // 3.1.1.12 Unusual Reason Phrase
    public void Unreason()
    {
        var m = (SipResponse)ParseValid("unreason");
        Assert.Equal(200, m.StatusCode);
        Assert.Equal("= 2**3 * 5**2 но сто девяносто девять - простое", m.ReasonPhrase);
        Assert.Equal(154, m.Body.Length);
    }

    [Fact] // 3.1.1.13 Empty Reason Phrase
    public void Noreason()
    {
        var m = (SipResponse)ParseValid("noreason");
        Assert.Equal(100, m.StatusCode);
        Assert.Equal("", m.ReasonPhrase);
    }

    [Theory]
    [InlineData("wsinv")]
    [InlineData("intmeth")]
    [InlineData("esc01")]
    [InlineData("escnull")]
    [InlineData("esc02")]
    [InlineData("lwsdisp")]
    [InlineData("longreq")]
    [InlineData("dblreq")]
    [InlineData("semiuri")]
    [InlineData("transports")]
    [InlineData("mpart01")]
    [InlineData("unreason")]
    [InlineData("noreason")]
    public void Serialised_form_parses_back_to_the_same_message(string name)
    {
        var first = ParseValid(name);
        var bytes = first.ToBytes();
        Assert.True(SipParser.TryParse(bytes, out var second, out var error), $"{name} re-parse: {error}");
        Assert.Equal(first.StartLine, second!.StartLine);
        Assert.Equal(
            first.Headers.Where(h => h.CanonicalName != "Content-Length").Select(h => (h.CanonicalName, h.Value)),
            second.Headers.Where(h => h.CanonicalName != "Content-Length").Select(h => (h.CanonicalName, h.Value)));
        Assert.True(first.Body.Span.SequenceEqual(second.Body.Span));
        Assert.Equal(first.Body.Length, second.ContentLength);
        Assert.Equal(bytes, second.ToBytes()); // canonical form is a fixed point
    }
}
