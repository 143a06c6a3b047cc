using System.Text;
using AudioFlow.Telephony.Sip.Messages;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Messages;

public sealed class SipStreamFramerTests
{
    private static string Message(string callId, string body = "") =>
        "MESSAGE sip:bob@example.com SIP/2.0\r\n" +
        "Via: SIP/2.0/TCP pc33.example.com;branch=z9hG4bK" + callId + "\r\n" +
        "Max-Forwards: 70\r\nTo: <sip:bob@example.com>\r\nFrom: <sip:alice@example.com>;tag=1\r\n" +
        "Call-ID: " + callId + "\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\n" +
        "Content-Length: " + Encoding.UTF8.GetByteCount(body) + "\r\n\r\n" + body;

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Several_messages_in_one_read()
    {
        var framer = new SipStreamFramer();
        var frames = framer.Push(Bytes(Message("a", "one\r\n\r\ntwo") + Message("b") + Message("c", "три")));
        Assert.All(frames, f => Assert.Equal(SipFrameKind.Message, f.Kind));
        Assert.Equal(["a", "b", "c"], frames.Select(f => f.Message!.CallId));
        Assert.Equal("one\r\n\r\ntwo", Encoding.UTF8.GetString(frames[0].Message!.Body.Span)); // CRLFCRLF inside a body
        Assert.Equal("три", Encoding.UTF8.GetString(frames[2].Message!.Body.Span));
        Assert.Equal(0, framer.BufferedBytes);
    }

    [Fact]
    public void A_message_split_across_reads_at_every_byte()
    {
        var bytes = Bytes(Message("split", "hello body"));
        var framer = new SipStreamFramer();
        var frames = new List<SipFrame>();
        foreach (var b in bytes)
        {
            frames.AddRange(framer.Push([b]));
        }

        var frame = Assert.Single(frames);
        Assert.Equal("hello body", Encoding.UTF8.GetString(frame.Message!.Body.Span));
    }

    [Fact]
    public void Random_chunking_gives_the_same_messages()
    {
        var all = Bytes(string.Concat(Enumerable.Range(0, 20).Select(i => (i % 3 == 0 ? "\r\n\r\n" : "") + Message("m" + i, new string('x', i * 37)))));
        var random = new Random(4475);
        for (var run = 0; run < 20; run++)
        {
            var framer = new SipStreamFramer();
            var messages = new List<string>();
            for (var pos = 0; pos < all.Length;)
            {
                var n = Math.Min(all.Length - pos, random.Next(1, 300));
                foreach (var f in framer.Push(all.AsSpan(pos, n)))
                {
                    if (f.Kind == SipFrameKind.Message)
                    {
                        messages.Add(f.Message!.CallId!);
                    }
                }

                pos += n;
            }

            Assert.Equal(Enumerable.Range(0, 20).Select(i => "m" + i), messages);
        }
    }

    [Fact]
    public void Crlf_keepalives_between_messages()
    {
        var framer = new SipStreamFramer();
        var frames = framer.Push(Bytes("\r\n\r\n" + Message("a") + "\r\n" + Message("b") + "\r\n\r\n\r\n\r\n"));
        Assert.Equal(
            [SipFrameKind.KeepAlive, SipFrameKind.Message, SipFrameKind.Message, SipFrameKind.KeepAlive, SipFrameKind.KeepAlive],
            frames.Select(f => f.Kind));
        Assert.Equal(0, framer.BufferedBytes);

        // A ping split in two halves is still one ping; a lone CRLF (pong) waits, then is dropped.
        var split = new SipStreamFramer();
        Assert.Empty(split.Push("\r\n"u8));
        Assert.Equal(SipFrameKind.KeepAlive, Assert.Single(split.Push("\r\n"u8)).Kind);
        Assert.Empty(split.Push("\r\n"u8));
        Assert.Equal(SipFrameKind.Message, Assert.Single(split.Push(Bytes(Message("after-pong")))).Kind);
    }

