namespace AudioFlow.Telephony.Rtp;

/// <summary>
/// Adaptive jitter buffer for one inbound RTP audio stream: packets go in with <see cref="Push"/> in any order, and every
/// <see cref="Pull"/> (called by the transport's 20 ms timer) returns exactly one frame — audio, a lost-frame marker
/// for concealment, or empty. Payload bytes pass through undecoded.
/// <para><b>Timeline.</b> Everything is placed by RTP timestamp (extended past the 32-bit wrap; sequence numbers
/// likewise past 65535), so packets of 10, 20 or 30 ms are re-chunked into frames of <see cref="JitterBufferOptions.FrameDuration"/>.
/// A playout cursor walks the timeline one frame per pull. Sequence numbers decide what a hole is: if packets are
/// missing between the last one played and the next one buffered, the hole is loss (<see cref="JitterBufferFrameKind.Lost"/>);
/// if none are missing, the sender was silent (DTX, comfort noise, a telephone event) and the hole is
/// <see cref="JitterBufferFrameKind.Empty"/>. Feed every packet of the session, including telephone events and comfort
/// noise (they count in the sequence space but are not played); packets of another payload type on another SSRC are
/// ignored, so DTMF on its own SSRC does not disturb the audio.</para>
/// <para><b>Delay.</b> Two measurements, both over a sliding window (<see cref="JitterBufferOptions.PeakWindow"/>):
/// the spread of packet transit times (arrival − timestamp; largest − smallest), and the lead of each arriving packet
/// over the cursor (how long it will wait). The current delay is the largest recent lead (the wait of the fastest
/// packets). The target is max(spread, k × RFC 3550 jitter) + one frame, clamped to [MinDelay, MaxDelay]: it grows at
/// once and decays by <see cref="JitterBufferOptions.TargetDecayPerSecond"/> when the network calms down.
/// Playout starts once the newest buffered packet leads the cursor by the target — by MaxDelay if the earliest buffered
/// packet lacks the marker bit, since earlier packets of the stream may still be on their way.</para>
/// <para><b>Adapting.</b> The delay grows by holding the cursor (an Empty frame): on underrun, while waiting for an
/// overdue packet as long as the delay is below target (below MaxDelay during warm-up, before the spread is known), and
/// proactively on a silent frame when below target. It shrinks by dropping a silent frame when more than a frame above
/// target (any frame beyond <see cref="JitterBufferOptions.HardShrinkExcess"/>), by skipping lost frames instead of
/// reporting each, and by shortening sender silences.</para>
/// <para><b>Streams.</b> A new SSRC is counted and starts fresh: new sequence and timestamp numbering, new RFC 3550
/// statistics, new transit history (the learnt target is kept: the network is the same). Before playout the old
/// packets are discarded; during playout the new numbering is spliced onto the timeline right after the audio already
/// buffered, which still plays, so a re-INVITE or a media server switch costs no gap. Stragglers of the previous SSRC
/// are dropped as late. A sequence restart (RFC 3550 A.1: the first packet after a jump of 3000 or more is dropped,
/// the second confirms it) and a timestamp jump back are resyncs, spliced the same way. Duplicates and late packets
/// (including packets older than the first one played) are dropped and counted.</para>
/// Not thread-safe: the transport serialises Push and Pull (one call actor or one lock).
/// </summary>
public sealed class JitterBuffer
{
    private const int SeenSize = 1024;

    private readonly JitterBufferOptions _options;
    private readonly RtpPayloadFormat _format;
    private readonly int _frameUnits;
    private readonly int _frameBytes;
    private readonly int _bytesPerUnit;
    private readonly long _minUnits;
    private readonly long _maxUnits;
    private readonly long _hardExcessUnits;
    private readonly double _decayPerPull;
    private readonly int _pullsPerBucket;
    private readonly SilenceDetector? _silence;
    private readonly RtpReceiveStatistics _source;
    private readonly long[] _seen = new long[SeenSize];
    private readonly List<Chunk> _chunks = [];
    private readonly Window _window;

    // Stream state.
    private bool _hasStream;
    private uint _ssrc;
    private uint? _previousSsrc;
    private bool _seqInit;
    private long _seqRawRef;
    private long _seqOffset;
    private bool _tsInit;
    private long _tsRawRef;
    private long _tsOffset;
    private long _lastTransit;
    private bool _haveTransit;
    private int _audioPackets;

