namespace AudioFlow.Pipeline.Journal;

/// <summary>
/// Something that happened on a call, as the journal keeps it (one event-sourced journal per call id). Transcripts
/// and phone numbers live only in these structured fields, never in log text. <see cref="At"/> is wall-clock time.
/// </summary>
public abstract record CallEvent
{
    public DateTimeOffset At { get; init; } = DateTimeOffset.UtcNow;
}

/// <param name="RecordingPath">Where the call's recording is being written (recordings on), so that even a call cut
/// off by a crash points to its file; null when not recording (and in journals written before this field).</param>
public sealed record CallStarted(string CallId, string Transport, string InboundFormat, string OutboundFormat, string? From, string? To,
    string? ProviderCallId, string? RecordingPath = null) : CallEvent;

/// <summary>A caller turn as recognised; times are media ms from the start of the call, durations ms.</summary>
public sealed record CallerTurn(int Number, string Transcript, float Confidence, double SpeechStartMs, double SpeechEndMs,
    double? EndpointingMs, double? SttMs) : CallEvent;

/// <summary>An agent reply once it is over: what it said, what the caller actually heard, what it did.</summary>
public sealed record AgentReply(int ReplyId, string Trigger, int? Turn, string Text, bool Interrupted, string? HeardText,
    IReadOnlyList<string> Actions, double? ResponseLatencyMs) : CallEvent;

public sealed record DtmfReceived(char Digit, string Source) : CallEvent;

public sealed record TransferRequested(string Target) : CallEvent;

public sealed record TransferCompleted(string Target, bool Succeeded, string Detail) : CallEvent;

public sealed record StageRestarted(string Stage, string ErrorType, string Message, int ConsecutiveFailures) : CallEvent;

/// <summary>The transport reported a problem (protocol errors, lost connection, injected chaos).</summary>
public sealed record TransportError(string Kind, string Detail) : CallEvent;

public sealed record RecordingSaved(string Path, double DurationMs) : CallEvent;

/// <summary>A status or hang-up callback the telephony provider posted about the call (its fields as sent).</summary>
public sealed record ProviderCallback(string Kind, IReadOnlyDictionary<string, string> Fields) : CallEvent;

/// <summary>The call is over. Always the last event of a call's journal.</summary>
public sealed record CallEnded(string Reason, double DurationMs, long FramesReceived, long FramesAnalyzed, int Turns, int Restarts) : CallEvent;
