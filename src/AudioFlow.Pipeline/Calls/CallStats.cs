using System.Diagnostics;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// Everything measured about one call: frame counts at the pipeline's edges, turns with their timings, agent replies,
/// stage restarts and the end reason. Written concurrently by the call's stages, read when the call ends.
/// </summary>
public sealed class CallStats
{
    private readonly object _gate = new();
    private readonly List<TurnRecord> _turns = [];
    private readonly List<ReplyRecord> _replies = [];
    private readonly List<StageRestart> _restarts = [];
    private readonly List<string> _events = [];
    private readonly List<TimeSpan> _clears = [];
    private long _framesReceived;
    private long _framesDropped;
    private long _framesDecoded;
    private long _framesAnalyzed;
    private long _framesSent;
    private long _lateFrames;

    public CallStats(string callId, string transport)
    {
        CallId = callId;
        Transport = transport;
        StartedAt = Stopwatch.GetTimestamp();
    }

    public string CallId { get; }

    public string Transport { get; }

    public long StartedAt { get; }

    public string? EndReason { get; private set; }

    /// <summary>Stopwatch timestamp of the end (0 while the call runs).</summary>
    public long EndedAt { get; private set; }

    public TimeSpan Duration => Stopwatch.GetElapsedTime(StartedAt, EndedAt == 0 ? Stopwatch.GetTimestamp() : EndedAt);

    /// <summary>Caller frames the transport handed to the call.</summary>
    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>Caller frames the transport could not hand over (inbound buffer full); should stay 0.</summary>
    public long FramesDropped => Interlocked.Read(ref _framesDropped);

    public long FramesDecoded => Interlocked.Read(ref _framesDecoded);

    /// <summary>Caller frames that went through voice-activity detection: the "no frame lost" check compares this with <see cref="FramesReceived"/>.</summary>
    public long FramesAnalyzed => Interlocked.Read(ref _framesAnalyzed);

    /// <summary>Agent frames handed to the transport.</summary>
    public long FramesSent => Interlocked.Read(ref _framesSent);

    /// <summary>Agent frames sent later than their playout slot plus the lead.</summary>
    public long LateFrames => Interlocked.Read(ref _lateFrames);

    public void FrameReceived() => Interlocked.Increment(ref _framesReceived);

    public void FrameDropped() => Interlocked.Increment(ref _framesDropped);

    public void FrameDecoded() => Interlocked.Increment(ref _framesDecoded);

    public void FrameAnalyzed() => Interlocked.Increment(ref _framesAnalyzed);

    public void FrameSent() => Interlocked.Increment(ref _framesSent);

    public void FrameLate() => Interlocked.Increment(ref _lateFrames);

    public TurnRecord StartTurn(long speechStartFrame, long speechEndFrame, long lastSpeechReceivedAt, long endOfTurnAt)
    {
        lock (_gate)
        {
            var turn = new TurnRecord(_turns.Count + 1, speechStartFrame, speechEndFrame, lastSpeechReceivedAt, endOfTurnAt);
            _turns.Add(turn);
            return turn;
        }
    }

    public ReplyRecord StartReply(int replyId, int? turnNumber, string trigger)
    {
        lock (_gate)
        {
            var reply = new ReplyRecord(replyId, turnNumber, trigger);
            _replies.Add(reply);
            return reply;
        }
    }

    public void StageRestarted(string stage, Exception error, int consecutiveFailures)
    {
        lock (_gate)
        {
            _restarts.Add(new StageRestart(stage, error.GetType().Name, error.Message, consecutiveFailures, Stopwatch.GetElapsedTime(StartedAt)));
        }
    }

    public void Note(string callEvent)
    {
        lock (_gate)
        {
            _events.Add(callEvent);
        }
    }

    /// <summary>Records why the call ended; the first reason wins.</summary>
    public void Ended(string reason)
    {
        lock (_gate)
        {
            if (EndReason is null)
            {
                EndReason = reason;
                EndedAt = Stopwatch.GetTimestamp();
            }
        }
    }

    /// <summary>A barge-in clear went to the transport at <paramref name="mediaTime"/> (call clock).</summary>
    public void ClearSent(TimeSpan mediaTime)
    {
        lock (_gate)
        {
            _clears.Add(mediaTime);
        }
    }

    /// <summary>Media times of the clears sent to the transport.</summary>
    public IReadOnlyList<TimeSpan> Clears
    {
        get { lock (_gate) { return _clears.ToArray(); } }
    }

    public IReadOnlyList<TurnRecord> Turns
    {
        get { lock (_gate) { return _turns.ToArray(); } }
    }

    public IReadOnlyList<ReplyRecord> Replies
    {
        get { lock (_gate) { return _replies.ToArray(); } }
    }

    public IReadOnlyList<StageRestart> Restarts
    {
        get { lock (_gate) { return _restarts.ToArray(); } }
    }

    public IReadOnlyList<string> Events
    {
        get { lock (_gate) { return _events.ToArray(); } }
    }
}

/// <summary>One stage restart: which stage, what it threw, how many failures in a row, when (since call start).</summary>
public sealed record StageRestart(string Stage, string ErrorType, string Message, int ConsecutiveFailures, TimeSpan At);

/// <summary>One agent reply: its text as produced and as heard (shorter when the caller barged in).</summary>
public sealed class ReplyRecord(int replyId, int? turnNumber, string trigger)
{
    public int ReplyId { get; } = replyId;

    public int? TurnNumber { get; } = turnNumber;

    /// <summary>What the reply answers: "answered", "turn", "dtmf", "silence", ...</summary>
    public string Trigger { get; } = trigger;

    public string Text { get; set; } = string.Empty;

    public string? HeardText { get; set; }

    public bool Interrupted { get; set; }

    public List<string> Actions { get; } = [];

    /// <summary>Set once the reply's <see cref="Journal.AgentReply"/> event was recorded (exactly once per reply).</summary>
    public bool Journaled { get; set; }

    /// <summary>The journal event for this reply, as it stands now.</summary>
    public Journal.AgentReply ToEvent(double? responseLatencyMs) =>
        new(ReplyId, Trigger, TurnNumber, Text, Interrupted, HeardText, Actions.ToArray(), responseLatencyMs);
}