    // Playout state.
    private bool _started;
    private bool _cursorSet;
    private long _cursor;
    private long _adjust;
    private long _lastConsumedSeq;
    private long _lastConsumedEnd;
    private int _lastChunkUnits;
    private bool _inUnderrun;
    private double _target;
    private long _pulls;

    // Counters.
    private long _received;
    private long _duplicates;
    private long _late;
    private long _reordered;
    private long _ssrcChanges;
    private long _resyncs;
    private long _nonAudio;
    private long _framesAudio;
    private long _framesLost;
    private long _framesEmpty;
    private long _framesInserted;
    private long _framesDropped;
    private long _framesSkipped;
    private long _underruns;

    /// <summary>A buffer with <paramref name="options"/> (defaults: PCMU, 20 ms frames, 40-200 ms).</summary>
    public JitterBuffer(JitterBufferOptions? options = null)
    {
        _options = options ?? new JitterBufferOptions();
        _format = _options.Format ?? throw new ArgumentException("Format is required.", nameof(options));
        _frameUnits = _format.TimestampUnits(_options.FrameDuration);
        if (_frameUnits <= 0)
        {
            throw new ArgumentException("Frame duration must be at least one timestamp unit.", nameof(options));
        }

        if (_options.MinDelay < TimeSpan.Zero || _options.MaxDelay < _options.MinDelay)
        {
            throw new ArgumentException("Need 0 <= MinDelay <= MaxDelay.", nameof(options));
        }

        _bytesPerUnit = _format.BytesPerTimestampUnit;
        _frameBytes = _frameUnits * _bytesPerUnit;
        _minUnits = _format.TimestampUnits(_options.MinDelay);
        _maxUnits = _format.TimestampUnits(_options.MaxDelay);
        _hardExcessUnits = _format.TimestampUnits(_options.HardShrinkExcess);
        _decayPerPull = _format.TimestampUnits(_options.TargetDecayPerSecond) * _options.FrameDuration.TotalSeconds;
        _pullsPerBucket = Math.Max(1, (int)Math.Round(1 / _options.FrameDuration.TotalSeconds));
        _window = new Window(Math.Max(1, (int)Math.Round(_options.PeakWindow.TotalSeconds)));
        _silence = _options.SilenceDetector ?? DefaultSilenceDetector(_format, _options.SilenceThreshold);
        _source = new RtpReceiveStatistics(_format.ClockRate);
        _target = _minUnits;
        Array.Fill(_seen, long.MinValue);
    }

    /// <summary>The options in use.</summary>
    public JitterBufferOptions Options => _options;

    /// <summary>RFC 3550 reception statistics of the current source (for RTCP receiver report blocks).</summary>
    public RtpReceiveStatistics SourceStatistics => _source;

    /// <summary>The SSRC being played, or null before the first audio packet.</summary>
    public uint? Ssrc => _hasStream ? _ssrc : null;

    /// <summary>Whether playout has started (the target delay was reached once for the current stream).</summary>
    public bool IsPlaying => _started;

    /// <summary>Current target delay.</summary>
    public TimeSpan TargetDelay => _format.DurationOf((long)_target);

    /// <summary>Current buffering delay (see <see cref="JitterBufferStatistics.CurrentDelay"/>).</summary>
    public TimeSpan CurrentDelay => _format.DurationOf(Math.Max(0, CurrentDelayUnits()));

    /// <summary>A snapshot of the counters.</summary>
    public JitterBufferStatistics Statistics => new(
        _received,
        _duplicates,
        _late,
        _reordered,
        _ssrcChanges,
        _resyncs,
        _nonAudio,
        _source.IsInitialized ? _source.CumulativeLost : 0,
        _framesAudio,
        _framesLost,
        _framesEmpty,
        _framesInserted,
        _framesDropped,
        _framesSkipped,
        _underruns,
        TargetDelay,
        CurrentDelay,
        _source.Jitter,
        _format.DurationOf(_window.Spread(_pulls / _pullsPerBucket)));

    /// <summary>Drops all buffered audio and stream state (counters and the learnt target are kept): the next packet starts afresh.</summary>
    public void Reset()
    {
        _hasStream = false;
        _previousSsrc = null;
        ResetStream();
        _source.Reset();
    }

