using AudioFlow.Telephony.Rtp;
using Xunit;

namespace AudioFlow.Telephony.Tests.Rtp;

/// <summary>Random and mutated bytes through every parser and stateful receiver: nothing may throw.</summary>
public sealed class RtpFuzzTests
{
    [Fact]
    public void Random_bytes_never_throw()
    {
        var random = new Random(20250601);
        var buffer = new byte[300];
        int rtp = 0;
        int rtcp = 0;
        for (int i = 0; i < 100_000; i++)
        {
            int length = random.Next(0, buffer.Length);
            Span<byte> data = buffer.AsSpan(0, length);
            random.NextBytes(data);
            if (length > 0 && i % 2 == 0)
            {
                data[0] = (byte)((data[0] & 0x3F) | 0x80); // version 2, to get past the first check
            }

            if (RtpPacket.TryParse(data, out RtpPacket packet, out _))
            {
                rtp++;
                Assert.True(packet.SerializedLength <= length + 0);
            }

            if (RtcpCompoundPacket.TryParse(data, out _, out _))
            {
                rtcp++;
            }

            TelephoneEvent.TryParse(data, out _);
        }

        Assert.True(rtp > 1000, $"only {rtp} random datagrams parsed as RTP");
        Assert.True(rtcp >= 0);
    }

    [Fact]
    public void Mutated_valid_packets_never_throw()
    {
        var random = new Random(7);
        var compound = new RtcpCompoundPacket(
        [
            new RtcpSenderReport(1, 2, 3, 4, 5, [new RtcpReportBlock(6, 7, 8, 9, 10, 11, 12)]),
            RtcpSourceDescription.Cname(1, "user@example"),
            new RtcpBye([1], "bye"),
        ]).ToArray();
        var rtpPacket = new RtpPacket(0, 1, 2, 3, true, new byte[20], csrcList: new byte[8], hasExtension: true, extensionProfile: 0xBEDE, extensionData: new byte[4]);
        var rtp = new byte[rtpPacket.SerializedLength];
        rtpPacket.Write(rtp);

        int parsedRtcp = 0;
        for (int i = 0; i < 50_000; i++)
        {
            byte[] source = i % 2 == 0 ? compound : rtp;
            byte[] mutated = source.ToArray();
            int flips = random.Next(1, 4);
            for (int f = 0; f < flips; f++)
            {
                mutated[random.Next(mutated.Length)] ^= (byte)(1 << random.Next(8));
            }

            int cut = random.Next(0, 4) == 0 ? random.Next(mutated.Length) : mutated.Length;
            ReadOnlySpan<byte> data = mutated.AsSpan(0, cut);
            RtpPacket.TryParse(data, out _, out _);
            if (RtcpCompoundPacket.TryParse(data, out RtcpCompoundPacket? parsed, out _))
            {
                parsedRtcp++;
                _ = parsed!.ReportBlocks.Count();
                _ = parsed.Byes.Count();
            }
        }

        Assert.True(parsedRtcp > 1000);
    }

    [Fact]
    public void Random_packets_into_the_jitter_buffer_and_event_receiver_never_throw()
    {
        var random = new Random(99);
        var buffer = new JitterBuffer();
        var tenMs = new JitterBuffer(new JitterBufferOptions { Format = RtpPayloadFormat.L16(96, 16000), FrameDuration = TimeSpan.FromMilliseconds(10) });
        var receiver = new TelephoneEventReceiver();
        var events = new List<DtmfEvent>();
        var bytes = new byte[200];
        ushort seq = 100;
        uint ts = 0;
        for (int i = 0; i < 30_000; i++)
        {
            // Mostly plausible packets with random jumps, payload types, SSRCs and lengths.
            seq = (ushort)(seq + (random.Next(10) == 0 ? random.Next() : random.Next(-3, 4)));
            ts += random.Next(10) == 0 ? (uint)random.Next() : (uint)(random.Next(-2, 4) * 80);
            byte pt = random.Next(6) switch { 0 => 101, 1 => (byte)random.Next(128), 2 => 96, _ => 0 };
            uint ssrc = random.Next(50) == 0 ? (uint)random.Next(3) : 1u;
            int length = random.Next(0, 180);
            random.NextBytes(bytes.AsSpan(0, length));
            var packet = new RtpPacket(pt, seq, ts, ssrc, random.Next(8) == 0, bytes.AsSpan(0, length));
            var arrival = TimeSpan.FromMilliseconds(i * 20 + random.Next(0, 300));
            buffer.Push(packet, arrival);
            tenMs.Push(packet, arrival);
            receiver.Process(packet, arrival, events);
            if (random.Next(3) != 0)
            {
                JitterBufferFrame frame = buffer.Pull();
                if (frame.Kind == JitterBufferFrameKind.Audio)
                {
                    Assert.Equal(160, frame.Payload.Length);
                }

                JitterBufferFrame frame10 = tenMs.Pull();
                if (frame10.Kind == JitterBufferFrameKind.Audio)
                {
                    Assert.Equal(320, frame10.Payload.Length);
                }
            }

            if (i % 100 == 0)
            {
                receiver.Poll(arrival, events);
                _ = buffer.Statistics;
            }
        }

        // Presses and releases alternate per digit: never two presses of one press.
        Assert.True(events.Count(e => e.Kind == DtmfEventKind.Pressed) >= events.Count(e => e.Kind == DtmfEventKind.Released));
        Assert.InRange(buffer.TargetDelay.TotalMilliseconds, 40, 200);
    }
}
