using System.Diagnostics.Metrics;

namespace AudioFlow.Pipeline.Metrics;

/// <summary>
/// Process-wide counters (System.Diagnostics.Metrics, meter "AudioFlow"): readable with dotnet-counters or any
/// OpenTelemetry exporter. Per-call detail goes to the call's stats and journal; these are for operators' dashboards.
/// </summary>
public static class AudioFlowMetrics
{
    public static readonly Meter Meter = new("AudioFlow", "1.0");

    public static readonly Counter<long> CallsStarted = Meter.CreateCounter<long>("audioflow.calls.started");
    public static readonly Counter<long> CallsEnded = Meter.CreateCounter<long>("audioflow.calls.ended");
    public static readonly Counter<long> StageRestarts = Meter.CreateCounter<long>("audioflow.stage.restarts");
    public static readonly Counter<long> StageFailures = Meter.CreateCounter<long>("audioflow.stage.failures");
    public static readonly Counter<long> ElementsSkipped = Meter.CreateCounter<long>("audioflow.stage.elements_skipped");
    public static readonly Counter<long> InboundFramesDropped = Meter.CreateCounter<long>("audioflow.inbound.frames_dropped");
    public static readonly Counter<long> BadMedia = Meter.CreateCounter<long>("audioflow.inbound.bad_media");
    public static readonly Counter<long> BargeIns = Meter.CreateCounter<long>("audioflow.barge_ins");
    public static readonly Counter<long> LatePlayoutFrames = Meter.CreateCounter<long>("audioflow.playout.late_frames");
    public static readonly Counter<long> JournalRetries = Meter.CreateCounter<long>("audioflow.journal.retries");
    public static readonly Counter<long> JournalRejected = Meter.CreateCounter<long>("audioflow.journal.rejected");
    public static readonly Histogram<double> ResponseLatencyMs = Meter.CreateHistogram<double>("audioflow.turn.response_latency", "ms");
}