    /// <summary>Adds one received packet; <paramref name="arrival"/> is its receive time on any monotonic clock.</summary>
    public void Push(in RtpPacket packet, TimeSpan arrival)
    {
        _received++;
        bool audio = packet.PayloadType == _format.PayloadType;
        bool newSource = false;
        if (!_hasStream || packet.Ssrc != _ssrc)
        {
            if (!audio)
            {
                _nonAudio++; // events on their own SSRC, or before any audio: not ours to play
                return;
            }

            if (_hasStream)
            {
                if (packet.Ssrc == _previousSsrc)
                {
                    _late++; // straggler of the stream we left
                    return;
                }

                _ssrcChanges++;
                _previousSsrc = _ssrc;
                newSource = true;
            }
            else
            {
                ResetStream();
            }

            _hasStream = true;
            _ssrc = packet.Ssrc;
            _source.Reset();
            if (newSource)
            {
                BeginSegment(packet.SequenceNumber, packet.Timestamp, remapSequence: true);
            }
        }

        // Sequence: duplicates first (they must not count as received), then RFC 3550 A.1.
        if (_seqInit)
        {
            long candidate = ExtendSequence(packet.SequenceNumber);
            if (IsSeen(candidate))
            {
                _duplicates++;
                return;
            }

            if (candidate <= SequenceReference - SeenSize + 64)
            {
                _late++; // too old to tell
                return;
            }
        }

        RtpSequenceVerdict verdict = _source.OnSequence(packet.Ssrc, packet.SequenceNumber);
        if (verdict == RtpSequenceVerdict.Rejected)
        {
            _late++; // a big jump, unconfirmed: dropped (A.1 accepts the next one if it follows)
            return;
        }

        if (verdict == RtpSequenceVerdict.Restarted && _seqInit && !newSource)
        {
            _resyncs++; // the sender restarted its sequence numbers
            BeginSegment(packet.SequenceNumber, packet.Timestamp, remapSequence: true);
        }

        if (!_seqInit)
        {
            _seqInit = true;
            _seqRawRef = packet.SequenceNumber;
        }

        long extSeq = ExtendSequence(packet.SequenceNumber);
        if (extSeq < SequenceReference)
        {
            _reordered++;
        }
        else
        {
            _seqRawRef = extSeq - _seqOffset;
        }

        _seen[extSeq & (SeenSize - 1)] = extSeq;

        int units = packet.Payload.Length / _bytesPerUnit;
        if (!audio || units == 0)
        {
            _nonAudio++;
            return;
        }

        // Timestamp: extend past the wrap relative to the newest seen.
        if (!_tsInit)
        {
            _tsInit = true;
            _tsRawRef = packet.Timestamp;
        }

        long extTs = ExtendTimestamp(packet.Timestamp);
        if (_started && extTs + units <= _cursor - Math.Max(4 * _maxUnits, _format.ClockRate) && extSeq == SequenceReference)
        {
            // The newest packet lies far behind what was played: the sender restarted its timestamps.
            _resyncs++;
            BeginSegment(packet.SequenceNumber, packet.Timestamp, remapSequence: false);
            extTs = ExtendTimestamp(packet.Timestamp);
        }

        if (extTs - _tsOffset > _tsRawRef)
        {
            _tsRawRef = extTs - _tsOffset;
        }

        _audioPackets++;
        _source.OnArrival(packet.Timestamp, arrival);
        long arrivalUnits = arrival.Ticks * _format.ClockRate / TimeSpan.TicksPerSecond;
        long transit = arrivalUnits - extTs;
        if (_haveTransit && Math.Abs(transit - _lastTransit) > 4 * _maxUnits + _format.ClockRate)
        {
            _window.ClearTransit(); // a clock jump of the sender, not network jitter
        }

        _lastTransit = transit;
        _haveTransit = true;
        long bucket = _pulls / _pullsPerBucket;
        _window.AddTransit(bucket, transit);
        RaiseTarget();

        if (!_started)
        {
            if (!_cursorSet)
            {
                _cursor = extTs;
                _cursorSet = true;
            }
            else if (extTs < _cursor)
            {
                if (_cursor - extTs > _maxUnits)
                {
                    _late++;
                    return;
                }

                _cursor = extTs;
            }

            Insert(new Chunk(extTs, units, extSeq, packet.PayloadType, packet.Payload.ToArray(), _tsOffset, _seqOffset) { Marker = packet.Marker });
            return;
        }

        _window.AddLead(bucket, extTs - _cursor - _adjust);
        if (extTs + units <= _cursor)
        {
            _late++;
            return;
        }

        byte[] data;
        int trim = 0;
        if (extTs < _cursor)
        {
            trim = (int)(_cursor - extTs);
            data = packet.Payload[(trim * _bytesPerUnit)..(units * _bytesPerUnit)].ToArray();
            units -= trim;
            extTs = _cursor;
        }
        else
        {
            data = packet.Payload[..(units * _bytesPerUnit)].ToArray();
        }

        Insert(new Chunk(extTs, units, extSeq, packet.PayloadType, data, _tsOffset, _seqOffset) { Trimmed = trim });
    }

