using System.Net;
using System.Text;
using AudioFlow.Telephony.Sip.Sdp;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Sdp;

/// <summary>
/// Random mutations of the sample offers (bytes, lines, tokens): parsing throws nothing but
/// <see cref="SdpParseException"/> (never its internal-error form), whatever parses writes and re-parses to the same
/// text, and negotiation never throws and always produces a valid answer with the offer's m-line count.
/// Deterministic seeds.
/// </summary>
public sealed class SdpFuzzTests
{
    private static readonly string[] Interesting =
    [
        "\r\n", "\n", "\r", " ", "\t", "=", ":", "/", "0", "127", "128", "65535", "65536", "-1", "0.0.0.0", "::", "IP6", "RTP/AVP",
        "RTP/SAVP", "a=", "m=audio 0 RTP/AVP 0\n", "c=IN IP4 10.0.0.1\n", "a=rtpmap:", "a=fmtp:", "a=rtcp:", "a=ptime:", "telephone-event",
        "\0", "\u00e9", "\uFFFD", "v=0\n", "99999999999999999999999", "a=sendonly\n", "a=rtcp-mux\n", "224.0.0.1", "[", "%",
    ];

    private static readonly LocalMediaCapabilities[] Locals =
    [
        SdpNegotiatorTests.Local,
        SdpNegotiatorTests.Local with { AlternateAddress = IPAddress.Parse("2001:db8::5"), PreferredCodecs = [SdpAudioFormats.G722], RtcpMux = false, RtcpPort = 20011 },
    ];

    private static string Mutate(string input, Random random)
    {
        var text = new StringBuilder(input);
        var rounds = random.Next(1, 6);
        for (var r = 0; r < rounds; r++)
        {
            if (text.Length == 0)
            {
                text.Append(Interesting[random.Next(Interesting.Length)]);
                continue;
            }

            var at = random.Next(text.Length);
            switch (random.Next(9))
            {
                case 0:
                    text[at] = (char)random.Next(0, 0x80);
                    break;
                case 1:
                    text.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 2:
                    text.Remove(at, Math.Min(text.Length - at, random.Next(1, 30)));
                    break;
                case 3:
                    text.Length = at; // truncate
                    break;
                default:
                    text = new StringBuilder(MutateLines(text.ToString(), random));
                    break;
            }
        }

        return text.ToString();
    }

    private static string MutateLines(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        var at = random.Next(lines.Count);
        switch (random.Next(5))
        {
            case 0:
                lines.RemoveAt(at);
                break;
            case 1:
                lines.Insert(at, lines[random.Next(lines.Count)]);
                break;
            case 2:
                var other = random.Next(lines.Count);
                (lines[at], lines[other]) = (lines[other], lines[at]);
                break;
            case 3:
                var tokens = lines[at].Split(' ');
                tokens[random.Next(tokens.Length)] = Interesting[random.Next(Interesting.Length)].Trim();
                lines[at] = string.Join(' ', tokens);
                break;
            default:
                lines[at] = lines[at].Replace("\n", "", StringComparison.Ordinal) + " " + Interesting[random.Next(Interesting.Length)];
                break;
        }

        return string.Join('\n', lines);
    }

    [Fact]
    public void Mutated_offers_parse_or_fail_cleanly_and_negotiate_without_throwing()
    {
        var parsed = 0;
        var accepted = 0;
        var seeds = SdpSamples.All;
        for (var seed = 0; seed < 4000; seed++)
        {
            var random = new Random(seed);
            var input = Mutate(seeds[seed % seeds.Length], random);
            SdpSession? offer;
            try
            {
                if (!SdpParser.TryParse(input, out offer, out var error))
                {
                    Assert.False(error.IsInternalError, $"seed {seed}: {error.Message}\n{input}");
                    continue;
                }
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed}: {ex}\n{input}");
                return;
            }

            parsed++;
            var written = offer.ToString();
            Assert.True(SdpParser.TryParse(written, out var again, out var reparseError), $"seed {seed}: {reparseError?.Message}\n{written}");
            Assert.Equal(written, again.ToString());

            var local = Locals[seed % Locals.Length];
            SdpAnswerOutcome outcome;
            try
            {
                outcome = SdpNegotiator.Answer(offer, local, 1);
            }
            catch (Exception ex)
            {
                Assert.Fail($"seed {seed}: {ex}\n{written}");
                return;
            }

            if (!outcome.IsAccepted)
            {
                Assert.Equal(488, outcome.Rejection.StatusCode);
                continue;
            }

            accepted++;
            var answer = outcome.Result;
            var answerText = answer.Answer.ToString();
            var reparsed = SdpSession.Parse(answerText);
            Assert.Equal(offer.Media.Count, reparsed.Media.Count);
            Assert.Equal(1, reparsed.Media.Count(m => m.Port != 0));
            Assert.Equal(local.RtpPort, reparsed.Media[answer.MediaIndex].Port);
            Assert.InRange(answer.PayloadType, 0, 127);
            Assert.InRange(answer.RemoteRtp.Port, 1, 65535);

            // Re-answering the same offer changes nothing.
            var again2 = SdpNegotiator.Reanswer(answer, offer, local);
            Assert.Equal(answerText, again2.Result!.Answer.ToString());
        }

        // The mutations must leave enough intact to exercise the negotiator.
        Assert.InRange(parsed, 1000, 4000);
        Assert.InRange(accepted, 300, 4000);
    }

    [Fact]
    public void Largest_sdp_shapes_stay_fast()
    {
        const string head = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";
        var manyFormats = new StringBuilder(head + "m=audio 4000 RTP/AVP");
        while (manyFormats.Length < 30_000)
        {
            manyFormats.Append(" 96 97 18");
        }

        manyFormats.Append(" 8\r\n");
        while (manyFormats.Length < SdpParser.MaxLength - 40)
        {
            manyFormats.Append("a=rtpmap:96 opus/48000/2\r\n");
        }

        var manyMedia = new StringBuilder(head);
        while (manyMedia.Length < SdpParser.MaxLength - 60)
        {
            manyMedia.Append("m=audio 4000 RTP/SAVP 0\r\na=x\r\n");
        }

        manyMedia.Append("m=audio 4000 RTP/AVP 0\r\n");

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var formats = SdpNegotiator.Answer(SdpSession.Parse(manyFormats.ToString()), SdpNegotiatorTests.Local, 1);
        Assert.Equal(8, formats.Result!.PayloadType);
        var media = SdpNegotiator.Answer(SdpSession.Parse(manyMedia.ToString()), SdpNegotiatorTests.Local, 1);
        Assert.True(media.IsAccepted);
        Assert.True(media.Result!.MediaIndex > 2000);
        Assert.True(watch.ElapsedMilliseconds < 2000, $"{watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Random_bytes_never_escape_as_other_exceptions()
    {
        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var bytes = new byte[random.Next(0, 200)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length > 4)
            {
                "v=0\n"u8.CopyTo(bytes); // get past the first line half of the time
            }

            if (!SdpParser.TryParse(bytes, out var session, out var error))
            {
                Assert.False(error.IsInternalError, error.Message);
                continue;
            }

            var outcome = SdpNegotiator.Answer(session, SdpNegotiatorTests.Local, 1);
            Assert.Equal(outcome.IsAccepted, outcome.Result is not null);
        }
    }
}
