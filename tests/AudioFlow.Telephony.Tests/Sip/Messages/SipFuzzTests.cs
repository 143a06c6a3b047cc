using AudioFlow.Telephony.Sip.Messages;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Messages;

/// <summary>
/// Random mutations of the RFC 4475 messages: the parser and the stream framer must never throw (nor fall back on
/// their internal catch-all), and whatever parses must serialise and parse again. Deterministic seeds.
/// </summary>
public sealed class SipFuzzTests
{
    private static readonly byte[] Interesting = "\r\n \t:;,\"<>\\%@[]=/?*0123456789zZ\0\u007f"u8.ToArray().Concat(new byte[] { 0x80, 0xC3, 0xFF, 0xE2 }).ToArray();

    private static byte[] Mutate(byte[] input, Random random)
    {
        var data = new List<byte>(input);
        var rounds = random.Next(1, 6);
        for (var r = 0; r < rounds; r++)
        {
            if (data.Count == 0)
            {
                data.Add(Interesting[random.Next(Interesting.Length)]);
                continue;
            }

            var at = random.Next(data.Count);
            switch (random.Next(8))
            {
                case 0:
                    data[at] = (byte)random.Next(256);
                    break;
                case 1:
                    data[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2:
                    data.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 3:
                    data.RemoveRange(at, Math.Min(data.Count - at, random.Next(1, 40)));
                    break;
                case 4:
                    var len = Math.Min(data.Count - at, random.Next(1, 200));
                    data.InsertRange(random.Next(data.Count), data.GetRange(at, len));
                    break;
                case 5:
                    data.RemoveRange(at, data.Count - at); // truncation
                    break;
                case 6:
                    data.InsertRange(at, "\r\n "u8.ToArray()); // folding in odd places
                    break;
                default:
                    var digits = System.Text.Encoding.ASCII.GetBytes(random.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
                    data.InsertRange(at, digits);
                    break;
            }
        }

        return [.. data];
    }

    [Fact]
    public void Mutated_torture_messages_never_break_the_parser()
    {
        var random = new Random(20060501);
        var corpus = TortureFiles.AllNames().Select(TortureFiles.Read).ToArray();
        var parsed = 0;
        for (var i = 0; i < 30_000; i++)
        {
            var input = Mutate(corpus[i % corpus.Length], random);
            if (SipParser.TryParse(input, out var message, out var error))
            {
                parsed++;
                var bytes = message.ToBytes();
                Assert.True(SipParser.TryParse(bytes, out var again, out var againError), $"re-parse failed: {againError} for {Convert.ToBase64String(input)}");
                Assert.Equal(bytes, again.ToBytes());
            }
            else
            {
                Assert.True(error.Kind != SipParseErrorKind.InternalError, $"{error.Reason} for {Convert.ToBase64String(input)}");
                if (error.PartialRequest is { } partial)
                {
                    // Whatever is reported as answerable can actually be answered.
                    Assert.NotNull(SipResponseBuilder.ForParseError(error, "x")!.ToBytes());
                    Assert.NotEqual("ACK", partial.Method);
                }
            }
        }

        Assert.True(parsed > 1000, $"only {parsed} mutants parsed: the mutations are too destructive to be useful");
    }

    [Fact]
    public void Mutated_streams_never_break_the_framer()
    {
        var random = new Random(5626);
        var corpus = TortureFiles.AllNames().Select(TortureFiles.Read).ToArray();
        for (var run = 0; run < 400; run++)
        {
            var framer = new SipStreamFramer(maxMessageSize: 8192);
            var stream = Enumerable.Range(0, 5).SelectMany(_ => Mutate(corpus[random.Next(corpus.Length)], random)).ToArray();
            for (var pos = 0; pos < stream.Length;)
            {
                var n = Math.Min(stream.Length - pos, random.Next(1, 700));
                foreach (var frame in framer.Push(stream.AsSpan(pos, n)))
                {
                    Assert.NotEqual(SipParseErrorKind.InternalError, frame.Error?.Kind);
                    Assert.True(frame.Kind != SipFrameKind.Message || frame.Message is not null);
                }

                pos += n;
            }

            Assert.True(framer.IsFaulted || framer.BufferedBytes <= 8192 * 2);
        }
    }
}
