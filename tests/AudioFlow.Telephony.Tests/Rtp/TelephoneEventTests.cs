using AudioFlow.Telephony.Rtp;
using Xunit;
using Xunit.Abstractions;

namespace AudioFlow.Telephony.Tests.Rtp;

public sealed class TelephoneEventTests(ITestOutputHelper output)
{
    private static readonly string[] DigitFiles = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "star", "pound"];

    [Fact]
    public void Parses_and_writes_the_payload()
    {
        // Event 1, E=1, volume 10, duration 2240: the end packet of Debian's dtmf_2833_1.pcap.
        byte[] payload = [0x01, 0x8A, 0x08, 0xC0];
        Assert.True(TelephoneEvent.TryParse(payload, out TelephoneEvent ev));
        Assert.Equal(new TelephoneEvent(1, true, 10, 2240), ev);
        var written = new byte[4];
        ev.Write(written);
        Assert.Equal(payload, written);
        Assert.False(TelephoneEvent.TryParse([1, 2, 3], out _));

        // The reserved bit is ignored.
        Assert.True(TelephoneEvent.TryParse([11, 0x4A, 0, 160], out TelephoneEvent reserved));
        Assert.Equal(new TelephoneEvent(11, false, 10, 160), reserved);
    }

    [Fact]
    public void Event_codes_map_to_digits()
    {
        Assert.Equal("0123456789*#ABCD", new string(Enumerable.Range(0, 16).Select(c => TelephoneEvent.ToDigit((byte)c)!.Value).ToArray()));
        Assert.Null(TelephoneEvent.ToDigit(16));
        foreach (char c in "0123456789*#ABCDabcd")
        {
            Assert.True(TelephoneEvent.TryGetEventCode(c, out byte code));
            Assert.Equal(char.ToUpperInvariant(c), TelephoneEvent.ToDigit(code));
        }

        Assert.False(TelephoneEvent.TryGetEventCode('E', out _));
    }

    [Fact]
    public void Debian_sipp_dtmf_captures_yield_each_digit_exactly_once()
    {
        if (!File.Exists(Path.Combine(PcapReader.SippDirectory, "dtmf_2833_0.pcap")))
        {
            output.WriteLine("SKIPPED: /usr/share/sip-tester/dtmf_2833_*.pcap absent (apt-get install -y sip-tester)");
            return;
        }

        var receiver = new TelephoneEventReceiver(payloadType: 101);
        var events = new List<DtmfEvent>();
        TimeSpan offset = TimeSpan.Zero;
        foreach (string name in DigitFiles)
        {
            List<PcapReader.UdpDatagram> datagrams = PcapReader.ReadUdp(Path.Combine(PcapReader.SippDirectory, $"dtmf_2833_{name}.pcap"));
            Assert.Equal(10, datagrams.Count); // start, 6 updates, the end packet three times
            TimeSpan origin = datagrams[0].Time;
            foreach (PcapReader.UdpDatagram datagram in datagrams)
            {
                Assert.True(RtpPacket.TryParse(datagram.Payload, out RtpPacket packet, out string error), error);
                Assert.Equal(0x0E05384Eu, packet.Ssrc); // their own SSRC, not the audio's
                receiver.Process(packet, offset + (datagram.Time - origin), events);
            }

            offset += TimeSpan.FromMilliseconds(500);
        }

        Assert.Equal("0123456789*#", new string(events.Where(e => e.Kind == DtmfEventKind.Pressed).Select(e => e.Digit).ToArray()));
        Assert.Equal("0123456789*#", new string(events.Where(e => e.Kind == DtmfEventKind.Released).Select(e => e.Digit).ToArray()));
        Assert.All(events.Where(e => e.Kind == DtmfEventKind.Released), e =>
        {
            Assert.True(e.EndSeen);
            Assert.Equal(TimeSpan.FromMilliseconds(280), e.Duration); // 2240 units at 8000 Hz
            Assert.Equal(10, e.Volume);
        });
        Assert.Equal(24, receiver.Repeats); // two repeated end packets per digit
        Assert.Equal(12, receiver.Presses);
    }

    [Fact]
    public void The_shared_scenarios_digits_follow_the_audio_on_another_ssrc()
    {
        string? audio = PcapReader.FindShared("sip/audio/hello_pcmu.pcap");
        if (audio is null || !File.Exists(Path.Combine(PcapReader.SippDirectory, "dtmf_2833_1.pcap")))
        {
            output.WriteLine("SKIPPED: captures absent");
            return;
        }

        // uac_pcmu_pcap_dtmf.xml: the audio capture, then digits 1, 2, 3 on one port. The receiver gets everything.
        var receiver = new TelephoneEventReceiver(payloadType: 101);
        var events = new List<DtmfEvent>();
        TimeSpan now = TimeSpan.Zero;
        IEnumerable<PcapReader.UdpDatagram> all = PcapReader.ReadUdp(audio)
            .Concat(new[] { "1", "2", "3" }.SelectMany(d => PcapReader.ReadUdp(Path.Combine(PcapReader.SippDirectory, $"dtmf_2833_{d}.pcap"))));
        foreach (PcapReader.UdpDatagram datagram in all)
        {
            Assert.True(RtpPacket.TryParse(datagram.Payload, out RtpPacket packet, out _));
            receiver.Process(packet, now, events);
            now += TimeSpan.FromMilliseconds(20);
        }

        Assert.Equal("123", new string(events.Where(e => e.Kind == DtmfEventKind.Pressed).Select(e => e.Digit).ToArray()));
    }

    [Fact]
    public void A_missing_start_packet_or_only_end_packets_still_give_one_press()
    {
        var receiver = new TelephoneEventReceiver();
        var events = new List<DtmfEvent>();
        List<byte[]> packets = Event('4', timestamp: 8000, ssrc: 7, seq: 100, updates: 5, endRepeats: 3);

        // Start lost: the first update reports the press.
        foreach (byte[] p in packets.Skip(1))
        {
            Process(receiver, p, TimeSpan.FromMilliseconds(events.Count), events);
        }

        // Only the three end packets of the next press.
        foreach (byte[] p in Event('4', timestamp: 16000, ssrc: 7, seq: 200, updates: 5, endRepeats: 3).TakeLast(3))
        {
            Process(receiver, p, TimeSpan.FromMilliseconds(500), events);
        }

        Assert.Equal(
            [(DtmfEventKind.Pressed, '4'), (DtmfEventKind.Released, '4'), (DtmfEventKind.Pressed, '4'), (DtmfEventKind.Released, '4')],
            events.Select(e => (e.Kind, e.Digit)));
        Assert.Equal(TimeSpan.FromMilliseconds(120), events[3].Duration); // 6 intervals × 160 units
    }

    [Fact]
    public void Same_digit_twice_is_two_presses_told_apart_by_timestamp()
    {
        var stream = new RtpStreamWriter(RtpPayloadFormat.Pcmu, ssrc: 42, initialSequenceNumber: 1, initialTimestamp: 0);
        var writer = new TelephoneEventWriter(stream);
        var receiver = new TelephoneEventReceiver(payloadType: 101);
        var events = new List<DtmfEvent>();
        var buffer = new byte[64];
        TimeSpan now = TimeSpan.Zero;
        foreach (char digit in "55")
        {
            writer.Begin(digit, TimeSpan.FromMilliseconds(100));
            int n;
            while ((n = writer.WriteNext(buffer)) > 0)
            {
                Process(receiver, buffer[..n], now, events);
                now += writer.PacketInterval;
            }

            // 60 ms of audio between the digits.
            for (int i = 0; i < 3; i++)
            {
                stream.Write(new byte[160], buffer.Length < 172 ? new byte[172] : buffer);
                now += TimeSpan.FromMilliseconds(20);
            }
        }

        List<DtmfEvent> presses = events.Where(e => e.Kind == DtmfEventKind.Pressed).ToList();
        Assert.Equal("55", new string(presses.Select(e => e.Digit).ToArray()));
        Assert.NotEqual(presses[0].RtpTimestamp, presses[1].RtpTimestamp);
        Assert.All(events.Where(e => e.Kind == DtmfEventKind.Released), e => Assert.Equal(TimeSpan.FromMilliseconds(100), e.Duration));
    }

    [Fact]
    public void A_capture_replayed_verbatim_later_is_a_new_press_but_not_within_the_repeat_window()
    {
        var receiver = new TelephoneEventReceiver();
        var events = new List<DtmfEvent>();
        List<byte[]> packets = Event('9', timestamp: 67840, ssrc: 0x0E05384E, seq: 8293, updates: 6, endRepeats: 3);
        void Play(TimeSpan start)
        {
            for (int i = 0; i < packets.Count; i++)
            {
                Process(receiver, packets[i], start + TimeSpan.FromMilliseconds(20 * i), events);
            }
        }

        Play(TimeSpan.Zero);
        Play(TimeSpan.FromMilliseconds(400)); // within the 1 s window: repeats
        Assert.Single(events, e => e.Kind == DtmfEventKind.Pressed);
        Play(TimeSpan.FromSeconds(3)); // sipp replaying the same pcap later
        Assert.Equal(2, events.Count(e => e.Kind == DtmfEventKind.Pressed));
    }

    [Fact]
    public void Long_press_with_duration_updates_is_one_press_with_the_full_duration()
    {
        var stream = new RtpStreamWriter(RtpPayloadFormat.Pcmu, ssrc: 9, initialTimestamp: 123);
        var writer = new TelephoneEventWriter(stream, volume: 7);
        var receiver = new TelephoneEventReceiver(payloadType: 101);
        var events = new List<DtmfEvent>();
        var buffer = new byte[64];
        writer.Begin('#', TimeSpan.FromSeconds(3));
        TimeSpan now = TimeSpan.Zero;
        int n;
        int packets = 0;
        while ((n = writer.WriteNext(buffer)) > 0)
        {
            Process(receiver, buffer[..n], now, events);
            now += TimeSpan.FromMilliseconds(20);
            packets++;
            if (packets == 75)
            {
                Assert.Equal('#', receiver.ActiveDigit);
            }
        }

        Assert.Equal(150 + 2, packets); // start + 148 updates + end, then two repeats
        Assert.Equal(2, events.Count);
        Assert.Equal(new DtmfEvent(DtmfEventKind.Released, '#', 11, 9, 123, TimeSpan.FromSeconds(3), 7, true), events[1]);
        Assert.Null(receiver.ActiveDigit);
    }

    [Fact]
    public void A_long_event_in_segments_stays_one_press()
    {
        // RFC 4733 §2.5.1.3: after 0xFFFF units the event continues under timestamp + 0xFFFF, without the marker.
        var receiver = new TelephoneEventReceiver();
        var events = new List<DtmfEvent>();
        ushort seq = 1;
        for (int d = 160; d <= 0xFFFF; d = d + 1600 > 0xFFFF && d != 0xFFFF ? 0xFFFF : d + 1600)
        {
            Process(receiver, Packet(seq++, 1000, 77, seq == 2, 0, false, (ushort)d), TimeSpan.FromMilliseconds(seq * 200), events);
        }

        Process(receiver, Packet(seq++, 1000 + 0xFFFF, 77, false, 0, false, 800), TimeSpan.FromMilliseconds(seq * 200), events);
        Process(receiver, Packet(seq++, 1000 + 0xFFFF, 77, false, 0, true, 1600), TimeSpan.FromMilliseconds(seq * 200), events);
        Assert.Equal([DtmfEventKind.Pressed, DtmfEventKind.Released], events.Select(e => e.Kind));
        Assert.Equal('0', events[1].Digit);
        Assert.Equal(TimeSpan.FromTicks((0xFFFFL + 1600) * TimeSpan.TicksPerSecond / 8000), events[1].Duration);
    }

    [Fact]
    public void Lost_end_packets_release_on_the_next_press_or_on_timeout()
    {
        var receiver = new TelephoneEventReceiver();
        var events = new List<DtmfEvent>();
        foreach (byte[] p in Event('1', 1000, 5, 10, updates: 4, endRepeats: 3).SkipLast(3))
        {
            Process(receiver, p, TimeSpan.FromMilliseconds(100), events);
        }

        foreach (byte[] p in Event('2', 3000, 5, 20, updates: 4, endRepeats: 3).SkipLast(3))
        {
            Process(receiver, p, TimeSpan.FromMilliseconds(400), events);
        }

        Assert.Equal(0, receiver.Poll(TimeSpan.FromMilliseconds(900), events));
        Assert.Equal(1, receiver.Poll(TimeSpan.FromMilliseconds(1500), events));
        Assert.Equal(
            [(DtmfEventKind.Pressed, '1', false), (DtmfEventKind.Released, '1', false), (DtmfEventKind.Pressed, '2', false), (DtmfEventKind.Released, '2', false)],
            events.Select(e => (e.Kind, e.Digit, e.EndSeen)));

        // A late update of the released '1' does not press it again.
        Process(receiver, Event('1', 1000, 5, 10, updates: 4, endRepeats: 3)[2], TimeSpan.FromMilliseconds(1600), events);
        Assert.Equal(4, events.Count);
    }

    [Fact]
    public void Writer_sends_start_updates_and_three_end_packets_on_the_streams_ssrc()
    {
        var stream = new RtpStreamWriter(RtpPayloadFormat.Pcmu, ssrc: 0xABCDEF01, initialSequenceNumber: 500, initialTimestamp: 8000);
        var writer = new TelephoneEventWriter(stream);
        var buffer = new byte[64];
        writer.Begin('7', TimeSpan.FromMilliseconds(100));
        Assert.True(writer.IsActive);
        var packets = new List<(ushort Seq, uint Ts, bool Marker, TelephoneEvent Event)>();
        int n;
        while ((n = writer.WriteNext(buffer)) > 0)
        {
            Assert.True(RtpPacket.TryParse(buffer.AsSpan(0, n), out RtpPacket packet, out _));
            Assert.Equal(101, packet.PayloadType);
            Assert.Equal(0xABCDEF01u, packet.Ssrc);
            Assert.True(TelephoneEvent.TryParse(packet.Payload, out TelephoneEvent ev));
            packets.Add((packet.SequenceNumber, packet.Timestamp, packet.Marker, ev));
        }

        Assert.Equal(new ushort[] { 500, 501, 502, 503, 504, 505, 506 }, packets.Select(p => p.Seq));
        Assert.All(packets, p => Assert.Equal(8000u, p.Ts));
        Assert.Equal(new[] { true, false, false, false, false, false, false }, packets.Select(p => p.Marker));
        Assert.Equal(new ushort[] { 160, 320, 480, 640, 800, 800, 800 }, packets.Select(p => p.Event.Duration));
        Assert.Equal(new[] { false, false, false, false, true, true, true }, packets.Select(p => p.Event.End));
        Assert.All(packets, p => Assert.Equal(7, p.Event.Event));
        Assert.False(writer.IsActive);
        Assert.Equal(8000u + 7 * 160, stream.NextTimestamp);
        Assert.True(stream.IsTalkspurtPending);
        Assert.Throws<ArgumentException>(() => writer.Begin('x', TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void Writer_and_receiver_round_trip_a_digit_string()
    {
        var stream = new RtpStreamWriter(RtpPayloadFormat.Pcma);
        var writer = new TelephoneEventWriter(stream, payloadType: 96, packetInterval: TimeSpan.FromMilliseconds(50));
        var receiver = new TelephoneEventReceiver(payloadType: 96);
        var events = new List<DtmfEvent>();
        var buffer = new byte[256];
        TimeSpan now = TimeSpan.Zero;
        foreach (char digit in "0123456789*#ABCD11")
        {
            writer.Begin(digit, TimeSpan.FromMilliseconds(120));
            int n;
            while ((n = writer.WriteNext(buffer)) > 0)
            {
                Process(receiver, buffer[..n], now, events);
                now += TimeSpan.FromMilliseconds(50);
            }

            // Audio packets between the digits are not telephone events: ignored by payload type.
            n = stream.Write(new byte[160], buffer);
            Process(receiver, buffer[..n], now, events);
        }

        Assert.Equal("0123456789*#ABCD11", new string(events.Where(e => e.Kind == DtmfEventKind.Pressed).Select(e => e.Digit).ToArray()));
        Assert.Equal(36, events.Count);
    }

    private static void Process(TelephoneEventReceiver receiver, byte[] datagram, TimeSpan arrival, List<DtmfEvent> events)
    {
        Assert.True(RtpPacket.TryParse(datagram, out RtpPacket packet, out string error), error);
        receiver.Process(packet, arrival, events);
    }

    private static byte[] Packet(ushort seq, uint timestamp, uint ssrc, bool marker, byte code, bool end, ushort duration)
    {
        var payload = new byte[4];
        new TelephoneEvent(code, end, 10, duration).Write(payload);
        var packet = new RtpPacket(101, seq, timestamp, ssrc, marker, payload);
        var bytes = new byte[packet.SerializedLength];
        packet.Write(bytes);
        return bytes;
    }

    /// <summary>Start, <paramref name="updates"/> updates and the end packet <paramref name="endRepeats"/> times (same sequence number).</summary>
    private static List<byte[]> Event(char digit, uint timestamp, uint ssrc, ushort seq, int updates, int endRepeats)
    {
        TelephoneEvent.TryGetEventCode(digit, out byte code);
        var packets = new List<byte[]> { Packet(seq, timestamp, ssrc, true, code, false, 0) };
        for (int i = 1; i <= updates; i++)
        {
            packets.Add(Packet((ushort)(seq + i), timestamp, ssrc, false, code, false, (ushort)(160 * i)));
        }

        for (int i = 0; i < endRepeats; i++)
        {
            packets.Add(Packet((ushort)(seq + updates + 1), timestamp, ssrc, false, code, true, (ushort)(160 * (updates + 1))));
        }

        return packets;
    }
}
