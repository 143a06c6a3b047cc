using System.Text.Json;
using AudioFlow.Pipeline.Journal;

namespace AudioFlow.Host.Reports;

/// <summary>How journaled calls are shown: one line per call, one line per event, or JSON (event type in "type").</summary>
public static class JournalViews
{
    public sealed record CallSummary(string CallId, DateTimeOffset StartedAt, string? Transport, double? DurationMs, int Turns, string? EndReason);

    public static CallSummary Summarize(JournaledCall call) => new(call.CallId, call.StartedAt, call.Started?.Transport,
        call.Ended?.DurationMs, call.Events.OfType<CallerTurn>().Count(), call.Ended?.Reason);

    public static string ListText(IReadOnlyList<JournaledCall> calls)
    {
        if (calls.Count == 0)
        {
            return "no calls in the journal";
        }

        return string.Join(Environment.NewLine, calls.Select(Summarize).Select(c =>
            $"{c.CallId}  {c.StartedAt:yyyy-MM-dd HH:mm:ss}  {c.Transport ?? "?",-9} {(c.DurationMs is { } ms ? $"{ms / 1000:F1} s" : "-"),8}  " +
            $"{c.Turns} turns  {c.EndReason ?? "(no end)"}"));
    }

    public static string ShowText(JournaledCall call) => string.Join(Environment.NewLine,
        call.Events.Select(e => $"{e.At:HH:mm:ss.fff} {e.GetType().Name} {Details(e)}").Prepend($"call {call.CallId}"));

    public static string ListJson(IReadOnlyList<JournaledCall> calls) => JsonSerializer.Serialize(calls.Select(Summarize), CallReport.Json);

    public static string ShowJson(JournaledCall call) => JsonSerializer.Serialize(new
    {
        callId = call.CallId,
        events = call.Events.Select(e => new Dictionary<string, object?> { ["type"] = e.GetType().Name, ["event"] = e }),
    }, CallReport.Json);

    private static string Details(CallEvent e) => e switch
    {
        CallStarted s => $"{s.Transport} in {s.InboundFormat} out {s.OutboundFormat}" + (s.RecordingPath is { } path ? $", recording to {path}" : string.Empty),
        CallerTurn t => $"#{t.Number} \"{t.Transcript}\" ({t.Confidence:F2})",
        AgentReply r => $"#{r.ReplyId} ({r.Trigger}) \"{r.Text}\"" + (r.Interrupted ? $" [interrupted; heard \"{r.HeardText}\"]" : string.Empty) +
                        (r.Actions.Count > 0 ? $" -> {string.Join(", ", r.Actions)}" : string.Empty),
        DtmfReceived d => $"{d.Digit} ({d.Source})",
        TransferRequested t => t.Target,
        TransferCompleted t => $"{t.Target} {(t.Succeeded ? "ok" : "failed")}: {t.Detail}",
        StageRestarted r => $"{r.Stage}: {r.ErrorType} ({r.ConsecutiveFailures} in a row) {r.Message}",
        TransportError t => $"{t.Kind}: {t.Detail}",
        RecordingSaved r => $"{r.Path} ({r.DurationMs / 1000:F1} s)",
        CallEnded c => $"{c.Reason} after {c.DurationMs / 1000:F1} s",
        _ => string.Empty,
    };
}
