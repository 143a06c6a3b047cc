using System.Buffers.Binary;
using System.Text;

namespace AudioFlow.Telephony.Rtp;

/// <summary>
/// A compound RTCP packet (RFC 3550 §6.1): SR/RR, SDES, BYE and others back to back in one datagram.
/// <para>
/// <see cref="TryParse"/> never throws. It checks what RFC 3550 A.2 checks that matters for safety — version 2 on every
/// packet, each length inside the datagram, lengths adding up to the datagram, padding only within a packet's length —
/// but it does not insist that the first packet be SR/RR (reduced-size RTCP, RFC 5506, is accepted). Counts that do not
/// fit the packet length are errors. Unknown types are kept as <see cref="RtcpUnknownPacket"/>.
/// </para>
/// </summary>
public sealed class RtcpCompoundPacket
{
    /// <summary>A compound packet of <paramref name="packets"/>.</summary>
    public RtcpCompoundPacket(IReadOnlyList<RtcpPacket> packets)
    {
        ArgumentNullException.ThrowIfNull(packets);
        Packets = packets;
    }

    /// <summary>The packets in wire order.</summary>
    public IReadOnlyList<RtcpPacket> Packets { get; }

    /// <summary>The sender reports.</summary>
    public IEnumerable<RtcpSenderReport> SenderReports => Packets.OfType<RtcpSenderReport>();

    /// <summary>The receiver reports.</summary>
    public IEnumerable<RtcpReceiverReport> ReceiverReports => Packets.OfType<RtcpReceiverReport>();

    /// <summary>Every report block of every SR and RR, with the reporter's SSRC.</summary>
    public IEnumerable<(uint Reporter, RtcpReportBlock Block)> ReportBlocks =>
        Packets.SelectMany(p => p switch
        {
            RtcpSenderReport sr => sr.ReportBlocks.Select(b => (sr.Ssrc, b)),
            RtcpReceiverReport rr => rr.ReportBlocks.Select(b => (rr.Ssrc, b)),
            _ => [],
        });

    /// <summary>The BYE packets.</summary>
    public IEnumerable<RtcpBye> Byes => Packets.OfType<RtcpBye>();

    /// <summary>Total bytes <see cref="Write"/> produces.</summary>
    public int Length => Packets.Sum(p => p.Length);

    /// <summary>Writes all packets back to back; returns the bytes written.</summary>
    public int Write(Span<byte> destination)
    {
        int offset = 0;
        foreach (RtcpPacket packet in Packets)
        {
            offset += packet.Write(destination[offset..]);
        }

        return offset;
    }

    /// <summary>The packets as a new byte array.</summary>
    public byte[] ToArray()
    {
        var bytes = new byte[Length];
        Write(bytes);
        return bytes;
    }

    /// <summary>Parses a datagram. Never throws; on failure <paramref name="error"/> says why and nothing is returned.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out RtcpCompoundPacket? compound, out string error)
    {
        compound = null;
        if (datagram.Length < 4)
        {
            error = $"too short for RTCP ({datagram.Length} bytes)";
            return false;
        }

        var packets = new List<RtcpPacket>();
        int offset = 0;
        while (offset < datagram.Length)
        {
            ReadOnlySpan<byte> rest = datagram[offset..];
            if (rest.Length < 4)
            {
                error = $"{rest.Length} trailing bytes after packet {packets.Count}";
                return false;
            }

            int version = rest[0] >> 6;
            if (version != 2)
            {
                error = $"packet {packets.Count}: version {version}, expected 2";
                return false;
            }

            bool padding = (rest[0] & 0x20) != 0;
            int count = rest[0] & 0x1F;
            byte type = rest[1];
            int length = (BinaryPrimitives.ReadUInt16BigEndian(rest[2..]) + 1) * 4;
            if (length > rest.Length)
            {
                error = $"packet {packets.Count} (type {type}): length {length} exceeds the {rest.Length} bytes left";
                return false;
            }

            ReadOnlySpan<byte> body = rest[4..length];
            if (padding)
            {
                int pad = body.Length == 0 ? 0 : body[^1];
                if (pad == 0 || pad > body.Length)
                {
                    error = $"packet {packets.Count} (type {type}): bad padding count {pad}";
                    return false;
                }

                body = body[..^pad];
            }

            RtcpPacket? packet = type switch
            {
                RtcpPacketType.SenderReport => ParseSenderReport(body, count, out error),
                RtcpPacketType.ReceiverReport => ParseReceiverReport(body, count, out error),
                RtcpPacketType.SourceDescription => ParseSourceDescription(body, count, out error),
                RtcpPacketType.Bye => ParseBye(body, count, out error),
                _ => Unknown(type, count, body, out error),
            };

            if (packet is null)
            {
                error = $"packet {packets.Count} (type {type}): {error}";
                return false;
            }

            packets.Add(packet);
            offset += length;
        }

        compound = new RtcpCompoundPacket(packets);
        error = string.Empty;
        return true;
    }

