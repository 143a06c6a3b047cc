using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AudioFlow.Telephony.Rtp;

/// <summary>
/// The sending side of one RTP stream, without a socket: owns the SSRC, the sequence number and the timestamp, and
/// turns payloads into packet bytes.
/// <list type="bullet">
/// <item>SSRC, initial sequence number and initial timestamp are random (RFC 3550 §5.1, §8), from a cryptographic
/// generator, unless given (tests, or a re-INVITE that must keep the stream).</item>
/// <item>Each packet takes the next sequence number (wrapping 65535 → 0); the timestamp advances by the payload's
/// duration in the format's RTP clock (160 per 20 ms for PCMU, PCMA and G.722, whose clock is 8000 Hz).</item>
/// <item>The marker bit is set on the first packet of a talkspurt (RFC 3551 §4.1): the first packet of the stream and
/// the first after <see cref="StartTalkspurt"/>, <see cref="SkipSilence(TimeSpan)"/> or a telephone event.</item>
/// </list>
/// Not thread-safe: one owner (the call's playout pacer) drives it.
/// </summary>
public sealed class RtpStreamWriter
{
    private bool _talkspurtPending = true;

    /// <summary>Creates a stream for <paramref name="format"/>; null arguments are chosen at random.</summary>
    public RtpStreamWriter(RtpPayloadFormat format, uint? ssrc = null, ushort? initialSequenceNumber = null, uint? initialTimestamp = null)
    {
        ArgumentNullException.ThrowIfNull(format);
        Format = format;
        Ssrc = ssrc ?? RandomUInt32(nonZero: true);
        NextSequenceNumber = initialSequenceNumber ?? (ushort)RandomUInt32(nonZero: false);
        NextTimestamp = initialTimestamp ?? RandomUInt32(nonZero: false);
        InitialTimestamp = NextTimestamp;
    }

    /// <summary>The audio format (its payload type, clock and bytes per timestamp unit).</summary>
    public RtpPayloadFormat Format { get; }

    /// <summary>This stream's synchronisation source.</summary>
    public uint Ssrc { get; }

    /// <summary>Sequence number the next packet gets.</summary>
    public ushort NextSequenceNumber { get; private set; }

    /// <summary>RTP timestamp of the next audio packet's first sample.</summary>
    public uint NextTimestamp { get; private set; }

    /// <summary>The timestamp the stream started at.</summary>
    public uint InitialTimestamp { get; }

    /// <summary>Packets written (for RTCP SR's sender packet count).</summary>
    public long PacketCount { get; private set; }

    /// <summary>Payload octets written, excluding headers and padding (RTCP SR's sender octet count).</summary>
    public long OctetCount { get; private set; }

    /// <summary>Whether the next audio packet will carry the marker bit.</summary>
    public bool IsTalkspurtPending => _talkspurtPending;

    /// <summary>Bytes needed for a packet with <paramref name="payloadLength"/> bytes of payload.</summary>
    public static int PacketSize(int payloadLength) => RtpPacket.FixedHeaderSize + payloadLength;

    /// <summary>
    /// Writes one audio packet carrying <paramref name="payload"/> into <paramref name="destination"/>; returns its length.
    /// Advances the sequence number by one and the timestamp by the payload's duration.
    /// </summary>
    public int Write(ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        int units = Format.TimestampUnitsOf(payload.Length);
        int written = WritePacket(Format.PayloadType, NextTimestamp, _talkspurtPending, payload, destination);
        _talkspurtPending = false;
        NextTimestamp += (uint)units;
        return written;
    }

    /// <summary>The next audio packet starts a talkspurt (marker bit): call after a clear / barge-in or after a pause.</summary>
    public void StartTalkspurt() => _talkspurtPending = true;

    /// <summary>
    /// Nothing was sent for <paramref name="elapsed"/> (silence suppressed, or playout stopped after a clear): the
    /// timestamp advances by that time, as RTP timestamps follow the sampling clock, and the next packet is marked.
    /// </summary>
    public void SkipSilence(TimeSpan elapsed)
    {
        if (elapsed < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(elapsed), elapsed, "Must not be negative.");
        }

        SkipSilence((uint)Format.TimestampUnits(elapsed));
    }

    /// <summary>Same as <see cref="SkipSilence(TimeSpan)"/> in RTP timestamp units.</summary>
    public void SkipSilence(uint timestampUnits)
    {
        NextTimestamp += timestampUnits;
        _talkspurtPending = true;
    }

    /// <summary>
    /// Writes a packet of this stream with any payload type, timestamp and marker (telephone events share the stream's
    /// SSRC and sequence space, RFC 4733 §2.1). Takes a sequence number; does not move the audio timestamp.
    /// </summary>
    public int WritePacket(byte payloadType, uint timestamp, bool marker, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        int length = PacketSize(payload.Length);
        if (destination.Length < length)
        {
            throw new ArgumentException($"Destination too small: {destination.Length} bytes, need {length}.", nameof(destination));
        }

        var packet = new RtpPacket(payloadType, NextSequenceNumber, timestamp, Ssrc, marker, payload);
        int written = packet.Write(destination);
        NextSequenceNumber++;
        PacketCount++;
        OctetCount += payload.Length;
        return written;
    }

    private static uint RandomUInt32(bool nonZero)
    {
        Span<byte> bytes = stackalloc byte[4];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            uint value = BinaryPrimitives.ReadUInt32LittleEndian(bytes);
            if (!nonZero || value != 0)
            {
                return value;
            }
        }
    }
}
