namespace AudioFlow.Host.Simulator;

/// <summary>What one simulated provider call did and measured.</summary>
public sealed record DialResult(
    string Provider,
    string StreamId,
    string? ServerCallId,
    bool Completed,
    string EndedBy,
    double DurationMs,
    long FramesSent,
    long FramesReceived,
    long FramesPlayed,
    int Clears,
    int MarksRequested,
    int MarksAcknowledged,
    IReadOnlyList<double> ReplyLatencyMs,
    double MaxFrameLatenessMs,
    int LateFrames,
    long? ServerFramesLost,
    string? ServerEndReason,
    IReadOnlyList<string> Transcripts,
    IReadOnlyList<string> Errors)
{
    /// <summary>A frame arriving later than this behind its pacing slot counts as late.</summary>
    public const double LateThresholdMs = 60;
}
