using System.Text;

namespace AudioFlow.Host.Reports;

/// <summary>A human-readable rendering of a <see cref="CallReport"/>.</summary>
public static class CallSummary
{
    public static string Text(CallReport report)
    {
        var text = new StringBuilder();
        text.AppendLine($"call {report.CallId}: {report.EndReason} after {report.DurationMs / 1000:F1} s");
        foreach (var reply in report.Replies)
        {
            if (reply.Turn is { } number && report.Turns.FirstOrDefault(t => t.Number == number) is { } turn)
            {
                text.AppendLine($"  caller: \"{turn.Transcript}\" (confidence {turn.Confidence:F2}; reply after {Ms(turn.LatencyMs.Total)}: " +
                    $"endpointing {Ms(turn.LatencyMs.Endpointing)}, stt {Ms(turn.LatencyMs.Stt)}, agent {Ms(turn.LatencyMs.Agent)}, " +
                    $"tts {Ms(turn.LatencyMs.TtsFirstAudio)}, playout {Ms(turn.LatencyMs.Playout)})");
            }
            else if (reply.Trigger != "answered")
            {
                text.AppendLine($"  caller: ({reply.Trigger})");
            }

            var heard = reply.Interrupted ? $" [interrupted; heard: \"{reply.Heard}\"]" : string.Empty;
            text.AppendLine($"  agent:  \"{reply.Text}\"{heard}");
            foreach (var action in reply.Actions)
            {
                text.AppendLine($"          -> {action}");
            }
        }

        text.AppendLine($"  frames: caller sent {report.Frames.CallerSent}, analysed {report.Frames.Analyzed}, lost {report.Frames.Lost}; " +
            $"agent sent {report.Frames.AgentSent} ({report.Frames.AgentLate} late); barge-ins {report.BargeIns}" +
            (report.BargeInReactionMs.Count > 0 ? $" (cut through {string.Join(", ", report.BargeInReactionMs.Select(ms => $"{ms:F0} ms"))} after speech onset)" : string.Empty) +
            $"; stage restarts {report.Restarts.Count}");
        return text.ToString().TrimEnd();
    }

    private static string Ms(double? value) => value is { } v ? $"{v:F0} ms" : "-";
}
