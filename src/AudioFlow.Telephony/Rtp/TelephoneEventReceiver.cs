namespace AudioFlow.Telephony.Rtp;

/// <summary>Whether a <see cref="DtmfEvent"/> reports a key going down or coming up.</summary>
public enum DtmfEventKind
{
    /// <summary>A new key press: reported once, on the first packet seen of the press (start, update or end).</summary>
    Pressed,

    /// <summary>The press ended: on its first end packet, when the next press begins, or after a timeout (see
    /// <see cref="TelephoneEventReceiver.Poll"/>). Reported once per press, always after its <see cref="Pressed"/>.</summary>
    Released,
}

/// <summary>A DTMF key press or release decoded from RFC 4733 telephone events.</summary>
/// <param name="Kind">Pressed or released.</param>
/// <param name="Digit">'0'-'9', '*', '#', 'A'-'D'.</param>
/// <param name="EventCode">The RFC 4733 event code (0-15).</param>
/// <param name="Ssrc">The stream the events came on (often not the audio's).</param>
/// <param name="RtpTimestamp">The event's RTP timestamp (its start); for a long press, of its first segment.</param>
/// <param name="Duration">Duration known so far (final on <see cref="DtmfEventKind.Released"/>).</param>
/// <param name="Volume">Power level, −dBm0.</param>
/// <param name="EndSeen">On release: whether an end packet was received (false: implied by a new press or a timeout).</param>
public readonly record struct DtmfEvent(
    DtmfEventKind Kind,
    char Digit,
    byte EventCode,
    uint Ssrc,
    uint RtpTimestamp,
    TimeSpan Duration,
    byte Volume,
    bool EndSeen);

/// <summary>
/// Turns RFC 4733 telephone-event packets into key presses, exactly once each.
/// <list type="bullet">
/// <item>A press is identified by (SSRC, RTP timestamp, event code): every packet of one event carries the event's start
/// timestamp (RFC 4733 §2.5.1.2), and a new event gets a new timestamp, so the same digit pressed twice in a row is two
/// presses. Any SSRC is accepted: some peers (and Debian sipp's DTMF pcaps) send events on their own SSRC.</item>
/// <item>Repeated packets of a finished press — the end packet is sent three times (§2.5.1.4), sometimes with the same
/// sequence number — and late updates are ignored, however late. The one exception: a start packet (marker bit) with
/// the key of a finished press, arriving more than <c>repeatWindow</c> (1 s) after that press's last packet, is a new
/// press (a capture replayed verbatim reuses timestamps). The last 16 presses are remembered.</item>
/// <item>If the start packet is lost, the first update or end packet reports the press.</item>
/// <item>A long event split into segments (§2.5.1.3: duration near 0xFFFF, continued under a new timestamp without the
/// marker bit) stays one press.</item>
/// <item>A press whose end packets are all lost is released by the next press or by <see cref="Poll"/> after
/// <c>releaseTimeout</c> without packets.</item>
/// </list>
/// Events other than DTMF (flash, codes above 15) are counted and ignored. Not thread-safe.
/// </summary>
public sealed class TelephoneEventReceiver
{
    private const int RecentCapacity = 16;

    private readonly int _clockRate;
    private readonly byte? _payloadType;
    private readonly TimeSpan _repeatWindow;
    private readonly TimeSpan _releaseTimeout;
    private readonly List<Press> _recent = new(RecentCapacity);
    private Press? _current;

    /// <summary>
    /// A receiver for telephone events in an RTP clock of <paramref name="clockRate"/> Hz. With <paramref name="payloadType"/>
    /// set, packets of other payload types are ignored; otherwise every packet given is taken as a telephone event.
    /// </summary>
    public TelephoneEventReceiver(
        int clockRate = 8000, byte? payloadType = null, TimeSpan? repeatWindow = null, TimeSpan? releaseTimeout = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        _clockRate = clockRate;
        _payloadType = payloadType;
        _repeatWindow = repeatWindow ?? TimeSpan.FromSeconds(1);
        _releaseTimeout = releaseTimeout ?? TimeSpan.FromSeconds(1);
    }

    /// <summary>The digit currently held down, or null.</summary>
    public char? ActiveDigit => _current?.Digit;

    /// <summary>Presses reported.</summary>
    public long Presses { get; private set; }

    /// <summary>Packets ignored as repeats of a finished press (duplicate end packets, late updates).</summary>
    public long Repeats { get; private set; }

    /// <summary>Payloads shorter than 4 bytes.</summary>
    public long Malformed { get; private set; }

    /// <summary>Events that are not DTMF digits (codes above 15).</summary>
    public long Unsupported { get; private set; }

