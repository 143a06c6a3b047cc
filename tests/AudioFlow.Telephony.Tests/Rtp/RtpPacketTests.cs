using AudioFlow.Telephony.Rtp;
using Xunit;
using Xunit.Abstractions;

namespace AudioFlow.Telephony.Tests.Rtp;

public sealed class RtpPacketTests(ITestOutputHelper output)
{
    // RFC 3550 §5.1 figure, assembled by hand: V=2 P=0 X=0 CC=0 | M=1 PT=0 | seq 0x1234 | ts 0xDEADBEEF | SSRC 0x01020304
    private static readonly byte[] Minimal =
    [
        0x80, 0x80, 0x12, 0x34,
        0xDE, 0xAD, 0xBE, 0xEF,
        0x01, 0x02, 0x03, 0x04,
        0xAA, 0xBB, 0xCC, 0xDD,
    ];

    // V=2 P=1 X=1 CC=2 | M=0 PT=8 | seq 0xFFFF | ts 0x00000001 | SSRC 0xCAFEBABE | CSRC 0x11111111, 0x22222222 |
    // extension profile 0xBEDE, length 2 words, 8 bytes | payload 3 bytes | padding 5 bytes (last = 5)
    private static readonly byte[] Full =
    [
        0xB2, 0x08, 0xFF, 0xFF,
        0x00, 0x00, 0x00, 0x01,
        0xCA, 0xFE, 0xBA, 0xBE,
        0x11, 0x11, 0x11, 0x11,
        0x22, 0x22, 0x22, 0x22,
        0xBE, 0xDE, 0x00, 0x02,
        0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80,
        0x01, 0x02, 0x03,
        0x00, 0x00, 0x00, 0x00, 0x05,
    ];

    [Fact]
    public void Parses_the_minimal_header_and_writes_the_same_bytes()
    {
        Assert.True(RtpPacket.TryParse(Minimal, out RtpPacket packet, out string error), error);
        Assert.True(packet.Marker);
        Assert.Equal(0, packet.PayloadType);
        Assert.Equal(0x1234, packet.SequenceNumber);
        Assert.Equal(0xDEADBEEF, packet.Timestamp);
        Assert.Equal(0x01020304u, packet.Ssrc);
        Assert.Equal(0, packet.CsrcCount);
        Assert.False(packet.HasExtension);
        Assert.Equal(new byte[] { 0xAA, 0xBB, 0xCC, 0xDD }, packet.Payload.ToArray());

        var written = new byte[packet.SerializedLength];
        Assert.Equal(Minimal.Length, packet.Write(written));
        Assert.Equal(Minimal, written);
    }

    [Fact]
    public void Built_packet_matches_the_hand_assembled_bytes()
    {
        var packet = new RtpPacket(0, 0x1234, 0xDEADBEEF, 0x01020304, marker: true, [0xAA, 0xBB, 0xCC, 0xDD]);
        var bytes = new byte[64];
        int n = packet.Write(bytes);
        Assert.Equal(Minimal, bytes[..n]);
    }

