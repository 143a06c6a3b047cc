using AudioFlow.Telephony.Rtp;

namespace AudioFlow.Telephony.Tests.Rtp;

/// <summary>
/// A deterministic simulation of a sender, a network and the transport's 20 ms timer around a <see cref="JitterBuffer"/>:
/// no real time, no sockets. The sender produces packets at send times; the network model (seeded) assigns each an
/// arrival time or drops it; the simulated timer pulls one frame every 20 ms after delivering everything that arrived.
/// </summary>
internal static class JitterSimulation
{
    /// <summary>A packet as sent: send time, datagram, and the index the test gave it.</summary>
    internal sealed record Sent(double SendMs, byte[] Datagram, int Index, ushort Sequence, uint Timestamp, uint Ssrc);

    /// <summary>A packet as delivered.</summary>
    internal sealed record Delivered(double ArrivalMs, Sent Packet);

    /// <summary>One pull: its time and the frame it returned.</summary>
    internal sealed record Pulled(double TimeMs, JitterBufferFrame Frame, TimeSpan TargetDelay, TimeSpan CurrentDelay);

    /// <summary>A loud µ-law byte (|x| ≥ 1980): 0x00-0x3F.</summary>
    internal static byte Loud(int value) => (byte)(value & 0x3F);

    /// <summary>
    /// A PCMU stream of <paramref name="count"/> packets of <paramref name="ptimeMs"/>: payloads are loud and carry their
    /// index in the first two bytes (6 bits each) unless <paramref name="silent"/> says the packet is silence (0xFF).
    /// </summary>
    internal static List<Sent> Stream(
        int count,
        int ptimeMs = 20,
        ushort firstSequence = 1000,
        uint firstTimestamp = 0,
        uint ssrc = 0x5EED0001,
        double startMs = 0,
        Func<int, bool>? silent = null,
        int firstIndex = 0)
    {
        int bytes = ptimeMs * 8;
        var packets = new List<Sent>(count);
        for (int i = 0; i < count; i++)
        {
            int index = firstIndex + i;
            var payload = new byte[bytes];
            if (silent?.Invoke(index) == true)
            {
                payload.AsSpan().Fill(0xFF);
            }
            else
            {
                payload.AsSpan().Fill(0x20);
                payload[0] = Loud(index >> 6);
                payload[1] = Loud(index);
            }

            ushort seq = (ushort)(firstSequence + i);
            uint ts = firstTimestamp + (uint)(i * bytes);
            var packet = new RtpPacket(0, seq, ts, ssrc, marker: i == 0, payload);
            var datagram = new byte[packet.SerializedLength];
            packet.Write(datagram);
            packets.Add(new Sent(startMs + i * ptimeMs, datagram, index, seq, ts, ssrc));
        }

        return packets;
    }

    /// <summary>Decodes the index the stream wrote into a 20 ms frame of a 20 ms packet.</summary>
    internal static int IndexOf(ReadOnlySpan<byte> payload) => ((payload[0] & 0x3F) << 6) | (payload[1] & 0x3F);

    /// <summary>
    /// The network: each packet is delayed by <paramref name="baseDelayMs"/> plus a uniform jitter in
    /// [0, <paramref name="jitterMs"/>(sendMs)), dropped with <paramref name="lossProbability"/> or when <paramref name="drop"/>
    /// says so, and duplicated with <paramref name="duplicateProbability"/> (the copy arrives up to 30 ms later).
    /// </summary>
    internal static List<Delivered> Network(
        IEnumerable<Sent> packets,
        int seed,
        double baseDelayMs = 30,
        Func<double, double>? jitterMs = null,
        double lossProbability = 0,
        Func<Sent, bool>? drop = null,
        double duplicateProbability = 0,
        Func<Sent, double>? extraDelayMs = null)
    {
        var random = new Random(seed);
        var delivered = new List<Delivered>();
        foreach (Sent packet in packets)
        {
            double jitter = jitterMs?.Invoke(packet.SendMs) ?? 0;
            double delay = baseDelayMs + random.NextDouble() * jitter + (extraDelayMs?.Invoke(packet) ?? 0);
            bool lost = random.NextDouble() < lossProbability;
            bool duplicate = random.NextDouble() < duplicateProbability;
            double duplicateDelay = random.NextDouble() * 30;
            if (lost || drop?.Invoke(packet) == true)
            {
                continue;
            }

            delivered.Add(new Delivered(packet.SendMs + delay, packet));
            if (duplicate)
            {
                delivered.Add(new Delivered(packet.SendMs + delay + duplicateDelay, packet));
            }
        }

        return delivered;
    }

    /// <summary>
    /// Runs the timer: pulls every 20 ms from <paramref name="firstPullMs"/> until <paramref name="endMs"/>, delivering before
    /// each pull every packet that arrived by then (in arrival order).
    /// </summary>
    internal static List<Pulled> Run(JitterBuffer buffer, IEnumerable<Delivered> deliveries, double endMs, double firstPullMs = 7)
    {
        List<Delivered> ordered = deliveries.OrderBy(d => d.ArrivalMs).ToList();
        var pulled = new List<Pulled>();
        int next = 0;
        for (double t = firstPullMs; t <= endMs; t += 20)
        {
            while (next < ordered.Count && ordered[next].ArrivalMs <= t)
            {
                Delivered d = ordered[next++];
                if (!RtpPacket.TryParse(d.Packet.Datagram, out RtpPacket packet, out string error))
                {
                    throw new InvalidOperationException(error);
                }

                buffer.Push(packet, TimeSpan.FromMilliseconds(d.ArrivalMs));
            }

            JitterBufferFrame frame = buffer.Pull();
            pulled.Add(new Pulled(t, frame, buffer.TargetDelay, buffer.CurrentDelay));
        }

        return pulled;
    }

    /// <summary>The audio frames' indexes, for 20 ms packets.</summary>
    internal static List<int> AudioIndexes(IEnumerable<Pulled> pulled) =>
        pulled.Where(p => p.Frame.Kind == JitterBufferFrameKind.Audio).Select(p => IndexOf(p.Frame.Payload.Span)).ToList();

    /// <summary>Concatenated audio payload bytes.</summary>
    internal static byte[] AudioBytes(IEnumerable<Pulled> pulled) =>
        pulled.Where(p => p.Frame.Kind == JitterBufferFrameKind.Audio).SelectMany(p => p.Frame.Payload.ToArray()).ToArray();
}
