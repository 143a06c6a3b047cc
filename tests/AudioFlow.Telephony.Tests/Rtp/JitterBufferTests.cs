using AudioFlow.Telephony.Rtp;
using Xunit;
using Xunit.Abstractions;
using static AudioFlow.Telephony.Tests.Rtp.JitterSimulation;

namespace AudioFlow.Telephony.Tests.Rtp;

public sealed class JitterBufferTests(ITestOutputHelper output)
{
    /// <summary>What <see cref="IndexOf"/> reads from a silent (0xFF) frame.</summary>
    private const int Silence = 4095;

    private static JitterBufferStatistics Stats(JitterBuffer buffer) => buffer.Statistics;

    [Fact]
    public void Before_any_packet_every_pull_is_empty()
    {
        var buffer = new JitterBuffer();
        for (int i = 0; i < 5; i++)
        {
            JitterBufferFrame frame = buffer.Pull();
            Assert.Equal(JitterBufferFrameKind.Empty, frame.Kind);
            Assert.True(frame.Payload.IsEmpty);
        }
    }

    [Fact]
    public void In_order_stream_plays_every_packet_once_in_order_after_the_initial_delay()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(100);
        List<Pulled> pulled = Run(buffer, Network(sent, seed: 1), endMs: 2600);

        Assert.Equal(Enumerable.Range(0, 100), AudioIndexes(pulled));
        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(0, stats.FramesLost);
        Assert.Equal(0, stats.Duplicates + stats.Late + stats.Reordered + stats.PacketsLost);
        Assert.Equal(100, stats.FramesAudio);

        // Audio is contiguous: no empty frame between the first and the last audio frame.
        int first = pulled.FindIndex(p => p.Frame.Kind == JitterBufferFrameKind.Audio);
        int last = pulled.FindLastIndex(p => p.Frame.Kind == JitterBufferFrameKind.Audio);
        Assert.Equal(99, last - first);

        // Played about the target (40 ms) after arrival: 30 ms network + 40 ms buffer + < 1 frame of timer phase.
        double firstLatency = pulled[first].TimeMs - sent[0].SendMs;
        Assert.InRange(firstLatency, 70, 91);

