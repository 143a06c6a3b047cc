using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;
using AudioFlow.Audio.Dtmf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioFlow.Telephony.Rtp.Session;

/// <summary>
/// The media of one SIP call: an RTP/RTCP socket pair and what runs on it.
/// <list type="bullet">
/// <item><b>Inbound.</b> A receive loop per socket; RTP goes into a <see cref="JitterBuffer"/> (every packet, telephone
/// events included, for sequence accounting) and telephone events into a <see cref="TelephoneEventReceiver"/> (any
/// SSRC: some peers send DTMF on their own). Every 20 ms tick of the <see cref="RtpMediaClock"/> pulls exactly the
/// frames due by elapsed time (catching up after a late tick) and delivers each as one frame: audio, or codec silence
/// for lost and empty frames (<see cref="CodecSilence"/>), so the call's media time never stops. Without a negotiated
/// telephone-event the delivered audio is also decoded for the in-band <see cref="DtmfDetector"/>.</item>
/// <item><b>Outbound.</b> Agent frames arrive already paced by the call graph, a few frames ahead (its playout lead).
/// The session keeps its own frame clock per talkspurt and sends each frame at most one frame ahead of its slot, so a
/// clear (barge-in) drops what is queued and audio stops within one packet time; the first frame of a talkspurt goes
/// out at once (no added latency). Timestamps follow the sampling clock (+160 per 20 ms for PCMU, PCMA and G.722;
/// a pause advances them by its length) and the first packet of each talkspurt carries the marker bit.</item>
/// <item><b>Symmetric RTP.</b> Packets go to the SDP address until the peer's packets arrive, then to where they come
/// from (latching, also for RTCP); a new source is latched onto once the old one has been silent for a second.</item>
/// <item><b>RTCP.</b> SR (RR when we sent nothing new) with a report block about the source we receive, plus SDES
/// CNAME, at RFC 3550 intervals (~5 s); received SRs feed LSR/DLSR; an RTCP BYE for the source we receive ends the
/// call unless a new source appears within <see cref="RtpSessionOptions.RemoteByeGrace"/>; we send BYE when we stop.</item>
/// <item><b>Media timeout.</b> No RTP for <see cref="RtpSessionOptions.MediaTimeout"/> while RTP is expected (not on hold,
/// not inactive) is reported once.</item>
/// <item><b>DTMF out.</b> RFC 4733 events (<see cref="TelephoneEventWriter"/>, audio paused meanwhile) when negotiated,
/// else in-band tones encoded in the call's codec.</item>
/// </list>
/// Thread-safe: one lock guards the state; receive loops, ticks and the call's commands take it briefly.
/// </summary>
public sealed class RtpSession : IRtpClockListener, IAsyncDisposable
{
    private const int MaxCatchUpFrames = 10;
    private const int LateTalkspurtFrames = 3;

    /// <summary>A frame delivered more than this many frame times after it was due is late (the pipeline's 60 ms budget).</summary>
    private const int LateThresholdFrames = 3;
    private static readonly TimeSpan FrameTime = TimeSpan.FromMilliseconds(20);

    private readonly object _gate = new();
    private readonly RtpPortBinding _ports;
    private readonly RtpSessionOptions _options;
    private readonly ILogger _logger;
    private readonly string _logId;
    private readonly RtpMediaClock _clock;
    private readonly long _frameTicks;
    private readonly RtcpIntervals _rtcpIntervals = new();
    private readonly List<DtmfEvent> _dtmfEvents = [];
    private readonly Queue<ReadOnlyMemory<byte>> _outbound = new();
    private readonly Queue<char> _digitsOut = new();
    private readonly List<(string Name, long After)> _marks = [];
    private readonly byte[] _sendBuffer = new byte[1500];
    private readonly List<Task> _loops = [];

    private IRtpSessionEvents? _events;
    private RtpMediaParameters? _parameters;
    private JitterBuffer _jitter = new();
    private TelephoneEventReceiver? _teReceiver;
    private RtpStreamWriter? _writer;
    private TelephoneEventWriter? _teWriter;
    private DtmfDetector? _inband;
    private PayloadCodec? _inbandCodec;
    private short[] _pcm = [];
    private ReadOnlyMemory<byte> _silence;
    private MediaFormat? _callFormat;
    private PayloadTranscoder? _fromWire;
    private PayloadTranscoder? _toWire;