    /// <summary>
    /// Handles one packet that arrived at <paramref name="arrival"/> (any monotonic clock, the same as for
    /// <see cref="Poll"/>); adds 0, 1 or 2 events (a release of the previous press and/or a press and its release) to
    /// <paramref name="events"/> and returns how many.
    /// </summary>
    public int Process(in RtpPacket packet, TimeSpan arrival, ICollection<DtmfEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (_payloadType is { } pt && packet.PayloadType != pt)
        {
            return 0;
        }

        if (!TelephoneEvent.TryParse(packet.Payload, out TelephoneEvent ev))
        {
            Malformed++;
            return 0;
        }

        if (TelephoneEvent.ToDigit(ev.Event) is not { } digit)
        {
            Unsupported++;
            return 0;
        }

        int before = events.Count;
        Press? current = _current;
        if (current is not null && current.Matches(packet.Ssrc, packet.Timestamp, ev.Event))
        {
            current.Update(ev, arrival);
            if (ev.End)
            {
                Release(current, endSeen: true, events);
            }

            return events.Count - before;
        }

        uint ssrc = packet.Ssrc;
        uint timestamp = packet.Timestamp;
        byte code = ev.Event;
        int recent = _recent.FindIndex(p => p.Matches(ssrc, timestamp, code));
        if (recent >= 0)
        {
            Press finished = _recent[recent];
            bool replay = packet.Marker && arrival - finished.LastArrival > _repeatWindow;
            if (!replay)
            {
                finished.LastArrival = arrival;
                Repeats++;
                return 0;
            }

            _recent.RemoveAt(recent); // a start packet with the same key long after: a replay, hence a new press
        }

        if (current is not null
            && !packet.Marker
            && current.Ssrc == packet.Ssrc
            && current.Code == ev.Event
            && current.SegmentDuration >= 0xFF00
            && packet.Timestamp - current.Timestamp is > 0 and <= 0x1_0000 + 0x1000)
        {
            // Next segment of a long event (RFC 4733 §2.5.1.3).
            current.NextSegment(packet.Timestamp, ev, arrival);
            if (ev.End)
            {
                Release(current, endSeen: true, events);
            }

            return events.Count - before;
        }

        if (current is not null)
        {
            Release(current, endSeen: false, events);
        }

        var press = new Press(packet.Ssrc, packet.Timestamp, ev.Event, digit, ev, arrival);
        _current = press;
        Presses++;
        events.Add(press.ToEvent(DtmfEventKind.Pressed, endSeen: false, _clockRate));
        if (ev.End)
        {
            Release(press, endSeen: true, events);
        }

        return events.Count - before;
    }

    /// <summary>
    /// Releases the held press if no packet of it arrived for the release timeout (all its end packets were lost);
    /// call periodically. Returns the number of events added.
    /// </summary>
    public int Poll(TimeSpan now, ICollection<DtmfEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (_current is { } current && now - current.LastArrival > _releaseTimeout)
        {
            Release(current, endSeen: false, events);
            return 1;
        }

        return 0;
    }

    private void Release(Press press, bool endSeen, ICollection<DtmfEvent> events)
    {
        events.Add(press.ToEvent(DtmfEventKind.Released, endSeen, _clockRate));
        if (ReferenceEquals(_current, press))
        {
            _current = null;
        }

        if (_recent.Count == RecentCapacity)
        {
            _recent.RemoveAt(0);
        }

        _recent.Add(press);
    }

    private sealed class Press(uint ssrc, uint timestamp, byte code, char digit, TelephoneEvent first, TimeSpan arrival)
    {
        private readonly uint _firstTimestamp = timestamp;
        private long _completedSegments;

        public uint Ssrc { get; } = ssrc;

        public uint Timestamp { get; private set; } = timestamp;

        public byte Code { get; } = code;

        public char Digit { get; } = digit;

        public ushort SegmentDuration { get; private set; } = first.Duration;

        public byte Volume { get; private set; } = first.Volume;

        public TimeSpan LastArrival { get; set; } = arrival;

        public bool Matches(uint ssrc2, uint timestamp2, byte code2) => ssrc2 == Ssrc && timestamp2 == Timestamp && code2 == Code;

        public void Update(TelephoneEvent ev, TimeSpan arrival2)
        {
            SegmentDuration = Math.Max(SegmentDuration, ev.Duration);
            Volume = ev.Volume;
            LastArrival = arrival2;
        }

        public void NextSegment(uint timestamp2, TelephoneEvent ev, TimeSpan arrival2)
        {
            _completedSegments += timestamp2 - Timestamp;
            Timestamp = timestamp2;
            SegmentDuration = ev.Duration;
            Volume = ev.Volume;
            LastArrival = arrival2;
        }

        public DtmfEvent ToEvent(DtmfEventKind kind, bool endSeen, int clockRate) => new(
            kind,
            Digit,
            Code,
            Ssrc,
            _firstTimestamp,
            TimeSpan.FromTicks((_completedSegments + SegmentDuration) * TimeSpan.TicksPerSecond / clockRate),
            Volume,
            endSeen);
    }
}
