using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;
using AudioFlow.Audio.Dtmf;
using AudioFlow.Telephony.Rtp;
using AudioFlow.Telephony.Rtp.Session;
using AudioFlow.Telephony.Sip.Sdp;
using AudioFlow.Telephony.Tests.Rtp;
using AudioFlow.Telephony.Tests.Sip.Transactions;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.UserAgent;

/// <summary>
/// <see cref="RtpSession"/> against raw UDP sockets on loopback: symmetric latching, pacing, timestamps and marker bits
/// (G.711 and G.722), clear within one packet time, marks, RFC 4733 digits from Debian sipp's captures, in-band DTMF,
/// loss turned into codec silence, RTCP SR out and BYE in.
/// </summary>
[Collection(RealTimeCollection.Name)]
public sealed class RtpSessionTests : IDisposable
{
    private static readonly RtpPortAllocator Ports = new(40000, 44999);
    private readonly List<IDisposable> _disposables = [];

    [Fact]
    public async Task Rtp_goes_to_the_sdp_address_until_the_peers_packets_arrive_then_to_their_source()
    {
        var decoy = Socket();
        var peer = Socket();
        var events = new RecordingEvents();
        await using var session = Open();
        session.Start(Pcmu(decoy), events);

        session.SendMedia(Frame(0x11));
        Assert.Single(await Receive(decoy, 0.3));

        await peer.SendToAsync(Packet(0, 1, 160), SocketFlags.None, LocalOf(session));
        await Wait.UntilAsync(() => session.Statistics.PacketsReceived == 1);
        await Task.Delay(100);
        session.SendMedia(Frame(0x22));
        var latched = await Receive(peer, 0.3);
        Assert.Single(latched);
        Assert.Empty(await Receive(decoy, 0.1));
        Assert.Equal(1, session.Statistics.Latches);
    }

    [Fact]
    public async Task G722_packets_advance_the_timestamp_by_160_per_20_ms_and_mark_each_talkspurt()
    {
        var peer = Socket();
        await using var session = Open();
        session.Start(Parameters(SdpAudioFormats.G722, 9, peer), new RecordingEvents());

        Queue(session, 10); // handed over ahead, sent at their 20 ms slots
        await Task.Delay(500); // 200 ms of audio, then a pause: the next frame starts a new talkspurt
        Queue(session, 5);
        var packets = (await Receive(peer, 0.4)).Select(Header).ToList();
        Assert.Equal(15, packets.Count);
        Assert.All(packets, p => Assert.Equal(9, p.PayloadType));
        Assert.True(packets[0].Marker);
        for (var i = 1; i < 10; i++)
        {
            Assert.False(packets[i].Marker);
            Assert.Equal(160u, packets[i].Timestamp - packets[i - 1].Timestamp);
            Assert.Equal((ushort)(packets[i - 1].SequenceNumber + 1), packets[i].SequenceNumber);
        }

        Assert.True(packets[10].Marker, "the first packet after the pause starts a talkspurt");
        Assert.Equal((ushort)(packets[9].SequenceNumber + 1), packets[10].SequenceNumber);
        var jump = packets[10].Timestamp - packets[9].Timestamp;
        Assert.InRange(jump, 160u * 14, 160u * 60); // the ~300 ms pause (or more on a busy machine) on the 8000 Hz clock
        Assert.Equal(160u, packets[11].Timestamp - packets[10].Timestamp);
    }

    [Fact]
    public async Task Frames_handed_over_ahead_leave_at_their_pacing_slots_not_in_a_burst()
    {
        var peer = Socket();
        await using var session = Open();
        session.Start(Pcmu(peer), new RecordingEvents());
        for (var i = 0; i < 10; i++)
        {
            session.SendMedia(Frame((byte)i));
        }

        var arrivals = await ReceiveTimed(peer, 0.5);
        Assert.Equal(10, arrivals.Count);
        var span = arrivals[^1] - arrivals[0];
        Assert.InRange(span.TotalMilliseconds, 140, 600); // 9 slots of 20 ms (each sent up to one frame early), not a burst
    }