    private long SequenceReference => _seqRawRef + _seqOffset;

    private long ExtendSequence(ushort seq) => _seqRawRef + (short)(ushort)(seq - (ushort)_seqRawRef) + _seqOffset;

    private long ExtendTimestamp(uint ts) => _tsRawRef + (int)(ts - (uint)_tsRawRef) + _tsOffset;

    /// <summary>
    /// A new source (or a restart of this one): before playout, start afresh; during playout, splice the new numbering
    /// onto the old timeline right after what is buffered, so buffered audio still plays and nothing counts as lost.
    /// </summary>
    private void BeginSegment(ushort seq, uint ts, bool remapSequence)
    {
        if (!_started)
        {
            ResetStream();
            return;
        }

        long lastEnd = _cursor;
        foreach (Chunk chunk in _chunks)
        {
            lastEnd = Math.Max(lastEnd, chunk.End);
        }

        if (remapSequence)
        {
            long nextSeq = (_seqInit ? SequenceReference : _lastConsumedSeq) + 1;
            _seqInit = true;
            _seqRawRef = seq;
            _seqOffset = nextSeq - seq;
        }

        _tsInit = true;
        _tsRawRef = ts;
        _tsOffset = lastEnd - ts;
        _haveTransit = false;
        _window.ClearTransit();
    }

    /// <summary>Returns the next frame. Call once per frame duration.</summary>
    public JitterBufferFrame Pull()
    {
        _pulls++;
        DecayTarget();
        if (!_started)
        {
            // Start once the newest packet leads the cursor by the target; if the earliest one does not start a
            // talkspurt (no marker bit), earlier packets may still be on their way: wait up to the maximum delay.
            long needed = _chunks.Count > 0 && _chunks[0].Marker ? (long)_target : _maxUnits;
            if (!_cursorSet || _chunks.Count == 0 || _chunks[^1].Ts - _cursor < needed)
            {
                _framesEmpty++;
                return new JitterBufferFrame(JitterBufferFrameKind.Empty, ReadOnlyMemory<byte>.Empty, 0, 0, _format.PayloadType);
            }

            _started = true;
            _adjust = 0;
            _lastConsumedSeq = _chunks[0].Seq - 1;
            _lastConsumedEnd = _cursor;
            _lastChunkUnits = _chunks[0].Units;
            _window.AddLead(_pulls / _pullsPerBucket, _chunks[^1].Ts - _cursor);
        }

        return Produce();
    }