    private IPEndPoint? _remoteRtp;
    private IPEndPoint? _remoteRtcp;
    private bool _rtpLatched;
    private bool _rtcpLatched;
    private long _lastFromLatched;

    private bool _running;
    private bool _stopped;
    private long _startedAt;
    private long _pullEpoch;
    private long _framesPulled;

    private bool _talkspurt;
    private long _talkspurtStart;
    private long _slot;
    private long _enqueued;
    private long _done;
    private uint _tsBase;
    private long _tsEpoch;
    private long _dtmfResumeAt;

    private long _lastRtpAt;
    private bool _timeoutReported;
    private long _nextRtcpAt;
    private long _lastReportedPackets;
    private long _byeAt;
    private uint? _byeSsrc;
    private string? _byeReason;
    private bool _byeReported;

    private long _packetsReceived;
    private long _packetsSent;
    private long _framesDelivered;
    private long _framesAudio;
    private long _framesLost;
    private long _framesEmpty;
    private long _lateTicks;
    private long _maxBehind;
    private long _skippedFrames;
    private long _framesSent;
    private long _droppedOutbound;
    private long _lateSends;
    private long _digitsReceived;
    private long _digitsSent;
    private long _rtcpSent;
    private long _rtcpReceived;
    private long _malformed;
    private long _latches;
    private long _lostReported;
    private long _lateReported;

    private RtpSession(RtpPortBinding ports, RtpSessionOptions options, ILogger logger, string logId)
    {
        _ports = ports;
        _options = options;
        _logger = logger;
        _logId = logId;
        _clock = options.EffectiveClock;
        _frameTicks = (long)(FrameTime.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>
    /// Binds a port pair on <paramref name="bindAddress"/> (throws <see cref="RtpPortsExhaustedException"/> when none is
    /// free). Nothing is received or sent until <see cref="Start"/>.
    /// </summary>
    public static RtpSession Open(RtpPortAllocator allocator, IPAddress bindAddress, RtpSessionOptions? options = null, ILogger? logger = null, string? logId = null)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        var ports = allocator.Bind(bindAddress);
        return new RtpSession(ports, options ?? new RtpSessionOptions(), logger ?? NullLogger.Instance, logId ?? $"rtp-{ports.RtpPort}");
    }

    public IPAddress LocalAddress => _ports.Address;

    public int LocalRtpPort => _ports.RtpPort;

    public int LocalRtcpPort => _ports.RtcpPort;

    /// <summary>The parameters in force (null before <see cref="Start"/>).</summary>
    public RtpMediaParameters? Parameters
    {
        get
        {
            lock (_gate)
            {
                return _parameters;
            }
        }
    }

    /// <summary>Our SSRC (0 before <see cref="Start"/>).</summary>
    public uint Ssrc
    {
        get
        {
            lock (_gate)
            {
                return _writer?.Ssrc ?? 0;
            }
        }
    }

    /// <summary>Agent frames waiting for their slot.</summary>
    public int QueuedFrames
    {
        get
        {
            lock (_gate)
            {
                return _outbound.Count;
            }
        }
    }

    public bool IsStopped
    {
        get
        {
            lock (_gate)
            {
                return _stopped;
            }
        }
    }

    /// <summary>Starts receiving, delivering frames and sending, with the negotiated <paramref name="parameters"/>.</summary>
    public void Start(RtpMediaParameters parameters, IRtpSessionEvents events)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(events);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            if (_running)
            {
                throw new InvalidOperationException("the session is already started");
            }

            var now = Stopwatch.GetTimestamp();
            _events = events;
            _callFormat = parameters.Format;
            Apply(parameters, now, initial: true);
            _startedAt = now;
            _lastRtpAt = now;
            _nextRtcpAt = now + ToTicks(_rtcpIntervals.Next());
            _running = true;
            SendDue(now);
        }

