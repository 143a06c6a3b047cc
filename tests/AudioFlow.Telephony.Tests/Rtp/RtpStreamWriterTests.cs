using AudioFlow.Telephony.Rtp;
using Xunit;

namespace AudioFlow.Telephony.Tests.Rtp;

public sealed class RtpStreamWriterTests
{
    [Fact]
    public void Sequence_increments_and_wraps_timestamp_advances_by_samples_marker_on_first_packet()
    {
        var writer = new RtpStreamWriter(RtpPayloadFormat.Pcmu, ssrc: 0x11223344, initialSequenceNumber: 65534, initialTimestamp: uint.MaxValue - 159);
        var payload = new byte[160];
        var buffer = new byte[512];
        var seen = new List<(ushort Seq, uint Ts, bool Marker)>();
        for (int i = 0; i < 4; i++)
        {
            int n = writer.Write(payload, buffer);
            Assert.Equal(172, n);
            Assert.True(RtpPacket.TryParse(buffer.AsSpan(0, n), out RtpPacket packet, out string error), error);
            Assert.Equal(0x11223344u, packet.Ssrc);
            Assert.Equal(0, packet.PayloadType);
            seen.Add((packet.SequenceNumber, packet.Timestamp, packet.Marker));
        }

        Assert.Equal(new ushort[] { 65534, 65535, 0, 1 }, seen.Select(s => s.Seq));
        Assert.Equal(new uint[] { uint.MaxValue - 159, 0, 160, 320 }, seen.Select(s => s.Ts));
        Assert.Equal(new[] { true, false, false, false }, seen.Select(s => s.Marker));
        Assert.Equal(4, writer.PacketCount);
        Assert.Equal(640, writer.OctetCount);
    }

    [Theory]
    [InlineData("PCMU", 160, 160)]
    [InlineData("PCMA", 160, 160)]
    [InlineData("G722", 160, 160)] // 16 kHz audio, 8000 Hz RTP clock: 20 ms = 160 units (RFC 3551)
    [InlineData("L16", 640, 320)] // 16 kHz L16: 320 samples × 2 bytes
    public void Timestamp_counts_the_rtp_clock_of_the_format(string name, int payloadBytes, int expectedIncrement)
    {
        RtpPayloadFormat format = name switch
        {
            "PCMU" => RtpPayloadFormat.Pcmu,
            "PCMA" => RtpPayloadFormat.Pcma,
            "G722" => RtpPayloadFormat.G722,
            _ => RtpPayloadFormat.L16(96, 16000),
        };

        Assert.Equal(payloadBytes, format.PayloadBytes(TimeSpan.FromMilliseconds(20)));
        var writer = new RtpStreamWriter(format, initialTimestamp: 1000);
        var buffer = new byte[2048];
        writer.Write(new byte[payloadBytes], buffer);
        Assert.Equal(1000u + (uint)expectedIncrement, writer.NextTimestamp);
    }

    [Fact]
    public void Marker_after_a_clear_and_after_silence_with_the_timestamp_moved_on()
    {
        var writer = new RtpStreamWriter(RtpPayloadFormat.Pcma, initialSequenceNumber: 10, initialTimestamp: 0);
        var buffer = new byte[256];
        var payload = new byte[160];
        var markers = new List<bool>();
        var timestamps = new List<uint>();

        void Send()
        {
            int n = writer.Write(payload, buffer);
            RtpPacket.TryParse(buffer.AsSpan(0, n), out RtpPacket p, out _);
            markers.Add(p.Marker);
            timestamps.Add(p.Timestamp);
        }

        Send();
        Send();
        writer.StartTalkspurt(); // barge-in clear
        Send();
        Send();
        writer.SkipSilence(TimeSpan.FromMilliseconds(500)); // nothing sent for 500 ms
        Send();

        Assert.Equal(new[] { true, false, true, false, true }, markers);
        Assert.Equal(new uint[] { 0, 160, 320, 480, 640 + 4000 }, timestamps);
        Assert.Equal((ushort)15, writer.NextSequenceNumber);
    }

    [Fact]
    public void Random_initial_values_differ_between_streams()
    {
        var ssrcs = new HashSet<uint>();
        var sequences = new HashSet<ushort>();
        var timestamps = new HashSet<uint>();
        for (int i = 0; i < 8; i++)
        {
            var writer = new RtpStreamWriter(RtpPayloadFormat.Pcmu);
            Assert.NotEqual(0u, writer.Ssrc);
            ssrcs.Add(writer.Ssrc);
            sequences.Add(writer.NextSequenceNumber);
            timestamps.Add(writer.NextTimestamp);
        }

        Assert.True(ssrcs.Count >= 7);
        Assert.True(sequences.Count >= 5);
        Assert.True(timestamps.Count >= 7);
    }
}