    [Fact]
    public void Missing_content_length_is_a_framing_error_that_faults_the_stream()
    {
        var framer = new SipStreamFramer();
        var text = Message("nolen").Replace("Content-Length: 0\r\n", "", StringComparison.Ordinal);
        var frame = Assert.Single(framer.Push(Bytes(text + Message("next"))));
        Assert.Equal(SipFrameKind.Error, frame.Kind);
        Assert.Equal(SipParseErrorKind.MissingContentLength, frame.Error!.Kind);
        Assert.True(frame.Error.CanRespond); // a 400 can still be sent before closing
        Assert.True(framer.IsFaulted);
        Assert.Empty(framer.Push(Bytes(Message("ignored"))));
    }

    [Theory]
    [InlineData("Content-Length: -5")]
    [InlineData("Content-Length: 5\r\nl: 6")]
    public void Malformed_content_length_faults_the_stream(string header)
    {
        var framer = new SipStreamFramer();
        var frame = Assert.Single(framer.Push(Bytes(Message("bad").Replace("Content-Length: 0", header, StringComparison.Ordinal))));
        Assert.Equal(SipFrameKind.Error, frame.Kind);
        Assert.True(framer.IsFaulted);
    }

    [Fact]
    public void Oversized_messages_fault_the_stream()
    {
        var headerBomb = new SipStreamFramer(maxMessageSize: 1000);
        var frame = Assert.Single(headerBomb.Push(Bytes("OPTIONS sip:a@b.example.com SIP/2.0\r\nX: " + new string('a', 2000))));
        Assert.Equal(SipParseErrorKind.MessageTooLarge, frame.Error!.Kind);

        var bodyBomb = new SipStreamFramer(maxMessageSize: 1000);
        frame = Assert.Single(bodyBomb.Push(Bytes(Message("big").Replace("Content-Length: 0", "Content-Length: 5000", StringComparison.Ordinal))));
        Assert.Equal(SipParseErrorKind.MessageTooLarge, frame.Error!.Kind);
        Assert.True(bodyBomb.IsFaulted);
    }

    [Fact]
    public void A_well_framed_but_invalid_message_is_reported_and_framing_goes_on()
    {
        var framer = new SipStreamFramer();
        var bad = Message("bad").Replace("CSeq: 1 MESSAGE", "CSeq: 1 INVITE", StringComparison.Ordinal);
        var frames = framer.Push(Bytes(bad + Message("good")));
        Assert.Equal([SipFrameKind.Error, SipFrameKind.Message], frames.Select(f => f.Kind));
        Assert.True(frames[0].Error!.CanRespond);
        Assert.Equal("good", frames[1].Message!.CallId);
        Assert.False(framer.IsFaulted);
    }

    [Fact]
    public void Torture_messages_with_content_length_frame_like_datagrams()
    {
        foreach (var name in new[] { "wsinv", "intmeth", "esc01", "longreq", "mpart01", "unreason", "noreason" })
        {
            var frame = Assert.Single(new SipStreamFramer().Push(TortureFiles.Read(name)));
            Assert.Equal(SipFrameKind.Message, frame.Kind);
            Assert.True(SipParser.TryParse(TortureFiles.Read(name), out var datagram, out _));
            Assert.Equal(datagram.ToBytes(), frame.Message!.ToBytes());
        }

        // dblreq read as a stream: the REGISTER (Content-Length: 0), then the INVITE that followed it, whose
        // Content-Length (150) is 5 octets short of its body: the leftover "C\r\n\r\n" is garbage that faults the stream.
        var framer = new SipStreamFramer();
        var frames = framer.Push(TortureFiles.Read("dblreq"));
        Assert.Equal([SipFrameKind.Message, SipFrameKind.Message, SipFrameKind.Error], frames.Select(f => f.Kind));
        Assert.Equal(["REGISTER", "INVITE"], frames.Take(2).Select(f => ((SipRequest)f.Message!).Method));
        Assert.False(frames[2].Error!.CanRespond);
        Assert.True(framer.IsFaulted);
    }
}