    private JitterBufferFrame Produce()
    {
        bool dropped = false;
        for (int guard = 0; guard < 64; guard++)
        {
            int behind = 0;
            while (behind < _chunks.Count && _chunks[behind].End <= _cursor)
            {
                behind++;
            }

            if (behind > 0)
            {
                Consume(behind, _cursor);
            }

            long frameEnd = _cursor + _frameUnits;
            long delay = CurrentDelayUnits();
            long target = (long)_target;

            // What of [cursor, frameEnd) is buffered?
            long covered = 0;
            long position = _cursor;
            int overlapping = 0;
            foreach (Chunk chunk in _chunks)
            {
                if (chunk.Ts >= frameEnd)
                {
                    break;
                }

                long from = Math.Max(chunk.Ts, position);
                long to = Math.Min(chunk.End, frameEnd);
                if (to > from)
                {
                    covered += to - from;
                    position = to;
                }

                overlapping++;
            }

            if (covered >= _frameUnits)
            {
                ReadOnlyMemory<byte> payload = Assemble(overlapping, out Chunk first);
                bool silent = _silence is not null && _silence(payload.Span);
                if (!dropped && ((silent && delay > target + _frameUnits) || delay > target + _hardExcessUnits))
                {
                    Consume(overlapping, frameEnd);
                    _cursor = frameEnd;
                    _adjust -= _frameUnits;
                    _framesDropped++;
                    dropped = true;
                    continue;
                }

                if (silent && !dropped && delay < target)
                {
                    return Insert();
                }

                Consume(overlapping, frameEnd);
                JitterBufferFrame frame = new(JitterBufferFrameKind.Audio, payload, (uint)(_cursor - first.TsOffset), (ushort)(first.Seq - first.SeqOffset), first.PayloadType);
                _cursor = frameEnd;
                _framesAudio++;
                _inUnderrun = false;
                return frame;
            }

            if (covered > 0)
            {
                // Part of the frame is here. The hole is loss if packets are missing around it, else sender silence.
                long lastSeq = _chunks[overlapping - 1].Seq;
                long nextSeq = overlapping < _chunks.Count ? _chunks[overlapping].Seq : lastSeq + 1;
                bool loss = CountMissing(_lastConsumedSeq, nextSeq) > 0;
                if (loss && (covered * 2 < _frameUnits || _format.SilenceByte is null))
                {
                    Consume(overlapping, frameEnd);
                    return Lost(frameEnd);
                }

                ReadOnlyMemory<byte> partial = Assemble(overlapping, out Chunk first);
                Consume(overlapping, frameEnd);
                JitterBufferFrame frame = new(JitterBufferFrameKind.Audio, partial, (uint)(_cursor - first.TsOffset), (ushort)(first.Seq - first.SeqOffset), first.PayloadType);
                _cursor = frameEnd;
                _framesAudio++;
                _inUnderrun = false;
                return frame;
            }

            if (_chunks.Count == 0)
            {
                if (!_inUnderrun)
                {
                    _underruns++;
                    _inUnderrun = true;
                }

                return Insert();
            }

            Chunk next = _chunks[0];
            long gap = next.Ts - _cursor;
            long missing = CountMissing(_lastConsumedSeq, next.Seq);
            long lossSpan = missing * _lastChunkUnits - (_cursor - _lastConsumedEnd);
            if (missing > 0 && lossSpan > 0)
            {
                long patience = _audioPackets < _options.WarmupPackets ? _maxUnits : target;
                if (delay < patience)
                {
                    return Insert(); // the packet may be late rather than lost: wait, growing the delay
                }

                if (delay > target + _frameUnits)
                {
                    long skip = Math.Min((delay - target) / _frameUnits, Math.Min(gap, lossSpan) / _frameUnits);
                    if (skip > 0)
                    {
                        _cursor += skip * _frameUnits;
                        _adjust -= skip * _frameUnits;
                        _framesSkipped += skip;
                        continue;
                    }
                }

                return Lost(frameEnd);
            }

            // Nothing missing: the sender paused (DTX, comfort noise, a telephone event) or its clock jumped ahead.
            if (delay > target + _frameUnits / 2)
            {
                long jump = Math.Min(gap, delay - target);
                _cursor += jump;
                _adjust -= jump;
                continue;
            }

            if (delay < target)
            {
                return Insert();
            }

            _cursor += Math.Min(_frameUnits, gap);
            _framesEmpty++;
            return new JitterBufferFrame(
                JitterBufferFrameKind.Empty, ReadOnlyMemory<byte>.Empty, (uint)(_cursor - Math.Min(_frameUnits, gap) - _tsOffset),
                (ushort)(_lastConsumedSeq + 1 - _seqOffset), _format.PayloadType);
        }

        // Not reachable in practice (each loop iteration moves the cursor forward); be safe.
        return Insert();
    }

    private JitterBufferFrame Insert()
    {
        _adjust += _frameUnits;
        _framesEmpty++;
        _framesInserted++;
        return new JitterBufferFrame(
            JitterBufferFrameKind.Empty, ReadOnlyMemory<byte>.Empty, (uint)(_cursor - _tsOffset), (ushort)(_lastConsumedSeq + 1 - _seqOffset), _format.PayloadType);
    }

