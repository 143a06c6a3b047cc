namespace AudioFlow.Telephony.Rtp;

/// <summary>What <see cref="RtpReceiveStatistics.OnSequence"/> made of a sequence number.</summary>
public enum RtpSequenceVerdict
{
    /// <summary>In order, a small gap, or a small step back (reordered/duplicate): counted.</summary>
    Accepted,

    /// <summary>First packet of the source, or a second consecutive packet after a large jump: the source restarted
    /// its sequence numbering and the counters started over (RFC 3550 A.1 re-sync).</summary>
    Restarted,

    /// <summary>A large jump not (yet) confirmed by the next packet: not counted, the caller should drop it.</summary>
    Rejected,
}

/// <summary>
/// Per-source reception statistics, as RFC 3550 Appendix A specifies them: extended highest sequence number with
/// wrap-around cycles and the large-jump re-sync of A.1 (MAX_DROPOUT 3000, MAX_MISORDER 100; the probation of new
/// sources is not applied: a source is valid from its first packet), cumulative and interval loss of A.3, the
/// interarrival jitter estimator of A.8 (in timestamp units, gain 1/16), and LSR/DLSR bookkeeping for report blocks.
/// Not thread-safe.
/// </summary>
public sealed class RtpReceiveStatistics
{
    private const int MaxDropout = 3000;
    private const int MaxMisorder = 100;
    private const uint SeqMod = 1 << 16;

    private readonly int _clockRate;
    private ushort _maxSeq;
    private uint _cycles;
    private long _baseSeq;
    private uint _badSeq = SeqMod + 1;
    private long _expectedPrior;
    private long _receivedPrior;
    private long _lastTransit;
    private bool _haveTransit;
    private double _jitter;
    private uint _lastSrMiddle;
    private TimeSpan _lastSrArrival;
    private bool _haveSr;

    /// <summary>Statistics for a stream whose RTP clock runs at <paramref name="clockRate"/> Hz.</summary>
    public RtpReceiveStatistics(int clockRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(clockRate);
        _clockRate = clockRate;
    }

    /// <summary>Whether a packet has been seen since construction or <see cref="Reset"/>.</summary>
    public bool IsInitialized { get; private set; }

    /// <summary>The source these numbers are about.</summary>
    public uint Ssrc { get; private set; }

    /// <summary>Packets counted (A.1's <c>received</c>; the caller decides whether duplicates are fed in).</summary>
    public long Received { get; private set; }

    /// <summary>Extended highest sequence number received: cycles in the high 16 bits.</summary>
    public uint ExtendedHighestSequence => _cycles + _maxSeq;

    /// <summary>Packets expected from the first to the highest sequence number (A.3).</summary>
    public long Expected => IsInitialized ? ExtendedHighestSequence - _baseSeq + 1 : 0;

    /// <summary>Cumulative number of packets lost: expected minus received (A.3); negative with duplicates.</summary>
    public long CumulativeLost => Expected - Received;

    /// <summary>Interarrival jitter estimate in timestamp units (A.8).</summary>
    public double JitterUnits => _jitter;

    /// <summary>Interarrival jitter estimate as time.</summary>
    public TimeSpan Jitter => TimeSpan.FromTicks((long)(_jitter * TimeSpan.TicksPerSecond / _clockRate));

    /// <summary>Forgets everything; the next packet starts a new source.</summary>
    public void Reset()
    {
        IsInitialized = false;
        Ssrc = 0;
        Received = 0;
        _maxSeq = 0;
        _cycles = 0;
        _baseSeq = 0;
        _badSeq = SeqMod + 1;
        _expectedPrior = 0;
        _receivedPrior = 0;
        _haveTransit = false;
        _jitter = 0;
        _haveSr = false;
    }