        _loops.Add(Task.Run(() => ReceiveLoopAsync(_ports.Rtp, rtcpSocket: false)));
        _loops.Add(Task.Run(() => ReceiveLoopAsync(_ports.Rtcp, rtcpSocket: true)));
        _clock.Add(this);
        _logger.LogDebug("[call {CallId}] RTP on {Local}:{Port}: {Parameters}", _logId, LocalAddress, LocalRtpPort, parameters);
    }

    /// <summary>
    /// New parameters from a re-INVITE: hold/resume (send, receive, on hold), a new remote address (unlatches), a new
    /// payload type, a new codec. The call keeps the format it started with (the call graph's codec is fixed): when the
    /// wire format differs, frames are transcoded both ways (<see cref="PayloadTranscoder"/>).
    /// </summary>
    public void Update(RtpMediaParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            Apply(parameters, Stopwatch.GetTimestamp(), initial: false);
        }

        _logger.LogInformation("[call {CallId}] RTP updated: {Parameters}", _logId, parameters);
    }

    private void Apply(RtpMediaParameters parameters, long now, bool initial)
    {
        var previous = _parameters;
        _parameters = parameters;
        var format = parameters.RtpFormat;
        var writerChanged = false;
        var formatChanged = !initial && previous!.Format != parameters.Format;
        if (initial || formatChanged)
        {
            var callFormat = _callFormat!;
            _fromWire = parameters.Format == callFormat ? null : new PayloadTranscoder(parameters.Format, callFormat);
            _toWire = parameters.Format == callFormat ? null : new PayloadTranscoder(callFormat, parameters.Format);
        }

        if (initial || formatChanged || previous!.RtpFormat.PayloadType != format.PayloadType)
        {
            _writer = _writer is null
                ? new RtpStreamWriter(format)
                : new RtpStreamWriter(format, _writer.Ssrc, _writer.NextSequenceNumber, _writer.NextTimestamp);
            writerChanged = true;
            _tsBase = _writer.NextTimestamp;
            _tsEpoch = now;
            _jitter = new JitterBuffer(new JitterBufferOptions
            {
                Format = format,
                FrameDuration = FrameTime,
                MinDelay = _options.JitterMinDelay,
                MaxDelay = _options.JitterMaxDelay,
            });
            _silence = CodecSilence.Frame(_callFormat!); // delivered to the call, so in the call's format
        }

        if (initial || writerChanged || formatChanged || previous!.TelephoneEventPayloadType != parameters.TelephoneEventPayloadType)
        {
            if (parameters.TelephoneEventPayloadType is { } te)
            {
                _teReceiver = new TelephoneEventReceiver(format.ClockRate, (byte)te);
                _teWriter = new TelephoneEventWriter(_writer!, (byte)te, packetInterval: FrameTime);
                _inband = null;
                _inbandCodec = null;
            }
            else if (_inband is null || formatChanged)
            {
                _teReceiver = null;
                _teWriter = null;
                _digitsOut.Clear();
                _inbandCodec = PayloadCodec.For(parameters.Format);
                _inband = new DtmfDetector(parameters.Format.SampleRate);
                _pcm = new short[_inbandCodec.SamplesIn(parameters.Format.BytesPerFrame)];
            }
        }

        if (initial || !Same(previous!.RemoteRtp, parameters.RemoteRtp))
        {
            _remoteRtp = parameters.RemoteRtp;
            _rtpLatched = false;
        }

        if (initial || !Same(previous!.RemoteRtcp, parameters.RemoteRtcp))
        {
            _remoteRtcp = parameters.RemoteRtcp;
            _rtcpLatched = false;
        }

        if (!parameters.Send)
        {
            DropQueued();
            _talkspurt = false;
        }
        else if (previous is { Send: false })
        {
            _talkspurt = false; // resuming: the next frame starts a talkspurt (marker, timestamp jump)
        }

        if (previous is null || previous.Receive != parameters.Receive || previous.OnHold != parameters.OnHold)
        {
            _lastRtpAt = now;
            _timeoutReported = false;
        }
    }

    private static bool Same(IPEndPoint? a, IPEndPoint? b) => a is null ? b is null : a.Equals(b);

    // ------------------------------------------------------------------ outbound (the call's commands)

    /// <summary>Queues one 20 ms agent frame; it leaves at its slot (at once when it starts a talkspurt). False when dropped.</summary>
    public bool SendMedia(ReadOnlyMemory<byte> payload)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return false;
            }

            _enqueued++;
            if (_parameters is { Send: false })
            {
                Dropped(1);
                _done++;
                AckMarks();
                return false;
            }

            if (_outbound.Count >= _options.MaxQueuedFrames)
            {
                _outbound.Dequeue();
                Dropped(1);
                _done++;
            }

            _outbound.Enqueue(payload);
            if (_running)
            {
                SendDue(Stopwatch.GetTimestamp());
            }

            return true;
        }
    }

    /// <summary>Drops the queued agent audio (barge-in) and forgets the marks behind it; returns how many frames were dropped.</summary>
    public int Clear()
    {
        lock (_gate)
        {
            var dropped = DropQueued();
            _marks.Clear();
            _talkspurt = false;
            _writer?.StartTalkspurt();
            return dropped;
        }
    }

    /// <summary>Reports <see cref="IRtpSessionEvents.OnMarkReached"/> once the frames queued so far have left (at once when none wait).</summary>
    public void Mark(string name)
    {
        lock (_gate)
        {
            if (_outbound.Count == 0 || _stopped)
            {
                _events?.OnMarkReached(name);
                return;
            }

            _marks.Add((name, _enqueued));
        }
    }

    /// <summary>
    /// Sends DTMF digits: RFC 4733 events when telephone-event was negotiated (returns true), else in-band tones in the
    /// call's codec, queued like agent audio (returns false). Characters that are not DTMF digits are skipped.
    /// </summary>
    public bool SendDigits(string digits)
    {
        ArgumentNullException.ThrowIfNull(digits);
        var valid = new string(digits.Where(d => TelephoneEvent.TryGetEventCode(char.ToUpperInvariant(d), out _)).Select(char.ToUpperInvariant).ToArray());
        lock (_gate)
        {
            if (_stopped || valid.Length == 0)
            {
                return _teWriter is not null;
            }

            if (_teWriter is not null)
            {
                foreach (var digit in valid)
                {
                    _digitsOut.Enqueue(digit);
                }

                return true;
            }

            var format = _callFormat ?? _parameters!.Format; // queued frames are in the call's format (transcoded when sent)
            var codec = PayloadCodec.For(format);
            var samples = DtmfToneGenerator.Generate(valid, format.SampleRate, (int)_options.DtmfToneDuration.TotalMilliseconds, (int)_options.DtmfGap.TotalMilliseconds);
            var perFrame = codec.SamplesIn(format.BytesPerFrame);
            for (var offset = 0; offset < samples.Length; offset += perFrame)
            {
                var frame = new short[perFrame];
                samples.AsSpan(offset, Math.Min(perFrame, samples.Length - offset)).CopyTo(frame);
                var payload = new byte[format.BytesPerFrame];
                codec.Encode(frame, payload);
                _outbound.Enqueue(payload);
                _enqueued++;
            }

            _digitsSent += valid.Length;
            if (_running)
            {
                SendDue(Stopwatch.GetTimestamp());
            }

            return false;
        }
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) until the queued agent audio has been sent.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + ToTicks(timeout);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            lock (_gate)
            {
                if (_outbound.Count == 0 || _stopped || !_running)
                {
                    return;
                }
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    private int DropQueued()
    {
        var dropped = _outbound.Count;
        _outbound.Clear();
        if (dropped > 0)
        {
            Dropped(dropped);
            _done += dropped;
        }

        return dropped;
    }

    private void Dropped(int frames)
    {
        _droppedOutbound += frames;
        RtpSessionMetrics.OutboundDropped.Add(frames);
    }

    // ------------------------------------------------------------------ the tick

    /// <inheritdoc />
    public void OnTick(long now)
    {
        List<Action>? deferred = null;
        lock (_gate)
        {
            if (!_running || _stopped)
            {
                return;
            }

            try
            {
                TickInbound(now);
                TickOutbound(now);
                TickRtcp(now);
                deferred = CheckTimeouts(now);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "[call {CallId}] RTP tick failed", _logId);
            }
        }

        if (deferred is not null)
        {
            foreach (var action in deferred)
            {
                ThreadPool.QueueUserWorkItem(_ => action());
            }
        }
    }

    private void TickInbound(long now)
    {
        if (_framesPulled == 0)
        {
            _pullEpoch = now; // frames are due on the clock's ticks from the first one on
        }

        var due = (now - _pullEpoch) / _frameTicks + 1 - _framesPulled;
        if (due <= 0)
        {
            return;
        }

        var behind = now - (_pullEpoch + _framesPulled * _frameTicks);
        if (behind > _maxBehind)
        {
            _maxBehind = behind;
        }

        if (behind > LateThresholdFrames * _frameTicks)
        {
            _lateTicks++;
            RtpSessionMetrics.LateTicks.Add(1);
        }

        if (due > MaxCatchUpFrames)
        {
            _skippedFrames += due - MaxCatchUpFrames;
            _framesPulled += due - MaxCatchUpFrames;
            due = MaxCatchUpFrames;
        }

        var events = _events!;
        for (var i = 0; i < due; i++)
        {
            var frame = _jitter.Pull();
            _framesPulled++;
            _framesDelivered++;
            ReadOnlyMemory<byte> payload;
            switch (frame.Kind)
            {
                case JitterBufferFrameKind.Audio:
                    _framesAudio++;
                    payload = _fromWire is { } fromWire ? fromWire.Convert(frame.Payload.Span) : frame.Payload;
                    break;
                case JitterBufferFrameKind.Lost:
                    _framesLost++;
                    payload = _silence;
                    break;
                default:
                    _framesEmpty++;
                    payload = _silence;
                    break;
            }

            events.OnMedia(payload);
            if (_inband is not null && frame.Kind == JitterBufferFrameKind.Audio && frame.Payload.Length == _parameters!.Format.BytesPerFrame)
            {
                var samples = _inbandCodec!.Decode(frame.Payload.Span, _pcm);
                _inband.Process(_pcm.AsSpan(0, samples));
                while (_inband.TryReadDigit(out var digit))
                {
                    _digitsReceived++;
                    events.OnDigit(digit.Digit, "inband");
                }
            }
        }

        _dtmfEvents.Clear();
        _teReceiver?.Poll(Arrival(now), _dtmfEvents);
        if (_framesPulled % 50 != 0)
        {
            return; // the jitter buffer's counters go to the metrics once a second
        }

        var stats = _jitter.Statistics;
        if (stats.FramesLost > _lostReported)
        {
            RtpSessionMetrics.FramesLost.Add(stats.FramesLost - _lostReported);
            _lostReported = stats.FramesLost;
        }

        if (stats.Late > _lateReported)
        {
            RtpSessionMetrics.LatePackets.Add(stats.Late - _lateReported);
            _lateReported = stats.Late;
        }
    }

    private void TickOutbound(long now)
    {
        if (_teWriter is { IsActive: true })
        {
            SendEventPacket(now);
            DropDueAudio(now);
            return;
        }

        if (_teWriter is not null && _digitsOut.Count > 0 && now >= _dtmfResumeAt && _parameters!.Send)
        {
            _teWriter.Begin(_digitsOut.Dequeue(), _options.DtmfToneDuration);
            _talkspurt = false;
            SendEventPacket(now);
            DropDueAudio(now);
            return;
        }

        SendDue(now);
    }

    private void SendEventPacket(long now)
    {
        var length = _teWriter!.WriteNext(_sendBuffer);
        if (length > 0)
        {
            SendRtp(length);
        }

        if (!_teWriter.IsActive)
        {
            _digitsSent++;
            _dtmfResumeAt = now + ToTicks(_options.DtmfGap);
        }
    }

    private void DropDueAudio(long now)
    {
        // While an event plays, audio is paused (RFC 4733 §2.5.1.1 allows either); frames whose time passes are dropped.
        while (_outbound.Count > 0 && _talkspurt && _talkspurtStart + _slot * _frameTicks <= now)
        {
            _outbound.Dequeue();
            Dropped(1);
            _done++;
            _slot++;
        }

        AckMarks();
    }

    private void SendDue(long now)
    {
        if (_parameters is not { Send: true })
        {
            return;
        }

        while (_outbound.Count > 0)
        {
            if (!_talkspurt)
            {
                StartTalkspurt(now);
            }

            var slotAt = _talkspurtStart + _slot * _frameTicks;
            if (slotAt > now + _frameTicks)
            {
                break; // more than one frame ahead of its slot: wait
            }

            if (now - slotAt > LateTalkspurtFrames * _frameTicks)
            {
                // The call graph paused longer than a jitter budget: a new talkspurt, timestamps jump by the pause.
                StartTalkspurt(now);
            }
            else if (now - slotAt > _frameTicks)
            {
                _lateSends++;
            }

            var payload = _outbound.Dequeue();
            if (_toWire is not null)
            {
                payload = _toWire.Convert(payload.Span);
            }

            var length = _writer!.Write(payload.Span, _sendBuffer);
            SendRtp(length);
            _framesSent++;
            _done++;
            _slot++;
        }

        AckMarks();
        if (_talkspurt && _outbound.Count == 0 && now - (_talkspurtStart + _slot * _frameTicks) > LateTalkspurtFrames * _frameTicks)
        {
            _talkspurt = false;
        }
    }

    private void StartTalkspurt(long now)
    {
        _talkspurt = true;
        _talkspurtStart = now;
        _slot = 0;
        var writer = _writer!;
        var unitsPerFrame = writer.Format.TimestampUnits(FrameTime);
        var expected = unchecked(_tsBase + (uint)((now - _tsEpoch) / _frameTicks * unitsPerFrame));
        var ahead = unchecked((int)(expected - writer.NextTimestamp));
        if (ahead > 0)
        {
            writer.SkipSilence((uint)ahead);
        }
        else
        {
            writer.StartTalkspurt();
        }
    }

    private void AckMarks()
    {
        if (_marks.Count == 0)
        {
            return;
        }

        for (var i = 0; i < _marks.Count; i++)
        {
            if (_marks[i].After <= _done)
            {
                _events?.OnMarkReached(_marks[i].Name);
                _marks.RemoveAt(i--);
            }
        }
    }

    private void SendRtp(int length)
    {
        if (_remoteRtp is not { } destination || !Sendable(destination))
        {
            return;
        }

        try
        {
            _ports.Rtp.SendTo(_sendBuffer.AsSpan(0, length), SocketFlags.None, destination);
            _packetsSent++;
            RtpSessionMetrics.PacketsSent.Add(1);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // a failed datagram is a lost packet; the peer's jitter buffer copes
        }
    }

    private static bool Sendable(IPEndPoint destination) =>
        destination.Port != 0 && !destination.Address.Equals(IPAddress.Any) && !destination.Address.Equals(IPAddress.IPv6Any);

    // ------------------------------------------------------------------ RTCP

    private void TickRtcp(long now)
    {
        if (now < _nextRtcpAt)
        {
            return;
        }

        var weSent = _writer!.PacketCount > _lastReportedPackets;
        SendRtcp(now, bye: null);
        _nextRtcpAt = now + ToTicks(_rtcpIntervals.Next(weSent));
    }

    private void SendRtcp(long now, string? bye)
    {
        var writer = _writer!;
        var destination = _parameters!.RtcpMux ? _remoteRtp : _remoteRtcp;
        if (destination is null || !Sendable(destination))
        {
            return;
        }

        var source = _jitter.SourceStatistics;
        IReadOnlyList<RtcpReportBlock> blocks = source.IsInitialized ? [source.CreateReportBlock(Arrival(now))] : [];
        RtcpPacket report = writer.PacketCount > _lastReportedPackets
            ? RtcpSenderReport.FromWriter(writer, DateTimeOffset.UtcNow, CurrentTimestamp(now), blocks)
            : new RtcpReceiverReport(writer.Ssrc, blocks);
        _lastReportedPackets = writer.PacketCount;
        List<RtcpPacket> packets = [report, RtcpSourceDescription.Cname(writer.Ssrc, _options.Cname)];
        if (bye is not null)
        {
            packets.Add(new RtcpBye([writer.Ssrc], bye));
        }

        var bytes = new RtcpCompoundPacket(packets).ToArray();
        try
        {
            (_parameters.RtcpMux ? _ports.Rtp : _ports.Rtcp).SendTo(bytes, SocketFlags.None, destination);
            _rtcpSent++;
            _rtcpIntervals.OnPacket(bytes.Length);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    /// <summary>The RTP timestamp of "now" on our sampling clock (for the SR).</summary>
    private uint CurrentTimestamp(long now)
    {
        var clock = _writer!.Format.ClockRate;
        return unchecked(_tsBase + (uint)((now - _tsEpoch) * clock / Stopwatch.Frequency));
    }

    private List<Action>? CheckTimeouts(long now)
    {
        List<Action>? deferred = null;
        var events = _events!;
        if (_byeAt != 0 && now >= _byeAt && !_byeReported)
        {
            _byeAt = 0;
            _byeReported = true;
            var reason = _byeReason;
            (deferred ??= []).Add(() => events.OnRemoteBye(reason));
        }

        var timeout = _options.MediaTimeout;
        if (timeout > TimeSpan.Zero && _parameters!.Receive && !_parameters.OnHold && !_timeoutReported
            && now - _lastRtpAt > ToTicks(timeout))
        {
            _timeoutReported = true;
            RtpSessionMetrics.MediaTimeouts.Add(1);
            var silent = Stopwatch.GetElapsedTime(_lastRtpAt, now);
            (deferred ??= []).Add(() => events.OnMediaTimeout(silent));
        }

        return deferred;
    }

    // ------------------------------------------------------------------ inbound (the sockets)

    private async Task ReceiveLoopAsync(Socket socket, bool rtcpSocket)
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Any : IPAddress.Any, 0);
        while (true)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any).ConfigureAwait(false);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException) when (IsStopped)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP errors surfacing on the socket: nothing to do about them here
            }

            try
            {
                OnDatagram(buffer.AsSpan(0, received.ReceivedBytes), (IPEndPoint)received.RemoteEndPoint, Stopwatch.GetTimestamp(), rtcpSocket);
            }
            catch (Exception e)
            {
                _logger.LogError(e, "[call {CallId}] RTP datagram handling failed", _logId);
            }
        }
    }

    /// <summary>Handles one datagram as if it arrived on the RTP (or RTCP) socket (the receive loops call it; tests may too).</summary>
    internal void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint from, long arrival, bool rtcpSocket)
    {
        Action? deferred = null;
        lock (_gate)
        {
            if (_stopped || !_running)
            {
                return;
            }

            if (rtcpSocket || RtpPacket.IsRtcp(datagram))
            {
                OnRtcp(datagram, from, arrival, rtcpSocket);
                return;
            }

            if (!RtpPacket.TryParse(datagram, out var packet, out _))
            {
                _malformed++;
                RtpSessionMetrics.Malformed.Add(1);
                if (_malformed is 1 or 100 or 10000)
                {
                    var events = _events!;
                    var count = _malformed;
                    deferred = () => events.OnProblem("rtp-malformed", $"{count} datagrams on the RTP port that are not RTP (last from {from})");
                }

                return;
            }

            _packetsReceived++;
            RtpSessionMetrics.PacketsReceived.Add(1);
            var parameters = _parameters!;
            var isEvent = parameters.TelephoneEventPayloadType is { } te && packet.PayloadType == te;
            var isAudio = packet.PayloadType == parameters.RtpFormat.PayloadType;
            if (isEvent || isAudio)
            {
                deferred = Latch(from, arrival);
                _lastRtpAt = arrival;
                _timeoutReported = false;
                if (_byeAt != 0 && packet.Ssrc != _byeSsrc)
                {
                    _byeAt = 0; // a new source after the BYE: the peer is still there
                }
            }

            _jitter.Push(packet, Arrival(arrival));
            if (isEvent && _teReceiver is not null)
            {
                _dtmfEvents.Clear();
                _teReceiver.Process(packet, Arrival(arrival), _dtmfEvents);
                foreach (var e in _dtmfEvents)
                {
                    if (e.Kind == DtmfEventKind.Pressed)
                    {
                        _digitsReceived++;
                        _events!.OnDigit(e.Digit, "rfc4733");
                    }
                }
            }
        }

        if (deferred is not null)
        {
            ThreadPool.QueueUserWorkItem(_ => deferred());
        }
    }

    private Action? Latch(IPEndPoint from, long now)
    {
        if (!_rtpLatched)
        {
            _rtpLatched = true;
            _lastFromLatched = now;
            if (!from.Equals(_remoteRtp))
            {
                _latches++;
                _logger.LogDebug("[call {CallId}] RTP latched onto {Source} (SDP said {Sdp})", _logId, from, _remoteRtp);
                _remoteRtp = from;
            }

            return null;
        }

        if (from.Equals(_remoteRtp))
        {
            _lastFromLatched = now;
            return null;
        }

        if (now - _lastFromLatched <= ToTicks(_options.RelatchAfter))
        {
            return null; // a stray source while the latched one is alive: ignore it for sending
        }

        var previous = _remoteRtp;
        _remoteRtp = from;
        _lastFromLatched = now;
        _latches++;
        var events = _events!;
        return () => events.OnProblem("rtp-source-changed", $"RTP now comes from {from} (was {previous}): sending there");
    }

    private void OnRtcp(ReadOnlySpan<byte> datagram, IPEndPoint from, long arrival, bool rtcpSocket)
    {
        if (!RtcpCompoundPacket.TryParse(datagram, out var compound, out _) || compound is null)
        {
            _malformed++;
            RtpSessionMetrics.Malformed.Add(1);
            return;
        }

        _rtcpReceived++;
        _rtcpIntervals.OnPacket(datagram.Length);
        if (rtcpSocket && (!_rtcpLatched || !from.Equals(_remoteRtcp)))
        {
            _rtcpLatched = true;
            _remoteRtcp = from;
        }

        var source = _jitter.SourceStatistics;
        foreach (var sr in compound.SenderReports)
        {
            if (source.IsInitialized && sr.Ssrc == source.Ssrc)
            {
                source.OnSenderReport(sr.NtpTimestamp, Arrival(arrival));
            }
        }

        foreach (var bye in compound.Byes)
        {
            var current = _jitter.Ssrc;
            if (current is null || bye.Ssrcs.Contains(current.Value))
            {
                _byeAt = arrival + ToTicks(_options.RemoteByeGrace);
                _byeSsrc = current ?? bye.Ssrcs.FirstOrDefault();
                _byeReason = bye.Reason;
            }
        }
    }

    private TimeSpan Arrival(long timestamp) => Stopwatch.GetElapsedTime(_startedAt == 0 ? timestamp : _startedAt, timestamp);

    private static long ToTicks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    // ------------------------------------------------------------------ statistics and shutdown

    public RtpSessionStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                var jitter = _jitter.Statistics;
                return new RtpSessionStatistics
                {
                    PacketsReceived = _packetsReceived,
                    PacketsSent = _packetsSent,
                    FramesDelivered = _framesDelivered,
                    FramesAudio = _framesAudio,
                    FramesLost = _framesLost,
                    FramesEmpty = _framesEmpty,
                    Underruns = jitter.Underruns,
                    LatePackets = jitter.Late,
                    PacketsLost = jitter.PacketsLost,
                    Duplicates = jitter.Duplicates,
                    JitterMs = Math.Round(jitter.Jitter.TotalMilliseconds, 2),
                    JitterBufferDelayMs = Math.Round(jitter.TargetDelay.TotalMilliseconds, 1),
                    LateTicks = _lateTicks,
                    MaxDeliveryDelayMs = Math.Round(Stopwatch.GetElapsedTime(0, _maxBehind).TotalMilliseconds, 1),
                    SkippedFrames = _skippedFrames,
                    FramesSent = _framesSent,
                    FramesDroppedOutbound = _droppedOutbound,
                    LateSends = _lateSends,
                    DigitsReceived = _digitsReceived,
                    DigitsSent = _digitsSent,
                    RtcpSent = _rtcpSent,
                    RtcpReceived = _rtcpReceived,
                    Malformed = _malformed,
                    Latches = _latches,
                    RemoteRtp = _remoteRtp?.ToString(),
                };
            }
        }
    }

    /// <summary>Stops: sends an RTCP BYE, closes the sockets (returning the ports), ends the receive loops.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            if (_running)
            {
                SendRtcp(Stopwatch.GetTimestamp(), bye: "call ended");
            }

            _stopped = true;
            _running = false;
            _outbound.Clear();
            _marks.Clear();
        }

        _clock.Remove(this);
        _ports.Dispose();
        try
        {
            await Task.WhenAll(_loops).WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            _logger.LogDebug("[call {CallId}] RTP receive loops did not stop within 2 s", _logId);
        }
    }
}