    private JitterBufferFrame Lost(long frameEnd)
    {
        var frame = new JitterBufferFrame(
            JitterBufferFrameKind.Lost, ReadOnlyMemory<byte>.Empty, (uint)(_cursor - _tsOffset), (ushort)(_lastConsumedSeq + 1 - _seqOffset), _format.PayloadType);
        _cursor = frameEnd;
        _framesLost++;
        _inUnderrun = false;
        return frame;
    }

    private ReadOnlyMemory<byte> Assemble(int overlapping, out Chunk first)
    {
        first = _chunks[0];
        if (overlapping == 1 && first.Ts == _cursor && first.Units == _frameUnits)
        {
            return first.Data;
        }

        var bytes = new byte[_frameBytes];
        if (_format.SilenceByte is { } fill && fill != 0)
        {
            bytes.AsSpan().Fill(fill);
        }

        long frameEnd = _cursor + _frameUnits;
        for (int i = 0; i < overlapping; i++)
        {
            Chunk chunk = _chunks[i];
            long from = Math.Max(chunk.Ts, _cursor);
            long to = Math.Min(chunk.End, frameEnd);
            if (to <= from)
            {
                continue;
            }

            chunk.Data.AsSpan((int)(from - chunk.Ts) * _bytesPerUnit, (int)(to - from) * _bytesPerUnit)
                .CopyTo(bytes.AsSpan((int)(from - _cursor) * _bytesPerUnit));
        }

        return bytes;
    }

    private void Consume(int overlapping, long frameEnd)
    {
        for (int i = 0; i < overlapping; i++)
        {
            Chunk chunk = _chunks[i];
            if (chunk.Seq > _lastConsumedSeq)
            {
                _lastConsumedSeq = chunk.Seq;
                _lastConsumedEnd = chunk.End;
                _lastChunkUnits = chunk.Units + chunk.Trimmed;
            }
        }

        int remove = 0;
        while (remove < _chunks.Count && _chunks[remove].End <= frameEnd)
        {
            remove++;
        }

        _chunks.RemoveRange(0, remove);
    }

    private void Insert(Chunk chunk)
    {
        int index = _chunks.Count;
        while (index > 0 && _chunks[index - 1].Ts > chunk.Ts)
        {
            index--;
        }

        if (index > 0 && _chunks[index - 1].Ts == chunk.Ts)
        {
            _duplicates++; // same timestamp under another sequence number
            return;
        }

        _chunks.Insert(index, chunk);
        if (_chunks.Count > _options.MaxBufferedPackets)
        {
            Chunk oldest = _chunks[0];
            _chunks.RemoveAt(0);
            _late++;
            if (!_started && _chunks.Count > 0)
            {
                _cursor = _chunks[0].Ts;
            }
            else if (_started && oldest.End > _cursor)
            {
                _adjust -= oldest.End - _cursor;
                _cursor = oldest.End;
                if (oldest.Seq > _lastConsumedSeq)
                {
                    _lastConsumedSeq = oldest.Seq;
                    _lastConsumedEnd = oldest.End;
                }
            }
        }
    }

    private long CountMissing(long afterSeq, long beforeSeq)
    {
        long span = beforeSeq - afterSeq - 1;
        if (span <= 0)
        {
            return 0;
        }

        if (span > SeenSize / 2)
        {
            return span;
        }

        long missing = 0;
        for (long s = afterSeq + 1; s < beforeSeq; s++)
        {
            if (!IsSeen(s))
            {
                missing++;
            }
        }

        return missing;
    }

    private bool IsSeen(long extSeq) => _seen[extSeq & (SeenSize - 1)] == extSeq;

    private long CurrentDelayUnits()
    {
        long bucket = _pulls / _pullsPerBucket;
        if (_window.TryMaxLead(bucket, out long maxLead))
        {
            return maxLead + _adjust;
        }

        return _chunks.Count > 0 ? _chunks[^1].Ts - _cursor : 0;
    }

    private double DesiredTarget()
    {
        long spread = _window.Spread(_pulls / _pullsPerBucket);
        double candidate = Math.Max(spread, _options.JitterMultiplier * _source.JitterUnits) + _frameUnits;
        return Math.Clamp(candidate, _minUnits, _maxUnits);
    }