    private static RtcpUnknownPacket Unknown(byte type, int count, ReadOnlySpan<byte> body, out string error)
    {
        error = string.Empty;
        return new RtcpUnknownPacket(type, (byte)count, body.ToArray());
    }

    private static RtcpSenderReport? ParseSenderReport(ReadOnlySpan<byte> body, int count, out string error)
    {
        if (body.Length < 24 + count * RtcpReportBlock.Size)
        {
            error = $"SR with {count} report blocks needs {24 + count * RtcpReportBlock.Size} bytes, has {body.Length}";
            return null;
        }

        error = string.Empty;
        return new RtcpSenderReport(
            BinaryPrimitives.ReadUInt32BigEndian(body),
            BinaryPrimitives.ReadUInt64BigEndian(body[4..]),
            BinaryPrimitives.ReadUInt32BigEndian(body[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(body[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(body[20..]),
            ReadBlocks(body[24..], count));
    }

    private static RtcpReceiverReport? ParseReceiverReport(ReadOnlySpan<byte> body, int count, out string error)
    {
        if (body.Length < 4 + count * RtcpReportBlock.Size)
        {
            error = $"RR with {count} report blocks needs {4 + count * RtcpReportBlock.Size} bytes, has {body.Length}";
            return null;
        }

        error = string.Empty;
        return new RtcpReceiverReport(BinaryPrimitives.ReadUInt32BigEndian(body), ReadBlocks(body[4..], count));
    }

    private static RtcpReportBlock[] ReadBlocks(ReadOnlySpan<byte> source, int count)
    {
        var blocks = new RtcpReportBlock[count];
        for (int i = 0; i < count; i++)
        {
            blocks[i] = RtcpReportBlock.Read(source.Slice(i * RtcpReportBlock.Size, RtcpReportBlock.Size));
        }

        return blocks;
    }

    private static RtcpSourceDescription? ParseSourceDescription(ReadOnlySpan<byte> body, int count, out string error)
    {
        var chunks = new List<RtcpSdesChunk>(count);
        int offset = 0;
        for (int c = 0; c < count; c++)
        {
            if (offset + 4 > body.Length)
            {
                error = $"SDES chunk {c} runs past the end";
                return null;
            }

            uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(body[offset..]);
            offset += 4;
            var items = new List<RtcpSdesItem>();
            while (true)
            {
                if (offset >= body.Length)
                {
                    error = $"SDES chunk {c} has no terminating null item";
                    return null;
                }

                byte itemType = body[offset];
                if (itemType == 0)
                {
                    // Terminator, then padding to the next 32-bit boundary.
                    offset = (offset + 4) & ~3;
                    break;
                }

                if (offset + 2 > body.Length || offset + 2 + body[offset + 1] > body.Length)
                {
                    error = $"SDES item in chunk {c} runs past the end";
                    return null;
                }

                int length = body[offset + 1];
                items.Add(new RtcpSdesItem(itemType, Encoding.UTF8.GetString(body.Slice(offset + 2, length))));
                offset += 2 + length;
            }

            chunks.Add(new RtcpSdesChunk(ssrc, items));
        }

        error = string.Empty;
        return new RtcpSourceDescription(chunks);
    }

    private static RtcpBye? ParseBye(ReadOnlySpan<byte> body, int count, out string error)
    {
        if (body.Length < count * 4)
        {
            error = $"BYE with {count} sources needs {count * 4} bytes, has {body.Length}";
            return null;
        }

        var ssrcs = new uint[count];
        for (int i = 0; i < count; i++)
        {
            ssrcs[i] = BinaryPrimitives.ReadUInt32BigEndian(body[(i * 4)..]);
        }

        string? reason = null;
        int offset = count * 4;
        if (offset < body.Length)
        {
            int length = body[offset];
            if (offset + 1 + length > body.Length)
            {
                error = "BYE reason runs past the end";
                return null;
            }

            reason = Encoding.UTF8.GetString(body.Slice(offset + 1, length));
        }

        error = string.Empty;
        return new RtcpBye(ssrcs, reason);
    }
}