        // Timestamps and sequence numbers of the frames are the packets'.
        JitterBufferFrame f = pulled[first + 5].Frame;
        Assert.Equal(sent[5].Timestamp, f.Timestamp);
        Assert.Equal(sent[5].Sequence, f.Sequence);
        Assert.Equal(0, f.PayloadType);
    }

    [Fact]
    public void Reordered_packets_within_the_window_are_played_in_order()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(200);
        // Every 7th packet is overtaken by its successor (10 ms extra delay on a 20 ms spacing).
        List<Delivered> delivered = Network(sent, seed: 2, extraDelayMs: p => p.Index % 7 == 3 ? 25 : 0);
        List<Pulled> pulled = Run(buffer, delivered, endMs: 4600);

        Assert.Equal(Enumerable.Range(0, 200), AudioIndexes(pulled));
        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(sent.Count(p => p.Index % 7 == 3 && p.Index < 199), stats.Reordered);
        Assert.Equal(0, stats.FramesLost);
        Assert.Equal(0, stats.Late);
    }

    [Fact]
    public void Duplicates_are_dropped_and_counted()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(150);
        List<Delivered> delivered = Network(sent, seed: 3);
        // Every 10th packet arrives twice, the copy 5 ms later; one packet three times.
        delivered.AddRange(sent.Where(p => p.Index % 10 == 0).Select(p => new Delivered(p.SendMs + 35, p)));
        delivered.Add(new Delivered(sent[77].SendMs + 36, sent[77]));
        delivered.Add(new Delivered(sent[77].SendMs + 37, sent[77]));
        List<Pulled> pulled = Run(buffer, delivered, endMs: 3500);

        Assert.Equal(Enumerable.Range(0, 150), AudioIndexes(pulled));
        Assert.Equal(15 + 2, Stats(buffer).Duplicates);
        Assert.Equal(0, Stats(buffer).FramesLost);
    }

    [Fact]
    public void A_packet_arriving_after_its_frame_was_played_is_late_and_its_frame_lost()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(150);
        // Packet 100 (after warm-up) is held 400 ms: beyond the maximum delay.
        List<Delivered> delivered = Network(sent, seed: 4, extraDelayMs: p => p.Index == 100 ? 400 : 0);
        List<Pulled> pulled = Run(buffer, delivered, endMs: 3800);

        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(1, stats.Late);
        Assert.Equal(1, stats.FramesLost + stats.FramesSkipped);
        Assert.Equal(0, stats.PacketsLost); // it did arrive
        Assert.Equal(Enumerable.Range(0, 150).Where(i => i != 100), AudioIndexes(pulled));
    }

    [Fact]
    public void Missing_packets_become_lost_frames_exactly()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(200);
        int[] dropped = [20, 60, 61, 120, 150, 151, 152];
        List<Delivered> delivered = Network(sent, seed: 5, drop: p => dropped.Contains(p.Index));
        List<Pulled> pulled = Run(buffer, delivered, endMs: 4600);

        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(dropped.Length, stats.PacketsLost);
        Assert.Equal(dropped.Length, stats.FramesLost + stats.FramesSkipped);
        Assert.Equal(0, stats.Late);
        Assert.Equal(Enumerable.Range(0, 200).Except(dropped), AudioIndexes(pulled));

        // Each Lost frame names the timestamp of the missing audio.
        foreach (Pulled lost in pulled.Where(p => p.Frame.Kind == JitterBufferFrameKind.Lost))
        {
            Assert.Contains(sent.Where(p => dropped.Contains(p.Index)), p => p.Timestamp == lost.Frame.Timestamp && p.Sequence == lost.Frame.Sequence);
        }
    }

    [Fact]
    public void Sequence_number_wrap_is_seamless()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(120, firstSequence: 65500);
        List<Delivered> delivered = Network(sent, seed: 6, extraDelayMs: p => p.Sequence == 0 ? 25 : 0); // 0 overtaken by 1
        List<Pulled> pulled = Run(buffer, delivered, endMs: 2900);

        Assert.Equal(Enumerable.Range(0, 120), AudioIndexes(pulled));
        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(0, stats.FramesLost + stats.Duplicates + stats.Late + stats.PacketsLost);
        Assert.Equal(1, stats.Reordered);
        Assert.Equal(65500u + 119, buffer.SourceStatistics.ExtendedHighestSequence); // one cycle: 65536 + 83
    }

    [Fact]
    public void Timestamp_wrap_is_seamless()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(120, firstTimestamp: uint.MaxValue - 160 * 50 + 1);
        List<Pulled> pulled = Run(buffer, Network(sent, seed: 7, jitterMs: _ => 15), endMs: 2900);

        Assert.Equal(Enumerable.Range(0, 120), AudioIndexes(pulled));
        Assert.Equal(0, Stats(buffer).FramesLost + Stats(buffer).Late);
        List<uint> timestamps = pulled.Where(p => p.Frame.Kind == JitterBufferFrameKind.Audio).Select(p => p.Frame.Timestamp).ToList();
        Assert.Equal(sent.Select(p => p.Timestamp), timestamps);
        Assert.Contains(0u, timestamps);
    }

    [Fact]
    public void Ssrc_change_starts_the_new_stream_fresh_and_drops_stragglers_of_the_old()
    {
        var buffer = new JitterBuffer();
        List<Sent> first = Stream(60, firstSequence: 100, firstTimestamp: 5000, ssrc: 0xAAAA0001);
        List<Sent> second = Stream(60, firstSequence: 40000, firstTimestamp: 3_000_000_000, ssrc: 0xBBBB0002, startMs: 1200, firstIndex: 60);
        List<Delivered> delivered = Network(first.Concat(second), seed: 8);
        delivered.Add(new Delivered(1235, first[59])); // a straggler of the old stream after the switch (a duplicate)
        List<Pulled> pulled = Run(buffer, delivered, endMs: 2800);

        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(1, stats.SsrcChanges);
        Assert.Equal(1, stats.Late);
        Assert.Equal(0, stats.FramesLost);
        Assert.Equal(0xBBBB0002u, buffer.Ssrc);
        Assert.Equal(Enumerable.Range(0, 120), AudioIndexes(pulled));
    }

    [Theory]
    [InlineData(10)]
    [InlineData(30)]
    public void Packets_of_other_durations_are_rechunked_into_20_ms_frames(int ptimeMs)
    {
        var buffer = new JitterBuffer();
        int packets = 6000 / ptimeMs; // 6 s
        List<Sent> sent = Stream(packets, ptimeMs: ptimeMs);
        List<Pulled> pulled = Run(buffer, Network(sent, seed: 9, jitterMs: _ => 10), endMs: 6500);

        byte[] expected = sent.SelectMany(p => { RtpPacket.TryParse(p.Datagram, out RtpPacket r, out _); return r.Payload.ToArray(); }).ToArray();
        Assert.Equal(expected, AudioBytes(pulled));
        Assert.All(pulled.Where(p => p.Frame.Kind == JitterBufferFrameKind.Audio), p => Assert.Equal(160, p.Frame.Payload.Length));
        Assert.Equal(300, Stats(buffer).FramesAudio);
        Assert.Equal(0, Stats(buffer).FramesLost);
    }

    [Fact]
    public void A_lost_30_ms_packet_costs_exactly_one_lost_frame()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(200, ptimeMs: 30);
        int[] dropped = [70, 101, 150]; // after warm-up, isolated; both frame alignments (even and odd packet)
        List<Pulled> pulled = Run(buffer, Network(sent, seed: 10, drop: p => dropped.Contains(p.Index)), endMs: 6400);

        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(3, stats.PacketsLost);
        Assert.Equal(3, stats.FramesLost + stats.FramesSkipped);
        Assert.Equal(300 - 3, stats.FramesAudio); // the half-covered frames play, silence-filled
    }

    [Fact]
    public void Sender_silence_with_timestamp_jump_is_not_loss_and_does_not_add_delay()
    {
        var buffer = new JitterBuffer();
        List<Sent> talk1 = Stream(50);
        // 2 s of DTX: no packets, sequence numbers continue, timestamps jump by the silence.
        List<Sent> talk2 = Stream(50, firstSequence: 1050, firstTimestamp: 50 * 160 + 16000, startMs: 3000, firstIndex: 50);
        List<Pulled> pulled = Run(buffer, Network(talk1.Concat(talk2), seed: 11), endMs: 4500);

        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(0, stats.FramesLost + stats.FramesSkipped + stats.PacketsLost);
        Assert.Equal(Enumerable.Range(0, 100), AudioIndexes(pulled));
        double resumedAt = pulled.First(p => p.Frame.Kind == JitterBufferFrameKind.Audio && IndexOf(p.Frame.Payload.Span) == 50).TimeMs;
        Assert.InRange(resumedAt - 3000, 30, 30 + 40 + 21); // network + target + timer phase
    }

    [Fact]
    public void Telephone_events_in_the_audio_sequence_space_are_not_loss()
    {
        var buffer = new JitterBuffer();
        List<Sent> talk1 = Stream(60);
        var events = new List<Sent>();
        for (int i = 0; i < 10; i++)
        {
            var ev = new RtpPacket(101, (ushort)(1060 + i), 60 * 160, 0x5EED0001, i == 0, [1, 10, 0, (byte)(i * 8)]);
            var bytes = new byte[ev.SerializedLength];
            ev.Write(bytes);
            events.Add(new Sent(1200 + i * 20, bytes, -1, ev.SequenceNumber, ev.Timestamp, ev.Ssrc));
        }

        List<Sent> talk2 = Stream(60, firstSequence: 1070, firstTimestamp: 70 * 160, startMs: 1400, firstIndex: 60);
        List<Pulled> pulled = Run(buffer, Network(talk1.Concat(events).Concat(talk2), seed: 12), endMs: 2900);

        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(0, stats.FramesLost + stats.FramesSkipped + stats.PacketsLost);
        Assert.Equal(10, stats.NonAudio);
        Assert.Equal(Enumerable.Range(0, 120), AudioIndexes(pulled));
    }

    [Fact]
    public void Telephone_events_on_their_own_ssrc_do_not_disturb_the_audio()
    {
        var buffer = new JitterBuffer();
        List<Sent> audio = Stream(100);
        var events = new List<Sent>();
        for (int i = 0; i < 10; i++)
        {
            var ev = new RtpPacket(101, (ushort)(7984 + i), 13280, 0x0E05384E, i == 0, [1, 10, 0, (byte)(i * 8)]);
            var bytes = new byte[ev.SerializedLength];
            ev.Write(bytes);
            events.Add(new Sent(600 + i * 20, bytes, -1, ev.SequenceNumber, ev.Timestamp, ev.Ssrc));
        }

        List<Pulled> pulled = Run(buffer, Network(audio.Concat(events), seed: 13), endMs: 2500);
        Assert.Equal(Enumerable.Range(0, 100), AudioIndexes(pulled));
        Assert.Equal(0, Stats(buffer).SsrcChanges);
        Assert.Equal(10, Stats(buffer).NonAudio);
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    [InlineData(24)]
    [InlineData(25)]
    public void Target_grows_under_jitter_and_shrinks_after_without_losing_a_frame(int seed)
    {
        var buffer = new JitterBuffer();
        // 40 s of talk and silence alternating every second; 100 ms of jitter for the first 12 s, then 4 ms.
        List<Sent> sent = Stream(2000, silent: i => i / 50 % 2 == 1);
        List<Delivered> delivered = Network(sent, seed, baseDelayMs: 20, jitterMs: t => t < 12_000 ? 100 : 4);
        List<Pulled> pulled = Run(buffer, delivered, endMs: 40_400);

        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(0, stats.FramesLost);
        Assert.Equal(0, stats.Late);
        Assert.Equal(0, stats.PacketsLost);
        Assert.True(stats.Reordered > 50, $"the network reordered only {stats.Reordered}");

        TimeSpan targetUnderJitter = pulled.Where(p => p.TimeMs is > 5_000 and < 12_000).Max(p => p.TargetDelay);
        Assert.InRange(targetUnderJitter.TotalMilliseconds, 100, 200);
        Pulled nearEnd = pulled.Last(p => p.TimeMs < 39_500); // before the stream ends (then it underruns)
        Assert.InRange(nearEnd.TargetDelay.TotalMilliseconds, 40, 45);
        Assert.True(nearEnd.CurrentDelay.TotalMilliseconds <= 80, $"delay stayed at {nearEnd.CurrentDelay}");
        Assert.True(stats.FramesInserted > 0);
        Assert.True(stats.FramesDropped > 0);
        Assert.True(stats.Jitter < TimeSpan.FromMilliseconds(5), $"jitter estimate {stats.Jitter}");

        // Every loud packet was played, in order (silent frames may be dropped to shrink the delay).
        List<int> loud = Enumerable.Range(0, 2000).Where(i => i / 50 % 2 == 0).ToList();
        Assert.Equal(loud, AudioIndexes(pulled).Where(i => i != Silence));
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    public void Random_loss_under_jitter_is_accounted_exactly(int seed)
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(1500, silent: i => i / 40 % 3 == 2);
        var random = new Random(seed);
        // Not the first packet: loss before the first one received cannot be known (RFC 3550 counts from it).
        var dropped = new HashSet<int>(sent.Where(p => p.Index is > 0 and < 1490 && random.NextDouble() < 0.04).Select(p => p.Index));
        List<Delivered> delivered = Network(sent, seed, jitterMs: _ => 60, drop: p => dropped.Contains(p.Index), duplicateProbability: 0.02);
        List<Pulled> pulled = Run(buffer, delivered, endMs: 31_000);

        JitterBufferStatistics stats = Stats(buffer);
        Assert.True(dropped.Count > 30);
        Assert.Equal(dropped.Count, stats.PacketsLost);
        Assert.Equal(0, stats.Late);
        Assert.Equal(dropped.Count, stats.FramesLost + stats.FramesSkipped);
        Assert.True(stats.Duplicates > 10);
        List<int> expectedLoud = Enumerable.Range(0, 1500).Where(i => i / 40 % 3 != 2 && !dropped.Contains(i)).ToList();
        Assert.Equal(expectedLoud, AudioIndexes(pulled).Where(i => i != Silence));
    }

    [Theory]
    [InlineData(41, 170)]
    [InlineData(42, 170)]
    [InlineData(43, 150)]
    public void Jitter_just_below_the_maximum_loses_nothing(int seed, double jitterMs)
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(1000, silent: i => i / 50 % 2 == 1);
        List<Pulled> pulled = Run(buffer, Network(sent, seed, baseDelayMs: 20, jitterMs: _ => jitterMs), endMs: 20_400);

        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(0, stats.FramesLost + stats.FramesSkipped + stats.Late + stats.PacketsLost);
        Assert.InRange(pulled.Where(p => p.TimeMs > 5000).Max(p => p.TargetDelay.TotalMilliseconds), jitterMs, 200);
        Assert.Equal(Enumerable.Range(0, 1000).Where(i => i / 50 % 2 == 0), AudioIndexes(pulled).Where(i => i != Silence));
    }

    [Fact]
    public void Playout_waits_for_the_talkspurt_start_when_it_is_overtaken()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(100);
        // The first packet (marker bit) arrives 70 ms late, after three of its successors.
        List<Pulled> pulled = Run(buffer, Network(sent, seed: 15, extraDelayMs: p => p.Index == 0 ? 70 : 0), endMs: 2600);

        Assert.Equal(Enumerable.Range(0, 100), AudioIndexes(pulled));
        Assert.Equal(0, Stats(buffer).Late + Stats(buffer).FramesLost);
    }

    [Fact]
    public void Without_a_marker_the_start_waits_for_the_maximum_delay()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(100).Skip(1).ToList(); // the marked first packet never arrives
        List<Pulled> pulled = Run(buffer, Network(sent, seed: 16), endMs: 2600);
        double first = pulled.First(p => p.Frame.Kind == JitterBufferFrameKind.Audio).TimeMs;
        Assert.InRange(first - sent[0].SendMs, 30 + 200, 30 + 200 + 21);
        Assert.Equal(Enumerable.Range(1, 99), AudioIndexes(pulled));
    }

    [Fact]
    public void Timestamp_restart_of_the_same_source_is_spliced_without_loss()
    {
        var buffer = new JitterBuffer();
        List<Sent> before = Stream(60, firstSequence: 100, firstTimestamp: 800_000);
        List<Sent> after = Stream(60, firstSequence: 160, firstTimestamp: 0, startMs: 1200, firstIndex: 60); // seq continues, ts restarts
        List<Pulled> pulled = Run(buffer, Network(before.Concat(after), seed: 17), endMs: 2800);

        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(1, stats.Resyncs);
        Assert.Equal(0, stats.FramesLost + stats.Late + stats.PacketsLost);
        Assert.Equal(Enumerable.Range(0, 120), AudioIndexes(pulled));
        Assert.Equal(after.Select(p => p.Timestamp), pulled.Where(p => p.Frame.Kind == JitterBufferFrameKind.Audio).Skip(60).Select(p => p.Frame.Timestamp));
    }

    [Fact]
    public void Sequence_restart_of_the_same_source_is_confirmed_by_the_next_packet()
    {
        var buffer = new JitterBuffer();
        List<Sent> before = Stream(60, firstSequence: 100);
        List<Sent> after = Stream(60, firstSequence: 30_000, firstTimestamp: 60 * 160, startMs: 1200, firstIndex: 60);
        List<Pulled> pulled = Run(buffer, Network(before.Concat(after), seed: 18), endMs: 2800);

        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(1, stats.Resyncs);
        Assert.Equal(1, stats.Late); // RFC 3550 A.1 drops the first packet after the jump
        Assert.Equal(0, stats.PacketsLost);
        Assert.Equal(Enumerable.Range(0, 120).Where(i => i != 60), AudioIndexes(pulled));
    }

    [Fact]
    public void Underrun_outputs_empty_frames_and_resumes_without_loss()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(150);
        // A 300 ms network stall after packet 80: packets 80-94 are held and then arrive in a burst.
        List<Delivered> delivered = Network(sent, seed: 14, extraDelayMs: p => p.Index is >= 80 and < 95 ? 300 - (p.Index - 80) * 20 : 0);
        List<Pulled> pulled = Run(buffer, delivered, endMs: 3800);

        JitterBufferStatistics stats = Stats(buffer);
        Assert.Equal(0, stats.FramesLost + stats.Late + stats.PacketsLost);
        Assert.True(stats.Underruns >= 1);
        Assert.Equal(Enumerable.Range(0, 150), AudioIndexes(pulled));
    }

    [Fact]
    public void Real_g711a_capture_with_30_ms_packets_plays_byte_exact()
    {
        string path = Path.Combine(PcapReader.SippDirectory, "g711a.pcap");
        if (!File.Exists(path))
        {
            output.WriteLine($"SKIPPED: {path} absent (apt-get install -y sip-tester)");
            return;
        }

        var buffer = new JitterBuffer(new JitterBufferOptions { Format = RtpPayloadFormat.Pcma });
        var payloads = new List<byte>();
        var frames = new List<JitterBufferFrame>();
        List<PcapReader.UdpDatagram> datagrams = PcapReader.ReadUdp(path);
        TimeSpan origin = datagrams[0].Time;
        int next = 0;
        for (TimeSpan now = TimeSpan.FromMilliseconds(5); now < datagrams[^1].Time - origin + TimeSpan.FromSeconds(1); now += TimeSpan.FromMilliseconds(20))
        {
            while (next < datagrams.Count && datagrams[next].Time - origin <= now)
            {
                Assert.True(RtpPacket.TryParse(datagrams[next].Payload, out RtpPacket packet, out _));
                payloads.AddRange(packet.Payload.ToArray());
                buffer.Push(packet, datagrams[next].Time - origin);
                next++;
            }

            frames.Add(buffer.Pull());
        }

        byte[] played = frames.Where(f => f.Kind == JitterBufferFrameKind.Audio).SelectMany(f => f.Payload.ToArray()).ToArray();
        JitterBufferStatistics stats = buffer.Statistics;
        Assert.Equal(0, stats.FramesLost + stats.Late + stats.PacketsLost);
        // Silent frames may be dropped to shrink the delay; everything played is the capture's audio, in order.
        Assert.Equal(payloads.Count, played.Length + stats.FramesDropped * 160);
        if (stats.FramesDropped == 0)
        {
            Assert.Equal(payloads.ToArray(), played);
        }
    }

    [Fact]
    public void Shared_pcmu_capture_plays_the_source_audio()
    {
        string? path = PcapReader.FindShared("sip/audio/hello_pcmu.pcap");
        string? raw = PcapReader.FindShared("sip/audio/hello.ul");
        if (path is null || raw is null)
        {
            output.WriteLine("SKIPPED: ../shared/sip/audio/hello_pcmu.pcap or hello.ul absent");
            return;
        }

        var buffer = new JitterBuffer(new JitterBufferOptions { SilenceDetector = _ => false });
        List<PcapReader.UdpDatagram> datagrams = PcapReader.ReadUdp(path);
        var played = new List<byte>();
        double t = 0;
        foreach (PcapReader.UdpDatagram datagram in datagrams)
        {
            // The capture has no meaningful times: replay it at 20 ms per packet, pulling on the same clock.
            Assert.True(RtpPacket.TryParse(datagram.Payload, out RtpPacket packet, out _));
            buffer.Push(packet, TimeSpan.FromMilliseconds(t));
            JitterBufferFrame frame = buffer.Pull();
            if (frame.Kind == JitterBufferFrameKind.Audio)
            {
                played.AddRange(frame.Payload.ToArray());
            }

            t += 20;
        }

        for (int i = 0; i < 20; i++)
        {
            JitterBufferFrame frame = buffer.Pull();
            if (frame.Kind == JitterBufferFrameKind.Audio)
            {
                played.AddRange(frame.Payload.ToArray());
            }
        }

        byte[] source = File.ReadAllBytes(raw);
        Assert.Equal(datagrams.Count * 160, played.Count);
        Assert.Equal(source, played.Take(source.Length));
    }
}
