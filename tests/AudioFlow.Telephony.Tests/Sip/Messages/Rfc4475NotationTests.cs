using System.Globalization;
using System.Text;
using Xunit;
using static AudioFlow.Telephony.Tests.Sip.Messages.TortureFiles;

namespace AudioFlow.Telephony.Tests.Sip.Messages;

/// <summary>
/// RFC 4475 §2 prints some messages with a notation instead of raw bytes: <c>&lt;allOneLine&gt;</c> (the lines
/// inside form one line), <c>&lt;hex&gt;</c> (octets given in hex) and <c>&lt;repeat count=N&gt;</c>. Lines end
/// with CRLF. This decodes that notation and checks that the printed forms of the encoded messages give exactly the
/// bytes of the archived files (see Torture/README.md).
/// </summary>
public sealed class Rfc4475NotationTests
{
    /// <summary>Decodes RFC 4475 §2 notation (input lines end with LF) into the message octets.</summary>
    internal static byte[] Decode(string notation)
    {
        var text = notation.Replace("\r\n", "\n", StringComparison.Ordinal);

        const string oneLineOpen = "<allOneLine>\n";
        const string oneLineClose = "</allOneLine>\n";
        for (var s = text.IndexOf(oneLineOpen, StringComparison.Ordinal); s >= 0; s = text.IndexOf(oneLineOpen, StringComparison.Ordinal))
        {
            var e = text.IndexOf(oneLineClose, s, StringComparison.Ordinal);
            var inner = text[(s + oneLineOpen.Length)..e].Replace("\n", "", StringComparison.Ordinal);
            text = text[..s] + inner + "\n" + text[(e + oneLineClose.Length)..];
        }

        const string repeatOpen = "<repeat count=";
        for (var s = text.IndexOf(repeatOpen, StringComparison.Ordinal); s >= 0; s = text.IndexOf(repeatOpen, StringComparison.Ordinal))
        {
            var gt = text.IndexOf('>', s);
            var count = int.Parse(text[(s + repeatOpen.Length)..gt], CultureInfo.InvariantCulture);
            var e = text.IndexOf("</repeat>", gt, StringComparison.Ordinal);
            text = text[..s] + string.Concat(Enumerable.Repeat(text[(gt + 1)..e], count)) + text[(e + "</repeat>".Length)..];
        }

        text = text.Replace("\n", "\r\n", StringComparison.Ordinal);

        var bytes = new List<byte>(text.Length);
        var pos = 0;
        for (var s = text.IndexOf("<hex>", StringComparison.Ordinal); s >= 0; s = text.IndexOf("<hex>", pos, StringComparison.Ordinal))
        {
            bytes.AddRange(Encoding.UTF8.GetBytes(text[pos..s]));
            var e = text.IndexOf("</hex>", s, StringComparison.Ordinal);
            var hex = new string(text[(s + 5)..e].Where(char.IsAsciiHexDigit).ToArray());
            bytes.AddRange(Convert.FromHexString(hex));
            pos = e + "</hex>".Length;
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(text[pos..]));
        return [.. bytes];
    }

