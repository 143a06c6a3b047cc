using System.Buffers.Binary;
using System.Text;

namespace AudioFlow.Telephony.Rtp;

/// <summary>RTCP packet types (RFC 3550 §12.1, RFC 4585, RFC 3611).</summary>
public static class RtcpPacketType
{
    /// <summary>Sender report.</summary>
    public const byte SenderReport = 200;

    /// <summary>Receiver report.</summary>
    public const byte ReceiverReport = 201;

    /// <summary>Source description.</summary>
    public const byte SourceDescription = 202;

    /// <summary>Goodbye.</summary>
    public const byte Bye = 203;

    /// <summary>Application-defined.</summary>
    public const byte App = 204;
}

/// <summary>
/// One reception report block (RFC 3550 §6.4.1), 24 bytes: about one source we receive.
/// </summary>
/// <param name="Ssrc">The source this block reports on.</param>
/// <param name="FractionLost">Packets lost since the previous report, as a fixed-point fraction ×256.</param>
/// <param name="CumulativeLost">Packets lost since the start, 24-bit signed (negative with duplicates).</param>
/// <param name="ExtendedHighestSequence">Cycles (high 16 bits) and highest sequence number received.</param>
/// <param name="Jitter">Interarrival jitter in timestamp units.</param>
/// <param name="LastSenderReport">Middle 32 bits of the NTP timestamp of the last SR received from the source, or 0.</param>
/// <param name="DelaySinceLastSenderReport">Delay since that SR in 1/65536 s, or 0.</param>
public readonly record struct RtcpReportBlock(
    uint Ssrc,
    byte FractionLost,
    int CumulativeLost,
    uint ExtendedHighestSequence,
    uint Jitter,
    uint LastSenderReport,
    uint DelaySinceLastSenderReport)
{
    /// <summary>Bytes on the wire.</summary>
    public const int Size = 24;

    /// <summary>Largest cumulative loss the 24-bit field holds.</summary>
    public const int MaxCumulativeLost = 0x7FFFFF;

    /// <summary>Smallest (most negative) cumulative loss the 24-bit field holds.</summary>
    public const int MinCumulativeLost = -0x800000;

    /// <summary>Fraction lost as a ratio 0..1.</summary>
    public double FractionLostRatio => FractionLost / 256.0;

    internal void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ssrc);
        int lost = Math.Clamp(CumulativeLost, MinCumulativeLost, MaxCumulativeLost);
        destination[4] = FractionLost;
        destination[5] = (byte)(lost >> 16);
        destination[6] = (byte)(lost >> 8);
        destination[7] = (byte)lost;
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ExtendedHighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], DelaySinceLastSenderReport);
    }

    internal static RtcpReportBlock Read(ReadOnlySpan<byte> source)
    {
        int lost = (source[5] << 16) | (source[6] << 8) | source[7];
        if ((lost & 0x800000) != 0)
        {
            lost |= unchecked((int)0xFF000000);
        }

        return new RtcpReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(source),
            source[4],
            lost,
            BinaryPrimitives.ReadUInt32BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[16..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[20..]));
    }
}

/// <summary>One packet of a compound RTCP packet. <see cref="Length"/> is always a multiple of 4.</summary>
public abstract record RtcpPacket
{
    /// <summary>The packet type octet.</summary>
    public abstract byte PacketType { get; }

    /// <summary>Bytes <see cref="Write"/> produces.</summary>
    public abstract int Length { get; }

    /// <summary>Writes the packet; returns <see cref="Length"/>. Throws when <paramref name="destination"/> is too small.</summary>
    public int Write(Span<byte> destination)
    {
        int length = Length;
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination too small: {destination.Length} bytes, need {length}.", nameof(destination));
        }

        destination[..length].Clear();
        destination[0] = (byte)(0x80 | (CountField & 0x1F));
        destination[1] = PacketType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(length / 4 - 1));
        WriteBody(destination[4..length]);
        return length;
    }

    /// <summary>The 5-bit count field of the header (reception report count, source count, or subtype).</summary>
    private protected abstract int CountField { get; }

    private protected abstract void WriteBody(Span<byte> body);

    private protected static void CheckBlocks(IReadOnlyList<RtcpReportBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Count > 31)
        {
            throw new ArgumentException("At most 31 report blocks per packet.", nameof(blocks));
        }
    }
}