    /// <summary>Counts one packet's sequence number (A.1 <c>update_seq</c>).</summary>
    public RtpSequenceVerdict OnSequence(uint ssrc, ushort seq)
    {
        if (!IsInitialized)
        {
            Ssrc = ssrc;
            InitSequence(seq);
            IsInitialized = true;
            Received = 1;
            return RtpSequenceVerdict.Restarted;
        }

        ushort udelta = (ushort)(seq - _maxSeq);
        if (udelta < MaxDropout)
        {
            if (seq < _maxSeq)
            {
                _cycles += SeqMod;
            }

            _maxSeq = seq;
        }
        else if (udelta <= SeqMod - MaxMisorder)
        {
            if (seq == _badSeq)
            {
                // Two sequential packets after a big jump: the source restarted; start over (keeping jitter).
                InitSequence(seq);
                Received = 1;
                _expectedPrior = 0;
                _receivedPrior = 0;
                return RtpSequenceVerdict.Restarted;
            }

            _badSeq = (uint)((seq + 1) & (SeqMod - 1));
            return RtpSequenceVerdict.Rejected;
        }

        else
        {
            // Duplicate or reordered within MAX_MISORDER, counted as received. One that precedes the first packet
            // (reordered at the very start) moves the base back, so it is not counted as received but not expected.
            long extended = (long)ExtendedHighestSequence - (ushort)(_maxSeq - seq);
            if (extended < _baseSeq)
            {
                _baseSeq = extended;
            }
        }

        Received++;
        return RtpSequenceVerdict.Accepted;
    }

    /// <summary>
    /// Updates the jitter estimate with one data packet's RTP timestamp and arrival time (A.8):
    /// J += (|D(i-1,i)| - J) / 16, with D the difference of relative transit times in timestamp units.
    /// Feed only packets whose timestamps advance with sampling time (audio, not telephone events).
    /// </summary>
    public void OnArrival(uint rtpTimestamp, TimeSpan arrival)
    {
        long arrivalUnits = arrival.Ticks * _clockRate / TimeSpan.TicksPerSecond;
        // Transit modulo 2^32, kept signed: differences stay right across timestamp wrap.
        long transit = (int)((uint)arrivalUnits - rtpTimestamp);
        if (_haveTransit)
        {
            long d = (int)(uint)(transit - _lastTransit);
            if (d < 0)
            {
                d = -d;
            }

            _jitter += (d - _jitter) / 16.0;
        }

        _lastTransit = transit;
        _haveTransit = true;
    }

    /// <summary>Remembers a sender report from this source (for LSR/DLSR in our next report block).</summary>
    public void OnSenderReport(ulong ntpTimestamp, TimeSpan arrival)
    {
        _lastSrMiddle = NtpTimestamp.Middle32(ntpTimestamp);
        _lastSrArrival = arrival;
        _haveSr = true;
    }

    /// <summary>
    /// A report block about this source as of <paramref name="now"/> (same clock as the arrivals given to
    /// <see cref="OnSenderReport"/>). Computes the fraction lost since the previous call (A.3), so call it once per report.
    /// </summary>
    public RtcpReportBlock CreateReportBlock(TimeSpan now)
    {
        long expected = Expected;
        long expectedInterval = expected - _expectedPrior;
        _expectedPrior = expected;
        long receivedInterval = Received - _receivedPrior;
        _receivedPrior = Received;
        long lostInterval = expectedInterval - receivedInterval;
        byte fraction = expectedInterval == 0 || lostInterval <= 0
            ? (byte)0
            : (byte)Math.Min(255, (lostInterval << 8) / expectedInterval);

        uint lsr = 0;
        uint dlsr = 0;
        if (_haveSr)
        {
            lsr = _lastSrMiddle;
            TimeSpan delay = now - _lastSrArrival;
            dlsr = delay <= TimeSpan.Zero ? 0 : (uint)Math.Min(uint.MaxValue, delay.Ticks * 65536 / TimeSpan.TicksPerSecond);
        }

        return new RtcpReportBlock(
            Ssrc,
            fraction,
            (int)Math.Clamp(CumulativeLost, RtcpReportBlock.MinCumulativeLost, RtcpReportBlock.MaxCumulativeLost),
            ExtendedHighestSequence,
            (uint)Math.Min(uint.MaxValue, _jitter),
            lsr,
            dlsr);
    }

    private void InitSequence(ushort seq)
    {
        _baseSeq = seq;
        _maxSeq = seq;
        _badSeq = SeqMod + 1;
        _cycles = 0;
    }
}
