using System.Threading.Channels;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Metrics;

namespace AudioFlow.Pipeline.Loopback;

/// <summary>
/// An in-process call channel: a simulated caller (<see cref="LoopbackCaller"/>) on one side, the call graph on the
/// other. It behaves like a well-mannered transport: caller frames go into a bounded buffer (a full buffer drops and
/// counts, as a network transport must never block), playout marks are acked as soon as they arrive (the audio before
/// them has been "played" by then, since playout is paced), transfers succeed and end the call, a hang-up completes
/// the inbound side. Everything the call sends is recorded with its media time for the caller to inspect.
/// </summary>
public sealed class LoopbackChannel : ICallChannel
{
    private readonly Channel<InboundEvent> _inbound;
    private readonly CallClock _clock;
    private readonly PayloadCodec _outboundCodec;
    private readonly object _gate = new();
    private readonly List<HeardFrame> _heard = [];
    private readonly List<(TimeSpan At, OutboundCommand Command)> _commands = [];
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _framesDropped;
    private int _marksAcked;

    public LoopbackChannel(string callId, MediaFormat format, CallClock clock, int inboundBufferFrames)
    {
        CallId = callId;
        InboundFormat = format;
        OutboundFormat = format;
        _clock = clock;
        _outboundCodec = PayloadCodec.For(format);
        _inbound = Channel.CreateBounded<InboundEvent>(new BoundedChannelOptions(inboundBufferFrames)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string CallId { get; }

    public string Transport => "loopback";

    public MediaFormat InboundFormat { get; }

    public MediaFormat OutboundFormat { get; }

    public ChannelReader<InboundEvent> Inbound => _inbound.Reader;

    public CallClock Clock => _clock;

    /// <summary>Completes when the call side hung up or transferred the call, or the caller hung up.</summary>
    public Task Ended => _ended.Task;

    public long FramesDropped => Interlocked.Read(ref _framesDropped);

    public int MarksAcked => Volatile.Read(ref _marksAcked);

    /// <summary>Agent frames as they arrived, decoded to PCM, with their media time of arrival.</summary>
    public IReadOnlyList<HeardFrame> Heard
    {
        get { lock (_gate) { return _heard.ToArray(); } }
    }

    /// <summary>Media time of the latest agent frame, if any.</summary>
    public TimeSpan? LastHeardAt
    {
        get { lock (_gate) { return _heard.Count > 0 ? _heard[^1].At : null; } }
    }

    /// <summary>Every non-media command the call sent, with its media time.</summary>
    public IReadOnlyList<(TimeSpan At, OutboundCommand Command)> Commands
    {
        get { lock (_gate) { return _commands.ToArray(); } }
    }

    /// <summary>The caller side hands one event to the call; false (and counted) when the buffer is full or the call is over.</summary>
    public bool TryDeliver(InboundEvent inboundEvent)
    {
        if (_inbound.Writer.TryWrite(inboundEvent))
        {
            return true;
        }

        if (inboundEvent is InboundMedia && !_ended.Task.IsCompleted)
        {
            Interlocked.Increment(ref _framesDropped);
            AudioFlowMetrics.InboundFramesDropped.Add(1, new KeyValuePair<string, object?>("transport", Transport));
        }

        return false;
    }

    /// <summary>The caller hangs up.</summary>
    public void CallerHangsUp(string reason)
    {
        _inbound.Writer.TryWrite(new CallerHungUp(reason));
        End();
    }

    public ValueTask SendAsync(OutboundCommand command, CancellationToken cancellationToken = default)
    {
        var at = _clock.Now;
        switch (command)
        {
            case OutboundMedia media:
                var pcm = new short[_outboundCodec.SamplesIn(media.Payload.Length)];
                _outboundCodec.Decode(media.Payload.Span, pcm);
                lock (_gate)
                {
                    _heard.Add(new HeardFrame(at, pcm));
                }

                return ValueTask.CompletedTask;
            case PlayoutMark mark:
                Record(at, command);
                Interlocked.Increment(ref _marksAcked);
                _inbound.Writer.TryWrite(new PlayoutMarkReached(mark.Name));
                return ValueTask.CompletedTask;
            case TransferCall transfer:
                Record(at, command);
                _inbound.Writer.TryWrite(new TransferResult(transfer.Target, true, "loopback accepts every transfer"));
                _inbound.Writer.TryWrite(new CallerHungUp("transferred"));
                End();
                return ValueTask.CompletedTask;
            case HangUp:
                Record(at, command);
                End();
                return ValueTask.CompletedTask;
            default:
                Record(at, command);
                return ValueTask.CompletedTask;
        }
    }

    private void Record(TimeSpan at, OutboundCommand command)
    {
        lock (_gate)
        {
            _commands.Add((at, command));
        }
    }

    private void End()
    {
        _inbound.Writer.TryComplete();
        _ended.TrySetResult();
    }
}

/// <summary>One frame of agent audio as the loopback caller received it.</summary>
public sealed record HeardFrame(TimeSpan At, short[] Pcm);