    [Fact]
    public void Parses_csrcs_skips_the_extension_and_strips_padding()
    {
        Assert.True(RtpPacket.TryParse(Full, out RtpPacket packet, out string error), error);
        Assert.False(packet.Marker);
        Assert.Equal(8, packet.PayloadType);
        Assert.Equal(0xFFFF, packet.SequenceNumber);
        Assert.Equal(1u, packet.Timestamp);
        Assert.Equal(0xCAFEBABE, packet.Ssrc);
        Assert.Equal(2, packet.CsrcCount);
        Assert.Equal(0x11111111u, packet.GetCsrc(0));
        Assert.Equal(0x22222222u, packet.GetCsrc(1));
        Assert.True(packet.HasExtension);
        Assert.Equal(0xBEDE, packet.ExtensionProfile);
        Assert.Equal(8, packet.ExtensionData.Length);
        Assert.Equal(5, packet.PaddingLength);
        Assert.Equal(new byte[] { 0x01, 0x02, 0x03 }, packet.Payload.ToArray());

        // Written back without padding: same bytes up to the padding, P bit cleared.
        var written = new byte[packet.SerializedLength];
        packet.Write(written);
        byte[] expected = Full[..^5];
        expected[0] &= 0xDF;
        Assert.Equal(expected, written);
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x00, 0x00 }, "too short")]
    [InlineData(new byte[] { 0x40, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, "version 1")]
    [InlineData(new byte[] { 0x80, 200, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0 }, "RTCP")] // SR = PT 72 + marker
    [InlineData(new byte[] { 0x80, 201, 0, 1, 0, 0, 0, 0 , 0, 0, 0, 0 }, "RTCP")] // RR = PT 73
    [InlineData(new byte[] { 0x80, 203, 0, 1, 0, 0, 0, 0 , 0, 0, 0, 0 }, "RTCP")] // BYE = PT 75
    [InlineData(new byte[] { 0xA0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x00 }, "padding count is 0")]
    [InlineData(new byte[] { 0xA0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0x09 }, "exceeds")]
    [InlineData(new byte[] { 0x83, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4 }, "CSRC")]
    [InlineData(new byte[] { 0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE, 0xDE, 0x00, 0x01 }, "extension")]
    [InlineData(new byte[] { 0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0xBE }, "extension header")]
    public void Refuses_malformed_packets_without_throwing(byte[] datagram, string reason)
    {
        Assert.False(RtpPacket.TryParse(datagram, out _, out string error));
        Assert.Contains(reason, error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Rtcp_types_are_recognised_on_the_rtp_port()
    {
        for (int type = 200; type <= 204; type++)
        {
            byte[] datagram = [0x81, (byte)type, 0, 1, 0, 0, 0, 0];
            Assert.True(RtpPacket.IsRtcp(datagram));
            Assert.False(RtpPacket.TryParse([.. datagram, 0, 0, 0, 0], out _, out _));
        }

        // PT 0 and the dynamic 96-127 range are RTP, with or without the marker.
        Assert.False(RtpPacket.IsRtcp([0x80, 0x80]));
        Assert.False(RtpPacket.IsRtcp([0x80, 0xE5]));
        Assert.False(RtpPacket.IsRtcp([0x80, 0x65]));
    }

    [Fact]
    public void Padding_that_leaves_an_empty_payload_is_valid()
    {
        byte[] datagram = [0xA0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4];
        Assert.True(RtpPacket.TryParse(datagram, out RtpPacket packet, out string error), error);
        Assert.Equal(0, packet.Payload.Length);
    }

    [Fact]
    public void Every_packet_of_the_debian_and_shared_captures_parses_and_round_trips()
    {
        var captures = new List<(string Path, byte PayloadType, int PayloadLength)>();
        if (File.Exists(Path.Combine(PcapReader.SippDirectory, "g711a.pcap")))
        {
            captures.Add((Path.Combine(PcapReader.SippDirectory, "g711a.pcap"), 8, 240));
            foreach (string dtmf in Directory.GetFiles(PcapReader.SippDirectory, "dtmf_2833_*.pcap"))
            {
                captures.Add((dtmf, 101, 4));
            }
        }

        if (PcapReader.FindShared("sip/audio/hello_pcmu.pcap") is { } hello)
        {
            captures.Add((hello, 0, 160));
        }

        if (captures.Count == 0)
        {
            output.WriteLine("SKIPPED: no captures (apt-get install -y sip-tester; ../shared/sip/audio/hello_pcmu.pcap)");
            return;
        }

        int total = 0;
        foreach ((string path, byte payloadType, int payloadLength) in captures)
        {
            List<PcapReader.UdpDatagram> datagrams = PcapReader.ReadUdp(path);
            Assert.NotEmpty(datagrams);
            ushort? previous = null;
            foreach (PcapReader.UdpDatagram datagram in datagrams)
            {
                Assert.True(RtpPacket.TryParse(datagram.Payload, out RtpPacket packet, out string error), $"{path}: {error}");
                Assert.Equal(payloadType, packet.PayloadType);
                Assert.Equal(payloadLength, packet.Payload.Length);
                if (previous is { } p)
                {
                    // Sequence numbers advance by one (the DTMF captures repeat the end packet with the same number).
                    Assert.True((ushort)(packet.SequenceNumber - p) <= 1, $"{path}: {p} -> {packet.SequenceNumber}");
                }

                previous = packet.SequenceNumber;
                var written = new byte[packet.SerializedLength];
                packet.Write(written);
                Assert.Equal(datagram.Payload, written);
                total++;
            }
        }

        Assert.True(total > 200, $"only {total} packets");
    }
}