/// <summary>Sender report (RFC 3550 §6.4.1).</summary>
/// <param name="Ssrc">The sender.</param>
/// <param name="NtpTimestamp">Wallclock time when the report was sent (64-bit NTP, see <see cref="Rtp.NtpTimestamp"/>).</param>
/// <param name="RtpTimestamp">The same instant in the sender's RTP timestamp units.</param>
/// <param name="PacketCount">RTP data packets sent since the start.</param>
/// <param name="OctetCount">Payload octets sent since the start.</param>
/// <param name="ReportBlocks">Reception reports about the sources the sender receives.</param>
public sealed record RtcpSenderReport(
    uint Ssrc,
    ulong NtpTimestamp,
    uint RtpTimestamp,
    uint PacketCount,
    uint OctetCount,
    IReadOnlyList<RtcpReportBlock> ReportBlocks) : RtcpPacket
{
    /// <inheritdoc />
    public override byte PacketType => RtcpPacketType.SenderReport;

    /// <inheritdoc />
    public override int Length
    {
        get
        {
            CheckBlocks(ReportBlocks);
            return 28 + ReportBlocks.Count * RtcpReportBlock.Size;
        }
    }

    /// <summary>A sender report for what <paramref name="writer"/> sent; <paramref name="rtpTimestamp"/> must denote the
    /// same instant as <paramref name="wallclock"/> (the pacer knows which media time is being sent now).</summary>
    public static RtcpSenderReport FromWriter(
        RtpStreamWriter writer, DateTimeOffset wallclock, uint rtpTimestamp, IReadOnlyList<RtcpReportBlock>? reportBlocks = null)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return new RtcpSenderReport(
            writer.Ssrc,
            Rtp.NtpTimestamp.FromDateTime(wallclock),
            rtpTimestamp,
            unchecked((uint)writer.PacketCount),
            unchecked((uint)writer.OctetCount),
            reportBlocks ?? []);
    }

    private protected override int CountField => ReportBlocks.Count;

    private protected override void WriteBody(Span<byte> body)
    {
        BinaryPrimitives.WriteUInt32BigEndian(body, Ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(body[4..], NtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(body[12..], RtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(body[16..], PacketCount);
        BinaryPrimitives.WriteUInt32BigEndian(body[20..], OctetCount);
        for (int i = 0; i < ReportBlocks.Count; i++)
        {
            ReportBlocks[i].Write(body[(24 + i * RtcpReportBlock.Size)..]);
        }
    }
}

/// <summary>Receiver report (RFC 3550 §6.4.2).</summary>
/// <param name="Ssrc">The reporter.</param>
/// <param name="ReportBlocks">One block per source received.</param>
public sealed record RtcpReceiverReport(uint Ssrc, IReadOnlyList<RtcpReportBlock> ReportBlocks) : RtcpPacket
{
    /// <inheritdoc />
    public override byte PacketType => RtcpPacketType.ReceiverReport;

    /// <inheritdoc />
    public override int Length
    {
        get
        {
            CheckBlocks(ReportBlocks);
            return 8 + ReportBlocks.Count * RtcpReportBlock.Size;
        }
    }

    private protected override int CountField => ReportBlocks.Count;

    private protected override void WriteBody(Span<byte> body)
    {
        BinaryPrimitives.WriteUInt32BigEndian(body, Ssrc);
        for (int i = 0; i < ReportBlocks.Count; i++)
        {
            ReportBlocks[i].Write(body[(4 + i * RtcpReportBlock.Size)..]);
        }
    }
}

/// <summary>SDES item types (RFC 3550 §6.5).</summary>
public static class RtcpSdesType
{
    /// <summary>Canonical end-point identifier (required in every compound packet).</summary>
    public const byte Cname = 1;

    /// <summary>User name.</summary>
    public const byte Name = 2;

    /// <summary>Application or tool name.</summary>
    public const byte Tool = 6;
}

/// <summary>One SDES item: type and UTF-8 text (at most 255 bytes).</summary>
public sealed record RtcpSdesItem(byte Type, string Value);

/// <summary>The SDES items about one source.</summary>
public sealed record RtcpSdesChunk(uint Ssrc, IReadOnlyList<RtcpSdesItem> Items);

/// <summary>Source description packet (RFC 3550 §6.5).</summary>
public sealed record RtcpSourceDescription(IReadOnlyList<RtcpSdesChunk> Chunks) : RtcpPacket
{
    /// <summary>An SDES with just a CNAME for <paramref name="ssrc"/>.</summary>
    public static RtcpSourceDescription Cname(uint ssrc, string cname) =>
        new([new RtcpSdesChunk(ssrc, [new RtcpSdesItem(RtcpSdesType.Cname, cname)])]);

    /// <inheritdoc />
    public override byte PacketType => RtcpPacketType.SourceDescription;

    /// <inheritdoc />
    public override int Length
    {
        get
        {
            ArgumentNullException.ThrowIfNull(Chunks);
            if (Chunks.Count > 31)
            {
                throw new ArgumentException("At most 31 SDES chunks per packet.");
            }

            int length = 4;
            foreach (RtcpSdesChunk chunk in Chunks)
            {
                length += ChunkLength(chunk);
            }

            return length;
        }
    }

    private protected override int CountField => Chunks.Count;

    private static int ChunkLength(RtcpSdesChunk chunk)
    {
        int length = 4;
        foreach (RtcpSdesItem item in chunk.Items)
        {
            if (item.Type == 0)
            {
                throw new ArgumentException("SDES item type 0 is the terminator.");
            }

            int bytes = Encoding.UTF8.GetByteCount(item.Value);
            if (bytes > 255)
            {
                throw new ArgumentException($"SDES item longer than 255 bytes ({bytes}).");
            }

            length += 2 + bytes;
        }

        // At least one null octet terminates the list, then pad to a 32-bit boundary.
        return (length + 1 + 3) & ~3;
    }

    private protected override void WriteBody(Span<byte> body)
    {
        int offset = 0;
        foreach (RtcpSdesChunk chunk in Chunks)
        {
            int start = offset;
            BinaryPrimitives.WriteUInt32BigEndian(body[offset..], chunk.Ssrc);
            offset += 4;
            foreach (RtcpSdesItem item in chunk.Items)
            {
                body[offset] = item.Type;
                int written = Encoding.UTF8.GetBytes(item.Value, body[(offset + 2)..]);
                body[offset + 1] = (byte)written;
                offset += 2 + written;
            }

            offset = start + ChunkLength(chunk); // terminator and padding are the zeros Write cleared
        }
    }
}

/// <summary>Goodbye packet (RFC 3550 §6.6): the sources are leaving, with an optional reason.</summary>
public sealed record RtcpBye(IReadOnlyList<uint> Ssrcs, string? Reason = null) : RtcpPacket
{
    /// <inheritdoc />
    public override byte PacketType => RtcpPacketType.Bye;

    /// <inheritdoc />
    public override int Length
    {
        get
        {
            ArgumentNullException.ThrowIfNull(Ssrcs);
            if (Ssrcs.Count > 31)
            {
                throw new ArgumentException("At most 31 sources per BYE.");
            }

            int length = 4 + 4 * Ssrcs.Count;
            if (Reason is not null)
            {
                int bytes = Encoding.UTF8.GetByteCount(Reason);
                if (bytes > 255)
                {
                    throw new ArgumentException($"BYE reason longer than 255 bytes ({bytes}).");
                }

                length += (1 + bytes + 3) & ~3;
            }

            return length;
        }
    }

    private protected override int CountField => Ssrcs.Count;

    private protected override void WriteBody(Span<byte> body)
    {
        int offset = 0;
        foreach (uint ssrc in Ssrcs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(body[offset..], ssrc);
            offset += 4;
        }

        if (Reason is not null)
        {
            int written = Encoding.UTF8.GetBytes(Reason, body[(offset + 1)..]);
            body[offset] = (byte)written;
        }
    }
}

/// <summary>A packet type this parser does not interpret (APP, feedback, XR...): kept as bytes.</summary>
/// <param name="Type">Packet type octet.</param>
/// <param name="Count">The 5-bit count/subtype field.</param>
/// <param name="Body">Everything after the 4-byte header, padding removed.</param>
public sealed record RtcpUnknownPacket(byte Type, byte Count, ReadOnlyMemory<byte> Body) : RtcpPacket
{
    /// <inheritdoc />
    public override byte PacketType => Type;

    /// <inheritdoc />
    public override int Length => 4 + ((Body.Length + 3) & ~3);

    private protected override int CountField => Count;

    private protected override void WriteBody(Span<byte> body) => Body.Span.CopyTo(body);
}
