using System.Buffers.Binary;

namespace AudioFlow.Telephony.Rtp;

/// <summary>
/// One RTP data packet (RFC 3550 §5.1), as a view over bytes: the payload, CSRC list and header extension are slices
/// of the buffer it was parsed from (nothing is copied, so copy the payload before the buffer is reused).
/// <para>
/// Parsing (<see cref="TryParse"/>) never throws. It checks version 2, strips padding, skips the header extension by
/// its declared length, reads the CSRC list, and refuses RTCP multiplexed on the same port (RFC 5761 §4: second octet
/// 192-223, i.e. marker set and 7-bit payload type 64-95, which covers SR/RR/SDES/BYE/APP = 72-76).
/// Writing (<see cref="Write"/>) emits a header without padding, the CSRC list and extension if present, then the payload.
/// </para>
/// </summary>
public readonly ref struct RtpPacket
{
    /// <summary>Size of the fixed header (no CSRCs, no extension).</summary>
    public const int FixedHeaderSize = 12;

    /// <summary>The only RTP version in use.</summary>
    public const int RtpVersion = 2;

    /// <summary>Creates a packet to write. <paramref name="csrcList"/> is raw: 4 big-endian bytes per CSRC (at most 15).
    /// <paramref name="extensionData"/> must be a multiple of 4 bytes; it is written only when <paramref name="hasExtension"/>.</summary>
    public RtpPacket(
        byte payloadType,
        ushort sequenceNumber,
        uint timestamp,
        uint ssrc,
        bool marker,
        ReadOnlySpan<byte> payload,
        ReadOnlySpan<byte> csrcList = default,
        bool hasExtension = false,
        ushort extensionProfile = 0,
        ReadOnlySpan<byte> extensionData = default)
    {
        if (payloadType > 127)
        {
            throw new ArgumentOutOfRangeException(nameof(payloadType), payloadType, "RTP payload type is 7 bits (0-127).");
        }

        if (csrcList.Length % 4 != 0 || csrcList.Length > 15 * 4)
        {
            throw new ArgumentException("CSRC list must be 0-15 entries of 4 bytes.", nameof(csrcList));
        }

        if (extensionData.Length % 4 != 0 || extensionData.Length > ushort.MaxValue * 4)
        {
            throw new ArgumentException("Header extension data must be a multiple of 4 bytes.", nameof(extensionData));
        }

        PayloadType = payloadType;
        SequenceNumber = sequenceNumber;
        Timestamp = timestamp;
        Ssrc = ssrc;
        Marker = marker;
        Payload = payload;
        CsrcList = csrcList;
        HasExtension = hasExtension;
        ExtensionProfile = extensionProfile;
        ExtensionData = hasExtension ? extensionData : default;
        PaddingLength = 0;
    }

    private RtpPacket(
        byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc, bool marker, ReadOnlySpan<byte> payload,
        ReadOnlySpan<byte> csrcList, bool hasExtension, ushort extensionProfile, ReadOnlySpan<byte> extensionData,
        int paddingLength)
    {
        PayloadType = payloadType;
        SequenceNumber = sequenceNumber;
        Timestamp = timestamp;
        Ssrc = ssrc;
        Marker = marker;
        Payload = payload;
        CsrcList = csrcList;
        HasExtension = hasExtension;
        ExtensionProfile = extensionProfile;
        ExtensionData = extensionData;
        PaddingLength = paddingLength;
    }

    /// <summary>Marker bit (for audio: first packet of a talkspurt; for RFC 4733: first packet of an event).</summary>
    public bool Marker { get; }

    /// <summary>7-bit payload type.</summary>
    public byte PayloadType { get; }

    /// <summary>16-bit sequence number.</summary>
    public ushort SequenceNumber { get; }

    /// <summary>32-bit RTP timestamp (sampling instant of the first octet of the payload, in the payload's RTP clock).</summary>
    public uint Timestamp { get; }

    /// <summary>Synchronisation source.</summary>
    public uint Ssrc { get; }

    /// <summary>The payload, with padding removed.</summary>
    public ReadOnlySpan<byte> Payload { get; }

    /// <summary>The CSRC list, raw: 4 big-endian bytes per entry. See <see cref="GetCsrc"/>.</summary>
    public ReadOnlySpan<byte> CsrcList { get; }

    /// <summary>Number of contributing sources.</summary>
    public int CsrcCount => CsrcList.Length / 4;

    /// <summary>Whether the X bit was set (a header extension follows the CSRC list).</summary>
    public bool HasExtension { get; }

    /// <summary>The 16-bit "defined by profile" field of the header extension (0 when there is none).</summary>
    public ushort ExtensionProfile { get; }

    /// <summary>The header extension's data (without its 4-byte header).</summary>
    public ReadOnlySpan<byte> ExtensionData { get; }

    /// <summary>Number of padding octets that were stripped when parsing (including the count octet); 0 when written.</summary>
    public int PaddingLength { get; }

    /// <summary>Bytes <see cref="Write"/> produces.</summary>
    public int SerializedLength => FixedHeaderSize + CsrcList.Length + (HasExtension ? 4 + ExtensionData.Length : 0) + Payload.Length;

    /// <summary>The <paramref name="index"/>-th CSRC.</summary>
    public uint GetCsrc(int index)
    {
        if ((uint)index >= (uint)CsrcCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index));
        }

        return BinaryPrimitives.ReadUInt32BigEndian(CsrcList.Slice(index * 4, 4));
    }

    /// <summary>
    /// True when the datagram is RTCP multiplexed on the RTP port (RFC 5761 §4): version 2 and second octet in 192-223.
    /// </summary>
    public static bool IsRtcp(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= 2 && datagram[0] >> 6 == RtpVersion && datagram[1] is >= 192 and <= 223;

    /// <summary>Parses an RTP packet. Never throws; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out RtpPacket packet, out string error)
    {
        packet = default;
        if (datagram.Length < FixedHeaderSize)
        {
            error = $"too short for an RTP header ({datagram.Length} bytes, need 12)";
            return false;
        }

        byte first = datagram[0];
        int version = first >> 6;
        if (version != RtpVersion)
        {
            error = $"RTP version {version}, expected 2";
            return false;
        }

        if (IsRtcp(datagram))
        {
            error = $"RTCP packet type {datagram[1]} on the RTP port (RFC 5761)";
            return false;
        }

        bool padding = (first & 0x20) != 0;
        bool extension = (first & 0x10) != 0;
        int csrcCount = first & 0x0F;
        bool marker = (datagram[1] & 0x80) != 0;
        byte payloadType = (byte)(datagram[1] & 0x7F);
        ushort sequence = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(2, 2));
        uint timestamp = BinaryPrimitives.ReadUInt32BigEndian(datagram.Slice(4, 4));
        uint ssrc = BinaryPrimitives.ReadUInt32BigEndian(datagram.Slice(8, 4));

        int end = datagram.Length;
        int paddingLength = 0;
        if (padding)
        {
            paddingLength = datagram[end - 1];
            if (paddingLength == 0)
            {
                error = "padding bit set but padding count is 0";
                return false;
            }

            if (paddingLength > datagram.Length - FixedHeaderSize)
            {
                error = $"padding count {paddingLength} exceeds the packet";
                return false;
            }

            end -= paddingLength;
        }

        int offset = FixedHeaderSize;
        int csrcBytes = csrcCount * 4;
        if (offset + csrcBytes > end)
        {
            error = $"CSRC list ({csrcCount} entries) runs past the end of the packet";
            return false;
        }

        ReadOnlySpan<byte> csrcs = datagram.Slice(offset, csrcBytes);
        offset += csrcBytes;

        ushort profile = 0;
        ReadOnlySpan<byte> extensionData = default;
        if (extension)
        {
            if (offset + 4 > end)
            {
                error = "header extension header runs past the end of the packet";
                return false;
            }

            profile = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(offset, 2));
            int words = BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(offset + 2, 2));
            offset += 4;
            if (offset + words * 4 > end)
            {
                error = $"header extension ({words} words) runs past the end of the packet";
                return false;
            }

            extensionData = datagram.Slice(offset, words * 4);
            offset += words * 4;
        }

        if (offset > end)
        {
            error = $"padding ({paddingLength} bytes) overlaps the header";
            return false;
        }

        packet = new RtpPacket(
            payloadType, sequence, timestamp, ssrc, marker, datagram[offset..end], csrcs, extension, profile,
            extensionData, paddingLength);
        error = string.Empty;
        return true;
    }

    /// <summary>Writes the packet; returns the number of bytes written. Throws when <paramref name="destination"/> is too small.</summary>
    public int Write(Span<byte> destination)
    {
        if (!TryWrite(destination, out int written))
        {
            throw new ArgumentException($"Destination too small: {destination.Length} bytes, need {SerializedLength}.", nameof(destination));
        }

        return written;
    }

    /// <summary>Writes the packet if it fits.</summary>
    public bool TryWrite(Span<byte> destination, out int written)
    {
        int length = SerializedLength;
        if (destination.Length < length)
        {
            written = 0;
            return false;
        }

        destination[0] = (byte)((RtpVersion << 6) | (HasExtension ? 0x10 : 0) | CsrcCount);
        destination[1] = (byte)((Marker ? 0x80 : 0) | PayloadType);
        BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(2, 2), SequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(4, 4), Timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination.Slice(8, 4), Ssrc);
        int offset = FixedHeaderSize;
        CsrcList.CopyTo(destination[offset..]);
        offset += CsrcList.Length;
        if (HasExtension)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(offset, 2), ExtensionProfile);
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(offset + 2, 2), (ushort)(ExtensionData.Length / 4));
            offset += 4;
            ExtensionData.CopyTo(destination[offset..]);
            offset += ExtensionData.Length;
        }

        Payload.CopyTo(destination[offset..]);
        written = offset + Payload.Length;
        return true;
    }

    /// <summary>The header fields as a plain (storable) value.</summary>
    public RtpHeader Header => new(Marker, PayloadType, SequenceNumber, Timestamp, Ssrc);
}

/// <summary>The fields of an RTP header that a receiver keeps after the bytes are gone.</summary>
public readonly record struct RtpHeader(bool Marker, byte PayloadType, ushort SequenceNumber, uint Timestamp, uint Ssrc);
