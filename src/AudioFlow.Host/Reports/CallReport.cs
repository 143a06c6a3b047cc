using System.Text.Json;
using System.Text.Json.Serialization;
using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Loopback;

namespace AudioFlow.Host.Reports;

/// <summary>
/// The machine-readable account of one call (<c>audioflow call --json</c>, <c>GET /api/calls/recent</c>): turns with
/// transcripts and per-stage latency, replies and what was heard of them, restarts, frame accounting, end reason.
/// </summary>
public sealed record CallReport(
    string CallId,
    string Transport,
    string EndReason,
    double DurationMs,
    FrameReport Frames,
    IReadOnlyList<TurnReport> Turns,
    IReadOnlyList<ReplyReport> Replies,
    IReadOnlyList<RestartReport> Restarts,
    int BargeIns,
    IReadOnlyList<double> BargeInReactionMs,
    IReadOnlyList<string> Commands,
    IReadOnlyList<string> Events)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The server's view of a call (any transport).</summary>
    public static CallReport From(CallStats stats) => Build(stats, stats.FramesReceived, 0, Math.Round(stats.Duration.TotalMilliseconds), []);

    /// <summary>A loopback call: the server's view plus what the simulated caller sent, had dropped and was told.</summary>
    public static CallReport From(LoopbackCallOutcome outcome) => Build(
        outcome.Stats,
        outcome.Caller.FramesSent,
        outcome.Caller.FramesDropped,
        Math.Round(outcome.Caller.Duration.TotalMilliseconds),
        outcome.Caller.Commands.Where(c => c.Command is not ClearPlayout and not PlayoutMark)
            .Select(c => $"{c.At.TotalMilliseconds:F0}ms {Describe(c.Command)}").ToArray());

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    private static CallReport Build(CallStats stats, long callerSent, long droppedByChannel, double durationMs, IReadOnlyList<string> commands)
    {
        var turns = stats.Turns;
        return new CallReport(
            stats.CallId,
            stats.Transport,
            stats.EndReason ?? "in progress",
            durationMs,
            new FrameReport(callerSent, stats.FramesReceived, stats.FramesAnalyzed, callerSent - stats.FramesAnalyzed,
                droppedByChannel, stats.FramesSent, stats.LateFrames),
            turns.Select(t => new TurnReport(t.Number, t.Transcript ?? string.Empty, Math.Round(t.Confidence, 3),
                Math.Round(t.SpeechStartFrame * 20.0), Math.Round((t.SpeechEndFrame + 1) * 20.0),
                new LatencyReport(t.EndpointingMs, t.SttMs, t.AgentMs, t.TtsFirstAudioMs, t.PlayoutMs, t.ResponseLatencyMs))).ToArray(),
            stats.Replies.Select(r => new ReplyReport(r.ReplyId, r.Trigger, r.TurnNumber, r.Text, r.Interrupted, r.HeardText, r.Actions.ToArray())).ToArray(),
            stats.Restarts.Select(r => new RestartReport(r.Stage, r.ErrorType, r.Message, r.ConsecutiveFailures, Math.Round(r.At.TotalMilliseconds))).ToArray(),
            stats.Clears.Count,
            BargeInReactions(stats),
            commands,
            stats.Events);
    }

    /// <summary>
    /// For each clear sent to the transport: media time from the onset of the caller speech that caused it (the
    /// first speech frame of the turn that started just before) to the clear.
    /// </summary>
    private static double[] BargeInReactions(CallStats stats)
    {
        var onsets = stats.Turns.Select(t => TimeSpan.FromMilliseconds(t.SpeechStartFrame * 20.0)).ToArray();
        return stats.Clears
            .Select(clear => onsets.Where(o => o <= clear).Select(o => (clear - o).TotalMilliseconds).DefaultIfEmpty(double.NaN).Min())
            .Where(ms => !double.IsNaN(ms))
            .Select(ms => Math.Round(ms))
            .ToArray();
    }

    private static string Describe(OutboundCommand command) => command switch
    {
        TransferCall t => $"transfer {t.Target}",
        HangUp h => $"hang up ({h.Reason})",
        SendDtmf d => $"send DTMF {d.Digits}",
        _ => command.GetType().Name,
    };
}

/// <summary>
/// Frame accounting. <see cref="CallerSent"/>: frames the caller's side handed over (for server-side reports, the
/// frames the transport delivered); <see cref="Analyzed"/>: frames that went through VAD; <see cref="Lost"/> =
/// sent − analysed, which must be 0.
/// </summary>
public sealed record FrameReport(long CallerSent, long Received, long Analyzed, long Lost, long DroppedByChannel, long AgentSent, long AgentLate);

/// <summary>One caller turn; times of speech are media times (ms from the start of the call).</summary>
public sealed record TurnReport(int Number, string Transcript, double Confidence, double SpeechStartMs, double SpeechEndMs, LatencyReport LatencyMs);

/// <summary>
/// Where the time went between the caller's last word and the first reply frame: endpointing (waiting to be sure the
/// turn ended), recognition, agent, synthesis of the first sentence, playout queue; <see cref="Total"/> is the sum.
/// </summary>
public sealed record LatencyReport(double? Endpointing, double? Stt, double? Agent, double? TtsFirstAudio, double? Playout, double? Total);

public sealed record ReplyReport(int Id, string Trigger, int? Turn, string Text, bool Interrupted, string? Heard, IReadOnlyList<string> Actions);

public sealed record RestartReport(string Stage, string Error, string Message, int InARow, double AtMs);
