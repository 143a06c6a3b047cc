using AudioFlow.Telephony.Rtp;
using Xunit;
using static AudioFlow.Telephony.Tests.Rtp.JitterSimulation;

namespace AudioFlow.Telephony.Tests.Rtp;

public sealed class RtcpTests
{
    // RFC 3550 §6.4.1 layout, assembled by hand: SR, RC=1, length 12 words; sender 0x12345678, NTP 1970-01-01 00:00:00.5,
    // RTP ts 0x1000, 10 packets, 1600 octets; block about 0xCAFEBABE: fraction 12, lost 5, highest 0x00010010,
    // jitter 37, LSR 0x7E808000, DLSR 0x8000 (0.5 s).
    private static readonly byte[] SenderReportGolden =
    [
        0x81, 0xC8, 0x00, 0x0C,
        0x12, 0x34, 0x56, 0x78,
        0x83, 0xAA, 0x7E, 0x80,
        0x80, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x10, 0x00,
        0x00, 0x00, 0x00, 0x0A,
        0x00, 0x00, 0x06, 0x40,
        0xCA, 0xFE, 0xBA, 0xBE,
        0x0C, 0x00, 0x00, 0x05,
        0x00, 0x01, 0x00, 0x10,
        0x00, 0x00, 0x00, 0x25,
        0x7E, 0x80, 0x80, 0x00,
        0x00, 0x00, 0x80, 0x00,
    ];

    private static readonly RtcpReportBlock GoldenBlock = new(0xCAFEBABE, 12, 5, 0x00010010, 37, 0x7E808000, 0x8000);

    [Fact]
    public void Ntp_timestamps_follow_the_1900_epoch()
    {
        var halfPastUnixEpoch = new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMilliseconds(500);
        ulong ntp = NtpTimestamp.FromDateTime(halfPastUnixEpoch);
        Assert.Equal(0x83AA7E80_80000000UL, ntp);
        Assert.Equal(0x7E808000u, NtpTimestamp.Middle32(ntp));
        Assert.Equal(halfPastUnixEpoch, NtpTimestamp.ToDateTime(ntp));

        var now = new DateTimeOffset(2025, 6, 1, 12, 34, 56, 789, TimeSpan.Zero);
        Assert.InRange((NtpTimestamp.ToDateTime(NtpTimestamp.FromDateTime(now)) - now).Duration(), TimeSpan.Zero, TimeSpan.FromTicks(1));
    }

    [Fact]
    public void Sender_report_matches_the_hand_assembled_bytes_and_parses_back()
    {
        var sr = new RtcpSenderReport(0x12345678, 0x83AA7E80_80000000UL, 0x1000, 10, 1600, [GoldenBlock]);
        Assert.Equal(SenderReportGolden, new RtcpCompoundPacket([sr]).ToArray());

        Assert.True(RtcpCompoundPacket.TryParse(SenderReportGolden, out RtcpCompoundPacket? compound, out string error), error);
        RtcpSenderReport parsed = Assert.IsType<RtcpSenderReport>(Assert.Single(compound!.Packets));
        Assert.Equal(0x12345678u, parsed.Ssrc);
        Assert.Equal(0x83AA7E80_80000000UL, parsed.NtpTimestamp);
        Assert.Equal(0x1000u, parsed.RtpTimestamp);
        Assert.Equal(10u, parsed.PacketCount);
        Assert.Equal(1600u, parsed.OctetCount);
        Assert.Equal(GoldenBlock, Assert.Single(parsed.ReportBlocks));
        Assert.Equal(12 / 256.0, parsed.ReportBlocks[0].FractionLostRatio);
    }

    [Fact]
    public void Receiver_report_sdes_and_bye_golden_bytes()
    {
        byte[] rr = new RtcpCompoundPacket([new RtcpReceiverReport(0x01020304, [])]).ToArray();
        Assert.Equal(new byte[] { 0x80, 0xC9, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04 }, rr);

        byte[] sdes = new RtcpCompoundPacket([RtcpSourceDescription.Cname(0x01020304, "af@host")]).ToArray();
        Assert.Equal(
            new byte[] { 0x81, 0xCA, 0x00, 0x04, 0x01, 0x02, 0x03, 0x04, 0x01, 0x07, (byte)'a', (byte)'f', (byte)'@', (byte)'h', (byte)'o', (byte)'s', (byte)'t', 0, 0, 0 },
            sdes);

        byte[] bye = new RtcpCompoundPacket([new RtcpBye([0x01020304], "bye")]).ToArray();
        Assert.Equal(new byte[] { 0x81, 0xCB, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04, 0x03, (byte)'b', (byte)'y', (byte)'e' }, bye);
    }