    [Fact]
    public async Task A_clear_stops_the_audio_within_one_packet_time_and_drops_the_marks_behind_it()
    {
        var peer = Socket();
        var events = new RecordingEvents();
        await using var session = Open();
        session.Start(Pcmu(peer), events);
        for (var i = 0; i < 20; i++)
        {
            session.SendMedia(Frame(0x33));
        }

        session.Mark("reply-1");
        var receiving = Receive(peer, 0.8);
        await Task.Delay(200);
        var dropped = session.Clear();
        var sentAtClear = session.Statistics.FramesSent;
        var packets = await receiving;
        Assert.True(dropped > 0, "frames were still queued at the clear");
        Assert.Equal(20, sentAtClear + dropped);
        Assert.Equal(sentAtClear, session.Statistics.FramesSent); // nothing of the cleared reply left after the clear
        Assert.Equal(sentAtClear, packets.Count);
        Assert.Empty(events.Marks);
        // After the clear: a new talkspurt, and a mark is acked once its audio is sent.
        session.SendMedia(Frame(0x44));
        session.SendMedia(Frame(0x44));
        session.Mark("reply-2");
        await Wait.UntilAsync(() => events.Marks.Contains("reply-2"), 1);
        var next = (await Receive(peer, 0.2)).Select(Header).ToList();
        Assert.True(next.Count >= 1 && next[0].Marker);
        session.Mark("reply-3");
        Assert.Contains("reply-3", events.Marks); // nothing queued: acked at once
    }

    [SippCapturesFact]
    public async Task Rfc4733_digits_from_the_debian_sipp_captures_reach_the_call_once_each()
    {
        var files = new[] { "1", "2", "3" }.Select(d => Path.Combine(PcapReader.SippDirectory, $"dtmf_2833_{d}.pcap")).ToArray();

        var peer = Socket();
        var events = new RecordingEvents();
        await using var session = Open();
        session.Start(Pcmu(peer), events);
        foreach (var file in files)
        {
            foreach (var datagram in PcapReader.ReadUdp(file))
            {
                await peer.SendToAsync(datagram.Payload, SocketFlags.None, LocalOf(session));
                await Task.Delay(5);
            }
        }

        await Wait.UntilAsync(() => events.Digits.Count == 3, 3);
        await Task.Delay(200);
        Assert.Equal("123", new string(events.Digits.Select(d => d.Digit).ToArray()));
        Assert.All(events.Digits, d => Assert.Equal("rfc4733", d.Source));
        Assert.Equal(3, session.Statistics.DigitsReceived);
    }

