using System.Buffers.Binary;

namespace AudioFlow.Telephony.Rtp;

/// <summary>
/// One RFC 4733 telephone-event payload (§2.3), 4 bytes: event code, end bit (E), reserved bit, volume (6 bits, −dBm0),
/// duration (16 bits, in RTP timestamp units since the event's timestamp).
/// </summary>
/// <param name="Event">Event code: 0-9 digits, 10 '*', 11 '#', 12-15 'A'-'D', 16 flash (RFC 4733 §3.2).</param>
/// <param name="End">The E bit: this packet reports the end of the event (its final duration).</param>
/// <param name="Volume">Power level 0-63, expressed in −dBm0.</param>
/// <param name="Duration">Duration so far, in timestamp units.</param>
public readonly record struct TelephoneEvent(byte Event, bool End, byte Volume, ushort Duration)
{
    /// <summary>Bytes of one event payload.</summary>
    public const int Size = 4;

    /// <summary>Parses the first event of a payload (extra bytes, e.g. RFC 2198 redundancy, are ignored). Never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> payload, out TelephoneEvent telephoneEvent)
    {
        if (payload.Length < Size)
        {
            telephoneEvent = default;
            return false;
        }

        telephoneEvent = new TelephoneEvent(
            payload[0],
            (payload[1] & 0x80) != 0,
            (byte)(payload[1] & 0x3F),
            BinaryPrimitives.ReadUInt16BigEndian(payload[2..]));
        return true;
    }

    /// <summary>Writes the 4-byte payload (reserved bit 0); returns 4.</summary>
    public int Write(Span<byte> destination)
    {
        if (destination.Length < Size)
        {
            throw new ArgumentException("Need 4 bytes.", nameof(destination));
        }

        destination[0] = Event;
        destination[1] = (byte)((End ? 0x80 : 0) | (Volume & 0x3F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], Duration);
        return Size;
    }

    /// <summary>The DTMF character for an event code (0-15), or null for other events.</summary>
    public static char? ToDigit(byte eventCode) => eventCode switch
    {
        <= 9 => (char)('0' + eventCode),
        10 => '*',
        11 => '#',
        >= 12 and <= 15 => (char)('A' + eventCode - 12),
        _ => null,
    };

    /// <summary>The event code of a DTMF character (0-9, *, #, A-D, case-insensitive).</summary>
    public static bool TryGetEventCode(char digit, out byte eventCode)
    {
        switch (digit)
        {
            case >= '0' and <= '9':
                eventCode = (byte)(digit - '0');
                return true;
            case '*':
                eventCode = 10;
                return true;
            case '#':
                eventCode = 11;
                return true;
            case >= 'A' and <= 'D':
                eventCode = (byte)(12 + digit - 'A');
                return true;
            case >= 'a' and <= 'd':
                eventCode = (byte)(12 + digit - 'a');
                return true;
            default:
                eventCode = 0;
                return false;
        }
    }
}