    [Fact]
    public void Compound_packet_round_trip_extracts_report_blocks_and_bye()
    {
        var blocks = new[]
        {
            new RtcpReportBlock(1, 0, -5, 70000, 12, 0, 0),
            new RtcpReportBlock(2, 255, RtcpReportBlock.MaxCumulativeLost, uint.MaxValue, 0, 0xFFFFFFFF, 1),
        };
        var compound = new RtcpCompoundPacket(
        [
            new RtcpReceiverReport(0xAABBCCDD, blocks),
            new RtcpSourceDescription(
            [
                new RtcpSdesChunk(0xAABBCCDD, [new RtcpSdesItem(RtcpSdesType.Cname, "audioflow@10.0.0.1"), new RtcpSdesItem(RtcpSdesType.Tool, "AudioFlow")]),
                new RtcpSdesChunk(0x11111111, [new RtcpSdesItem(RtcpSdesType.Cname, "x")]),
            ]),
            new RtcpBye([0xAABBCCDD, 0x11111111], "hang up ✓"),
        ]);

        byte[] bytes = compound.ToArray();
        Assert.Equal(0, bytes.Length % 4);
        Assert.True(RtcpCompoundPacket.TryParse(bytes, out RtcpCompoundPacket? parsed, out string error), error);
        Assert.Equal(3, parsed!.Packets.Count);
        Assert.Equal(blocks, parsed.ReportBlocks.Select(r => r.Block));
        Assert.All(parsed.ReportBlocks, r => Assert.Equal(0xAABBCCDDu, r.Reporter));
        RtcpSourceDescription sdes = Assert.IsType<RtcpSourceDescription>(parsed.Packets[1]);
        Assert.Equal("audioflow@10.0.0.1", sdes.Chunks[0].Items[0].Value);
        Assert.Equal("AudioFlow", sdes.Chunks[0].Items[1].Value);
        Assert.Equal("x", sdes.Chunks[1].Items[0].Value);
        RtcpBye bye = Assert.Single(parsed.Byes);
        Assert.Equal(new uint[] { 0xAABBCCDD, 0x11111111 }, bye.Ssrcs);
        Assert.Equal("hang up ✓", bye.Reason);

        // Written again: identical bytes.
        Assert.Equal(bytes, parsed.ToArray());
    }

    [Fact]
    public void Unknown_types_and_padding_are_tolerated()
    {
        // RR (no blocks) + APP packet with padding (P=1, 4 padding bytes, count in last).
        byte[] datagram =
        [
            0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 9,
            0xA1, 0xCC, 0x00, 0x03, 0, 0, 0, 9, (byte)'n', (byte)'a', (byte)'m', (byte)'e', 0, 0, 0, 4,
        ];
        Assert.True(RtcpCompoundPacket.TryParse(datagram, out RtcpCompoundPacket? compound, out string error), error);
        RtcpUnknownPacket app = Assert.IsType<RtcpUnknownPacket>(compound!.Packets[1]);
        Assert.Equal(RtcpPacketType.App, app.PacketType);
        Assert.Equal(1, app.Count);
        Assert.Equal(8, app.Body.Length);
    }