    [Fact]
    public async Task Without_telephone_event_dtmf_tones_in_the_audio_are_detected()
    {
        var peer = Socket();
        var events = new RecordingEvents();
        await using var session = Open();
        session.Start(Pcmu(peer) with { TelephoneEventPayloadType = null }, events);
        var pcm = DtmfToneGenerator.Generate("47", 8000, 100, 100);
        var payload = new byte[pcm.Length];
        G711.MuLawEncode(pcm, payload);
        ushort seq = 100;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var offset = 0; offset + 160 <= payload.Length; offset += 160)
        {
            await peer.SendToAsync(Packet(0, seq, (uint)(seq * 160), payload.AsSpan(offset, 160).ToArray(), marker: offset == 0), SocketFlags.None, LocalOf(session));
            seq++;
            var next = TimeSpan.FromMilliseconds(20 * (seq - 100)) - clock.Elapsed;
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next);
            }
        }

        await Wait.UntilAsync(() => events.Digits.Count >= 2, 5);
        Assert.Equal("47", new string(events.Digits.Select(d => d.Digit).ToArray()));
        Assert.All(events.Digits, d => Assert.Equal("inband", d.Source));
    }

    [Fact]
    public async Task Lost_packets_become_codec_silence_and_media_time_never_stops()
    {
        var peer = Socket();
        await WarmUpAsync(peer); // a cold process sends its first packets irregularly, and the jitter buffer adapts to that
        var events = new RecordingEvents();
        await using var session = Open();
        session.Start(Pcmu(peer), events);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (ushort seq = 1; seq <= 30; seq++)
        {
            if (seq is not (10 or 11))
            {
                await peer.SendToAsync(Packet(0, seq, seq * 160u, Frame(0x55).ToArray(), marker: seq == 1), SocketFlags.None, LocalOf(session));
            }

            var next = TimeSpan.FromMilliseconds(20 * seq) - clock.Elapsed; // an absolute schedule: delays do not add up
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next);
            }
        }

        // Wait until the jitter buffer has played what it will play: every packet in, then its largest delay and more
        // (its delay grows, and it drops frames to shrink it again, when the test's own sending is irregular).
        await Wait.UntilAsync(() => session.Statistics.PacketsReceived == 28, 3, "the 28 packets should arrive");
        await Task.Delay(new RtpSessionOptions().JitterMaxDelay + TimeSpan.FromMilliseconds(300));
        var elapsed = clock.ElapsedMilliseconds;
        await session.DisposeAsync(); // no more ticks: the statistics and the delivered frames are read at the same point
        var stats = session.Statistics;
        Assert.True(stats.PacketsLost == 2, stats.ToString());
        Assert.True(stats.FramesAudio is >= 20 and <= 28, stats.ToString()); // the jitter buffer may drop frames while it adapts to the test's timing
        Assert.Equal(stats.FramesDelivered - stats.FramesAudio, stats.FramesLost + stats.FramesEmpty); // holes are played as silence
        Assert.True(Math.Abs(stats.FramesDelivered * 20 - elapsed) < 100, $"{stats.FramesDelivered} frames in {elapsed} ms: one per 20 ms, whatever arrived");
        Assert.Equal(stats.FramesDelivered, events.Media.Count);
        Assert.All(events.Media, m => Assert.Equal(160, m.Length));
        Assert.Equal(stats.FramesDelivered - stats.FramesAudio, events.Media.Count(m => m.Span[0] == 0xFF));
    }

    [Fact]
    public async Task A_sender_report_goes_out_and_an_rtcp_bye_from_the_peer_ends_the_call()
    {
        var peer = Socket();
        var rtcp = Socket();
        var events = new RecordingEvents();
        await using var session = Open(new RtpSessionOptions { RemoteByeGrace = TimeSpan.FromMilliseconds(200) });
        session.Start(Pcmu(peer) with { RemoteRtcp = (IPEndPoint)rtcp.LocalEndPoint! }, events);
        for (ushort seq = 1; seq <= 10; seq++)
        {
            session.SendMedia(Frame(1));
            await peer.SendToAsync(Packet(0, seq, seq * 160u, marker: seq == 1), SocketFlags.None, LocalOf(session));
            await Task.Delay(20);
        }

        var buffer = new byte[1500];
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(6));
        RtcpSenderReport? report = null;
        while (report is null)
        {
            var received = await rtcp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), wait.Token);
            Assert.True(RtcpCompoundPacket.TryParse(buffer.AsSpan(0, received.ReceivedBytes), out var compound, out var error), error);
            report = compound!.SenderReports.FirstOrDefault();
            Assert.Contains(compound.Packets, p => p is RtcpSourceDescription);
        }

        Assert.Equal(session.Ssrc, report.Ssrc);
        Assert.Equal(10u, report.PacketCount);
        var block = Assert.Single(report.ReportBlocks);
        Assert.Equal(0x1234abcdu, block.Ssrc);

        var bye = new RtcpCompoundPacket([new RtcpReceiverReport(0x1234abcd, []), new RtcpBye([0x1234abcd], "hangup")]).ToArray();
        await rtcp.SendToAsync(bye, SocketFlags.None, new IPEndPoint(IPAddress.Loopback, session.LocalRtcpPort));
        await Wait.UntilAsync(() => events.RemoteByes.Count == 1, 2);
        Assert.Equal("hangup", events.RemoteByes.Single());
    }

    [Fact]
    public async Task Rfc4733_digits_are_sent_as_telephone_events_on_the_audio_stream()
    {
        var peer = Socket();
        await using var session = Open(new RtpSessionOptions { DtmfToneDuration = TimeSpan.FromMilliseconds(60) });
        session.Start(Pcmu(peer), new RecordingEvents());
        Assert.True(session.SendDigits("9"));
        // A 2 s window: the five packets take 60 ms on an idle machine, and nothing else is sent after them.
        var packets = (await Receive(peer, 2)).Select(p =>
        {
            Assert.True(RtpPacket.TryParse(p, out var packet, out _));
            Assert.True(TelephoneEvent.TryParse(packet.Payload, out var ev));
            return (packet.Header, ev);
        }).ToList();
        Assert.Equal(5, packets.Count); // 60 ms in 20 ms packets: start, update, end sent three times
        Assert.All(packets, p => Assert.Equal(101, p.Header.PayloadType));
        Assert.All(packets, p => Assert.Equal(9, p.ev.Event));
        Assert.True(packets[0].Header.Marker);
        Assert.Equal(3, packets.Count(p => p.ev.End));
        Assert.Single(packets.Select(p => p.Header.Timestamp).Distinct());
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>Runs the send and receive paths once (JIT, thread pool) on a throwaway session, so timed tests start warm.</summary>
    private async Task WarmUpAsync(Socket peer)
    {
        await using var session = Open();
        session.Start(Pcmu(peer), new RecordingEvents());
        for (ushort seq = 1; seq <= 10; seq++)
        {
            await peer.SendToAsync(Packet(0, seq, seq * 160u, marker: seq == 1), SocketFlags.None, LocalOf(session));
            await Task.Delay(20);
        }

        await Wait.UntilAsync(() => session.Statistics.FramesAudio > 0, 3, "the warm-up session should play audio");
    }

    private RtpSession Open(RtpSessionOptions? options = null) => RtpSession.Open(Ports, IPAddress.Loopback, options ?? new RtpSessionOptions());

    private Socket Socket()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _disposables.Add(socket);
        return socket;
    }

    private static IPEndPoint LocalOf(RtpSession session) => new(IPAddress.Loopback, session.LocalRtpPort);

    private static RtpMediaParameters Pcmu(Socket peer) => Parameters(MediaFormat.Pcmu8k, 0, peer);

    private static RtpMediaParameters Parameters(MediaFormat format, int payloadType, Socket peer) => new()
    {
        Format = format,
        RtpFormat = SdpAudioFormats.ToRtpPayloadFormat(format, payloadType),
        TelephoneEventPayloadType = 101,
        RemoteRtp = (IPEndPoint)peer.LocalEndPoint!,
        RemoteRtcp = new IPEndPoint(IPAddress.Loopback, 9),
    };

    private static ReadOnlyMemory<byte> Frame(byte fill)
    {
        var frame = new byte[160];
        frame.AsSpan().Fill(fill);
        return frame;
    }

    private static byte[] Packet(byte payloadType, ushort sequence, uint timestamp, byte[]? payload = null, bool marker = false)
    {
        payload ??= Frame(0xFF).ToArray();
        var bytes = new byte[RtpPacket.FixedHeaderSize + payload.Length];
        new RtpPacket(payloadType, sequence, timestamp, 0x1234abcd, marker, payload).Write(bytes);
        return bytes;
    }

    private static RtpHeader Header(byte[] datagram)
    {
        Assert.True(RtpPacket.TryParse(datagram, out var packet, out var error), error);
        return packet.Header;
    }

    private static void Queue(RtpSession session, int frames)
    {
        for (var i = 0; i < frames; i++)
        {
            session.SendMedia(Frame(0x10));
        }
    }

    private static async Task<List<byte[]>> Receive(Socket socket, double seconds)
    {
        var result = new List<byte[]>();
        var buffer = new byte[2048];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
                if (!RtpPacket.IsRtcp(buffer.AsSpan(0, received.ReceivedBytes)))
                {
                    result.Add(buffer.AsSpan(0, received.ReceivedBytes).ToArray());
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return result;
    }

    private static async Task<List<DateTime>> ReceiveTimed(Socket socket, double seconds)
    {
        var result = new List<DateTime>();
        var buffer = new byte[2048];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cts.Token);
                if (!RtpPacket.IsRtcp(buffer.AsSpan(0, received.ReceivedBytes)))
                {
                    result.Add(DateTime.UtcNow);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return result;
    }

    public void Dispose()
    {
        foreach (var d in _disposables)
        {
            d.Dispose();
        }
    }

    private sealed class RecordingEvents : IRtpSessionEvents
    {
        public ConcurrentQueue<ReadOnlyMemory<byte>> Media { get; } = new();

        public ConcurrentQueue<(char Digit, string Source)> Digits { get; } = new();

        public ConcurrentQueue<string> Marks { get; } = new();

        public ConcurrentQueue<string?> RemoteByes { get; } = new();

        public ConcurrentQueue<TimeSpan> Timeouts { get; } = new();

        public void OnMedia(ReadOnlyMemory<byte> payload) => Media.Enqueue(payload);

        public void OnDigit(char digit, string source) => Digits.Enqueue((digit, source));

        public void OnMarkReached(string name) => Marks.Enqueue(name);

        public void OnMediaTimeout(TimeSpan silentFor) => Timeouts.Enqueue(silentFor);

        public void OnRemoteBye(string? reason) => RemoteByes.Enqueue(reason);

        public void OnProblem(string kind, string detail)
        {
        }
    }
}

/// <summary>Skipped, with the reason, when Debian sipp's sample captures are not installed.</summary>
public sealed class SippCapturesFactAttribute : FactAttribute
{
    public SippCapturesFactAttribute()
    {
        if (!File.Exists(Path.Combine(PcapReader.SippDirectory, "dtmf_2833_1.pcap")))
        {
            Skip = "needs /usr/share/sip-tester/dtmf_2833_*.pcap (apt-get install -y --no-install-recommends sip-tester)";
        }
    }
}