    [Fact]
    public void Archive_files_are_unchanged()
    {
        var lines = File.ReadAllLines(Path.Combine(TortureFiles.Directory, "SHA256SUMS"));
        Assert.Equal(50, lines.Length);
        foreach (var line in lines)
        {
            var parts = line.Split("  ", 2);
            var actual = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(TortureFiles.Directory, parts[1]))));
            Assert.True(parts[0] == actual, $"{parts[1]} changed (line ends normalised?)");
        }
    }

    [Fact]
    public void Intmeth_hex_notation_gives_the_archived_bytes()
    {
        var printed = """
            <allOneLine>
            !interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it
            +has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0
            </allOneLine>
            Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~
            <allOneLine>
            To: "BEL:\<hex>07</hex> NUL:\<hex>00</hex> DEL:\<hex>7F</hex>" <sip:1_unusual.URI~(to-be!sure)&isn't+it
            $/crazy?,/;;*@example.com>
            </allOneLine>
            <allOneLine>
            From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%="<hex>D180D0B0D0B1
            D0BED182D0B0D18ED189D0B8D0B9</hex>";tag=_token~1'+`*%!-.
            </allOneLine>
            Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\/"][?}{
            CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~
            Max-Forwards: 255
            extensionHeader-!.%*+_`'~:<hex>EFBBBFE5A4A7E5819CE99BBB</hex>
            Content-Length: 0
            """ + "\n\n";
        Assert.Equal(Read("intmeth"), Decode(printed));
    }

    [Fact]
    public void Unreason_hex_notation_gives_the_archived_bytes()
    {
        var printed = """
            <allOneLine>
            SIP/2.0 200 = 2**3 * 5**2 <hex>D0BDD0BE20D181D182D0BE20D0B4D0B5D0B2D18FD0BDD0BED181D182D0BE20D0B4D0B5D0B2D18F
            D182D18C202D20D0BFD180D0BED181D182D0BED0B5</hex>
            </allOneLine>
            Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923
            Call-ID: unreason.1234ksdfak3j2erwedfsASdf
            CSeq: 35 INVITE
            From: sip:user@example.com;tag=11141343
            To: sip:user@example.edu;tag=2229
            Content-Length: 154
            Content-Type: application/sdp
            Contact: <sip:user@host198.example.com>

            v=0
            o=mhandley 29739 7272939 IN IP4 192.0.2.198
            s=-
            c=IN IP4 192.0.2.198
            t=0 0
            m=audio 49217 RTP/AVP 0 12
            m=video 3227 RTP/AVP 31
            a=rtpmap:31 LPC
            """ + "\n";
        Assert.Equal(Read("unreason"), Decode(printed));
    }

    [Fact]
    public void Scalar02_repeat_notation_gives_the_archived_bytes()
    {
        var printed = """
            REGISTER sip:example.com SIP/2.0
            Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3
            To: <sip:user@example.com>
            From: <sip:user@example.com>;tag=239232jh3
            CSeq: 36893488147419103232 REGISTER
            Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32
            Max-Forwards: 300
            Expires: 1<repeat count=100>0</repeat>
            Contact: <sip:user@host129.example.com>
              ;expires=280297596632815
            Content-Length: 0
            """ + "\n\n";
        Assert.Equal(Read("scalar02"), Decode(printed));
    }

    [Fact]
    public void Longreq_repeat_and_allOneLine_notation_gives_the_archived_bytes()
    {
        var vias = new StringBuilder();
        string[] names = ["Via: ", "v: ", "V: ", "Via: ", "ViA: ", "VIa: ", "VIA: ", "via: ", "viA: ", "vIa: ", "vIA: ", "V :  ", "v :  ", "V  : ", "v  : ", "Via : ", "Via  : "];
        for (var n = 33; n >= 1; n--)
        {
            var name = 33 - n < names.Length ? names[33 - n] : "Via: ";
            vias.Append(CultureInfo.InvariantCulture, $"{name}SIP/2.0/TCP sip{n}.example.com\n");
        }

        var printed = """
            INVITE sip:user@example.com SIP/2.0
            <allOneLine>
            To: "I have a user name of <repeat count=10>extreme</repeat> proportion"<sip:user@example.com:6000;
            unknownparam1=very<repeat count=20>long</repeat>value;longparam<repeat count=25>name</repeat>
            =shortvalue;very<repeat count=25>long</repeat>ParameterNameWithNoValue>
            </allOneLine>
            <allOneLine>
            F: sip:<repeat count=5>amazinglylongcallername</repeat>@example.net;tag=12<repeat count=50>982</repeat>
            424;unknownheaderparam<repeat count=20>name</repeat>=unknowheaderparam<repeat count=15>value</repeat>
            ;unknownValueless<repeat count=10>paramname</repeat>
            </allOneLine>
            Call-ID: longreq.one<repeat count=20>really</repeat>longcallid
            CSeq: 3882340 INVITE
            <allOneLine>
            Unknown-<repeat count=20>Long</repeat>-Name: unknown-<repeat count=20>long</repeat>-value; unknown-<repeat count=20>long</repeat>-parameter-name
             = unknown-<repeat count=20>long</repeat>-parameter-value
            </allOneLine>

            """ + vias + """
            <allOneLine>
            Via: SIP/2.0/TCP host.example.com;received=192.0.2.5;branch=very<repeat count=50>long</repeat>
            branchvalue
            </allOneLine>
            Max-Forwards: 70
            Contact: <sip:<repeat count=5>amazinglylongcallername</repeat>@host5.example.net>
            Content-Type: application/sdp
            l: 150

            v=0
            o=mhandley 29739 7272939 IN IP4 192.0.2.1
            s=-
            c=IN IP4 192.0.2.1
            t=0 0
            m=audio 49217 RTP/AVP 0 12
            m=video 3227 RTP/AVP 31
            a=rtpmap:31 LPC
            """ + "\n";
        Assert.Equal(Read("longreq"), Decode(printed));
    }
}