    [Theory]
    [InlineData(new byte[] { 0x81, 0xC8 }, "too short")]
    [InlineData(new byte[] { 0x41, 0xC9, 0x00, 0x01, 0, 0, 0, 0 }, "version")]
    [InlineData(new byte[] { 0x80, 0xC9, 0x00, 0x05, 0, 0, 0, 0 }, "exceeds")]
    [InlineData(new byte[] { 0x81, 0xC9, 0x00, 0x01, 0, 0, 0, 0 }, "report blocks")]
    [InlineData(new byte[] { 0x80, 0xC8, 0x00, 0x01, 0, 0, 0, 0 }, "SR")]
    [InlineData(new byte[] { 0x82, 0xCB, 0x00, 0x01, 0, 0, 0, 0 }, "BYE")]
    [InlineData(new byte[] { 0x81, 0xCB, 0x00, 0x02, 0, 0, 0, 1, 9, 1, 2, 3 }, "reason")]
    [InlineData(new byte[] { 0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 1, 9, 1, 2 }, "SDES")]
    [InlineData(new byte[] { 0x81, 0xCA, 0x00, 0x02, 0, 0, 0, 1, 1, 2, 0x61, 0x62 }, "terminating")]
    [InlineData(new byte[] { 0xA0, 0xC9, 0x00, 0x01, 0, 0, 0, 9 }, "padding")]
    [InlineData(new byte[] { 0x80, 0xC9, 0x00, 0x01, 0, 0, 0, 9, 0x80 }, "trailing")]
    public void Malformed_compound_packets_are_refused_without_throwing(byte[] datagram, string reason)
    {
        Assert.False(RtcpCompoundPacket.TryParse(datagram, out RtcpCompoundPacket? compound, out string error));
        Assert.Null(compound);
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Receiver_report_block_from_the_jitter_buffers_statistics()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(100, firstSequence: 65530, firstTimestamp: 1000);
        int[] dropped = [10, 11, 40, 41, 42];
        Run(buffer, Network(sent, seed: 3, jitterMs: _ => 20, drop: p => dropped.Contains(p.Index)), endMs: 2500);

        // The peer's SR arrived at t = 2 s; our report at t = 2.25 s.
        ulong peerNtp = NtpTimestamp.FromDateTime(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        buffer.SourceStatistics.OnSenderReport(peerNtp, TimeSpan.FromSeconds(2));
        RtcpReportBlock block = buffer.SourceStatistics.CreateReportBlock(TimeSpan.FromSeconds(2.25));

        Assert.Equal(0x5EED0001u, block.Ssrc);
        Assert.Equal(5, block.CumulativeLost);
        Assert.Equal((byte)(5 * 256 / 100), block.FractionLost);
        Assert.Equal(65536u + 93, block.ExtendedHighestSequence); // 65530 + 99 wrapped once
        Assert.Equal((uint)buffer.SourceStatistics.JitterUnits, block.Jitter);
        Assert.InRange(block.Jitter, 10u, 160u); // uniform 0-20 ms: mean |D| ≈ 6.7 ms = 53 units
        Assert.Equal(NtpTimestamp.Middle32(peerNtp), block.LastSenderReport);
        Assert.Equal(16384u, block.DelaySinceLastSenderReport);

        // Nothing new since: fraction 0, cumulative unchanged.
        RtcpReportBlock next = buffer.SourceStatistics.CreateReportBlock(TimeSpan.FromSeconds(7));
        Assert.Equal(0, next.FractionLost);
        Assert.Equal(5, next.CumulativeLost);

        // Into an RR, onto the wire, back.
        byte[] bytes = new RtcpCompoundPacket([new RtcpReceiverReport(0x0BADF00D, [block]), RtcpSourceDescription.Cname(0x0BADF00D, "af")]).ToArray();
        Assert.True(RtcpCompoundPacket.TryParse(bytes, out RtcpCompoundPacket? parsed, out _));
        Assert.Equal(block, parsed!.ReportBlocks.Single().Block);
    }

    [Fact]
    public void Sender_report_from_the_stream_writer_and_round_trip_time()
    {
        var writer = new RtpStreamWriter(RtpPayloadFormat.Pcmu, ssrc: 77, initialTimestamp: 0);
        var buffer = new byte[200];
        for (int i = 0; i < 50; i++)
        {
            writer.Write(new byte[160], buffer);
        }

        var wallclock = new DateTimeOffset(2025, 3, 3, 10, 0, 0, TimeSpan.Zero);
        RtcpSenderReport sr = RtcpSenderReport.FromWriter(writer, wallclock, writer.NextTimestamp);
        Assert.Equal(50u, sr.PacketCount);
        Assert.Equal(8000u, sr.OctetCount);
        Assert.Equal(8000u, sr.RtpTimestamp);

        // The peer echoes our SR's middle 32 bits with a 0.25 s hold; the report arrives 0.4 s after our SR.
        uint lsr = NtpTimestamp.Middle32(sr.NtpTimestamp);
        uint arrival = NtpTimestamp.Middle32(NtpTimestamp.FromDateTime(wallclock.AddMilliseconds(400)));
        TimeSpan? rtt = NtpTimestamp.RoundTrip(arrival, lsr, 65536 / 4);
        Assert.NotNull(rtt);
        Assert.InRange(rtt!.Value.TotalMilliseconds, 149.9, 150.1);
        Assert.Null(NtpTimestamp.RoundTrip(arrival, 0, 0));
    }

    [Fact]
    public void Negative_cumulative_loss_survives_the_24_bit_field()
    {
        var block = new RtcpReportBlock(5, 0, -3, 100, 0, 0, 0);
        byte[] bytes = new RtcpCompoundPacket([new RtcpReceiverReport(1, [block])]).ToArray();
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFD }, bytes[13..16]);
        Assert.True(RtcpCompoundPacket.TryParse(bytes, out RtcpCompoundPacket? parsed, out _));
        Assert.Equal(-3, parsed!.ReportBlocks.Single().Block.CumulativeLost);
    }

    [Fact]
    public void Intervals_are_five_seconds_randomised_and_the_first_is_shorter()
    {
        var intervals = new RtcpIntervals(new Random(1));
        TimeSpan first = intervals.Next();
        Assert.InRange(first.TotalSeconds, 2.5 * 0.5 / RtcpIntervals.Compensation, 2.5 * 1.5 / RtcpIntervals.Compensation);
        var later = Enumerable.Range(0, 2000).Select(_ => intervals.Next().TotalSeconds).ToList();
        Assert.All(later, s => Assert.InRange(s, 5 * 0.5 / RtcpIntervals.Compensation, 5 * 1.5 / RtcpIntervals.Compensation));
        Assert.InRange(later.Average(), 3.9, 4.3);
        Assert.True(later.Max() - later.Min() > 3.5);

        // Bandwidth-limited: 100 members sharing 500 B/s with 200-byte packets need more than the minimum.
        TimeSpan big = RtcpIntervals.DeterministicInterval(100, 2, 500, weSent: false, averageRtcpSize: 200, initial: false);
        Assert.Equal(200 * 98 / (500 * 0.75), big.TotalSeconds, 6);
    }
}