    private void RaiseTarget()
    {
        double desired = DesiredTarget();
        if (desired > _target)
        {
            _target = desired;
        }
    }

    private void DecayTarget()
    {
        double desired = DesiredTarget();
        _target = desired >= _target ? desired : Math.Max(desired, _target - _decayPerPull);
    }

    private void ResetStream()
    {
        _seqInit = false;
        _seqRawRef = 0;
        _seqOffset = 0;
        _tsInit = false;
        _tsRawRef = 0;
        _tsOffset = 0;
        _haveTransit = false;
        _audioPackets = 0;
        _started = false;
        _cursorSet = false;
        _cursor = 0;
        _adjust = 0;
        _lastConsumedSeq = 0;
        _lastConsumedEnd = 0;
        _lastChunkUnits = _frameUnits;
        _inUnderrun = false;
        _chunks.Clear();
        _window.Clear();
        Array.Fill(_seen, long.MinValue);
    }

    private static SilenceDetector? DefaultSilenceDetector(RtpPayloadFormat format, int threshold)
    {
        if (G711Level.MeanAbsolute(format, [format.SilenceByte ?? 0]) is null)
        {
            return null;
        }

        return payload => G711Level.MeanAbsolute(format, payload) <= threshold;
    }

    private sealed class Chunk(long ts, int units, long seq, byte payloadType, byte[] data, long tsOffset, long seqOffset)
    {
        public long TsOffset { get; } = tsOffset;

        public long SeqOffset { get; } = seqOffset;

        public long Ts { get; } = ts;

        public int Units { get; } = units;

        public long End => Ts + Units;

        public long Seq { get; } = seq;

        public byte PayloadType { get; } = payloadType;

        public byte[] Data { get; } = data;

        public int Trimmed { get; init; }

        public bool Marker { get; init; }
    }

    /// <summary>Per-second buckets of transit extremes and lead maxima; a bucket is a second of pulls.</summary>
    private sealed class Window(int buckets)
    {
        private readonly long[] _id = new long[buckets];
        private readonly long[] _minTransit = new long[buckets];
        private readonly long[] _maxTransit = new long[buckets];
        private readonly bool[] _hasTransit = new bool[buckets];
        private readonly long[] _maxLead = new long[buckets];
        private readonly bool[] _hasLead = new bool[buckets];

        public void Clear()
        {
            Array.Clear(_hasTransit);
            Array.Clear(_hasLead);
        }

        public void ClearTransit() => Array.Clear(_hasTransit);

        public void AddTransit(long bucket, long transit)
        {
            int slot = Slot(bucket);
            if (!_hasTransit[slot])
            {
                _minTransit[slot] = _maxTransit[slot] = transit;
                _hasTransit[slot] = true;
                return;
            }

            _minTransit[slot] = Math.Min(_minTransit[slot], transit);
            _maxTransit[slot] = Math.Max(_maxTransit[slot], transit);
        }

        public void AddLead(long bucket, long lead)
        {
            int slot = Slot(bucket);
            _maxLead[slot] = _hasLead[slot] ? Math.Max(_maxLead[slot], lead) : lead;
            _hasLead[slot] = true;
        }

        public long Spread(long bucket)
        {
            long min = long.MaxValue;
            long max = long.MinValue;
            for (int i = 0; i < _id.Length; i++)
            {
                if (_hasTransit[i] && bucket - _id[i] < _id.Length)
                {
                    min = Math.Min(min, _minTransit[i]);
                    max = Math.Max(max, _maxTransit[i]);
                }
            }

            return max >= min ? max - min : 0;
        }

        public bool TryMaxLead(long bucket, out long maxLead)
        {
            maxLead = long.MinValue;
            for (int i = 0; i < _id.Length; i++)
            {
                if (_hasLead[i] && bucket - _id[i] < _id.Length)
                {
                    maxLead = Math.Max(maxLead, _maxLead[i]);
                }
            }

            return maxLead != long.MinValue;
        }

        private int Slot(long bucket)
        {
            int slot = (int)(bucket % _id.Length);
            if (_id[slot] != bucket)
            {
                _id[slot] = bucket;
                _hasTransit[slot] = false;
                _hasLead[slot] = false;
            }

            return slot;
        }
    }
}
