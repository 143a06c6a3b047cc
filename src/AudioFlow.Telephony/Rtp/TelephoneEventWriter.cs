namespace AudioFlow.Telephony.Rtp;

/// <summary>
/// Sends DTMF digits as RFC 4733 telephone events on an existing RTP stream (same SSRC and sequence space as the
/// audio, §2.1), one packet per <see cref="WriteNext"/> call, which the pacer makes every <see cref="PacketInterval"/>:
/// <list type="number">
/// <item>a start packet: marker bit, E = 0, duration one interval;</item>
/// <item>updates every interval with the growing duration, all with the event's RTP timestamp (the audio timestamp
/// when <see cref="Begin"/> was called);</item>
/// <item>the end packet (E = 1, final duration) three times (§2.5.1.4), each with its own sequence number.</item>
/// </list>
/// After the last end packet the audio timestamp advances by the time the event took (packets × interval) and the
/// next audio packet is marked. Durations are limited to one segment (0xFFFF units, 8.19 s at 8000 Hz). Not thread-safe.
/// </summary>
public sealed class TelephoneEventWriter
{
    private readonly RtpStreamWriter _stream;
    private readonly int _intervalUnits;
    private readonly int _endRepetitions;
    private uint _eventTimestamp;
    private int _totalUnits;
    private int _sentDuration;
    private int _endsSent;
    private int _packetsSent;
    private byte _code;

    /// <summary>Events on <paramref name="stream"/> with the negotiated <paramref name="payloadType"/> (101 is customary).</summary>
    public TelephoneEventWriter(
        RtpStreamWriter stream, byte payloadType = 101, byte volume = 10, TimeSpan? packetInterval = null, int endRepetitions = 3)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadType, (byte)127);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(volume, (byte)63);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(endRepetitions);
        _stream = stream;
        PayloadType = payloadType;
        Volume = volume;
        PacketInterval = packetInterval ?? TimeSpan.FromMilliseconds(20);
        _intervalUnits = stream.Format.TimestampUnits(PacketInterval);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(_intervalUnits, nameof(packetInterval));
        _endRepetitions = endRepetitions;
    }

    /// <summary>The telephone-event payload type.</summary>
    public byte PayloadType { get; }

    /// <summary>Volume sent (−dBm0).</summary>
    public byte Volume { get; }

    /// <summary>Time between packets of an event.</summary>
    public TimeSpan PacketInterval { get; }

    /// <summary>Whether an event is being sent.</summary>
    public bool IsActive { get; private set; }

    /// <summary>The digit being sent, or null.</summary>
    public char? Digit => IsActive ? TelephoneEvent.ToDigit(_code) : null;

    /// <summary>Starts sending <paramref name="digit"/> ('0'-'9', '*', '#', 'A'-'D') for <paramref name="duration"/>
    /// (rounded up to whole intervals' worth of timestamp units, at least one interval).</summary>
    public void Begin(char digit, TimeSpan duration)
    {
        if (IsActive)
        {
            throw new InvalidOperationException($"Digit {Digit} is still being sent.");
        }

        if (!TelephoneEvent.TryGetEventCode(digit, out byte code))
        {
            throw new ArgumentException($"'{digit}' is not a DTMF digit.", nameof(digit));
        }

        int units = Math.Max(_intervalUnits, _stream.Format.TimestampUnits(duration));
        if (units > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(duration), duration, "Longer than one RFC 4733 segment (0xFFFF units).");
        }

        _code = code;
        _totalUnits = units;
        _eventTimestamp = _stream.NextTimestamp;
        _sentDuration = 0;
        _endsSent = 0;
        _packetsSent = 0;
        IsActive = true;
    }

    /// <summary>Writes the next packet of the current event; returns its length, or 0 when no event is being sent.</summary>
    public int WriteNext(Span<byte> destination)
    {
        if (!IsActive)
        {
            return 0;
        }

        bool start = _packetsSent == 0;
        if (_sentDuration < _totalUnits)
        {
            _sentDuration = Math.Min(_sentDuration + _intervalUnits, _totalUnits);
        }

        // The end packet is the one that reaches the full duration; a start packet is never an end packet.
        bool end = !start && _sentDuration == _totalUnits;
        Span<byte> payload = stackalloc byte[TelephoneEvent.Size];
        new TelephoneEvent(_code, end, Volume, (ushort)_sentDuration).Write(payload);
        int written = _stream.WritePacket(PayloadType, _eventTimestamp, start, payload, destination);
        _packetsSent++;
        if (end && ++_endsSent == _endRepetitions)
        {
            IsActive = false;
            _stream.SkipSilence((uint)(_packetsSent * _intervalUnits));
        }

        return written;
    }
}
