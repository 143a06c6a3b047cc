using System.Diagnostics;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// Timing of one caller turn, filled in by the stages it passes through (each field is written once, by one
/// stage) and read when the call ends. Times are <see cref="Stopwatch"/> timestamps; 0 means "did not happen".
/// </summary>
public sealed class TurnRecord
{
    private long _agentFirstOutputAt;
    private long _ttsFirstAudioAt;
    private long _firstReplyFrameSentAt;

    public TurnRecord(int number, long speechStartFrame, long speechEndFrame, long lastSpeechReceivedAt, long endOfTurnAt)
    {
        Number = number;
        SpeechStartFrame = speechStartFrame;
        SpeechEndFrame = speechEndFrame;
        LastSpeechReceivedAt = lastSpeechReceivedAt;
        EndOfTurnAt = endOfTurnAt;
    }

    public int Number { get; }

    /// <summary>First frame of confirmed speech (media time = frame × 20 ms).</summary>
    public long SpeechStartFrame { get; }

    /// <summary>Last frame the VAD judged to be speech.</summary>
    public long SpeechEndFrame { get; }

    /// <summary>When the transport delivered the last speech frame: "the caller stopped speaking".</summary>
    public long LastSpeechReceivedAt { get; }

    /// <summary>When the turn detector decided the turn was over (after the endpointing delay).</summary>
    public long EndOfTurnAt { get; }

    public long SttStartedAt { get; set; }

    public long SttFinishedAt { get; set; }

    public string? Transcript { get; set; }

    public float Confidence { get; set; }

    public long AgentFirstOutputAt => Volatile.Read(ref _agentFirstOutputAt);

    public long TtsFirstAudioAt => Volatile.Read(ref _ttsFirstAudioAt);

    public long FirstReplyFrameSentAt => Volatile.Read(ref _firstReplyFrameSentAt);

    public void MarkAgentFirstOutput() => SetOnce(ref _agentFirstOutputAt);

    public void MarkTtsFirstAudio() => SetOnce(ref _ttsFirstAudioAt);

    public void MarkFirstReplyFrameSent() => SetOnce(ref _firstReplyFrameSentAt);

    /// <summary>End of caller speech → first reply frame handed to the transport, in ms; null if no reply played.</summary>
    public double? ResponseLatencyMs => Between(LastSpeechReceivedAt, FirstReplyFrameSentAt);

    public double? EndpointingMs => Between(LastSpeechReceivedAt, EndOfTurnAt);

    public double? SttMs => Between(SttStartedAt, SttFinishedAt);

    public double? AgentMs => Between(SttFinishedAt, AgentFirstOutputAt);

    public double? TtsFirstAudioMs => Between(AgentFirstOutputAt, TtsFirstAudioAt);

    public double? PlayoutMs => Between(TtsFirstAudioAt, FirstReplyFrameSentAt);

    private static void SetOnce(ref long field) => Interlocked.CompareExchange(ref field, Stopwatch.GetTimestamp(), 0);

    private static double? Between(long from, long to) =>
        from == 0 || to == 0 ? null : Math.Round(Stopwatch.GetElapsedTime(from, to).TotalMilliseconds, 1);
}
