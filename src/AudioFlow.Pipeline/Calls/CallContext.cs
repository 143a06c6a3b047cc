using Akka.Event;
using AudioFlow.Audio.Channel;
using AudioFlow.Engines.Stt;
using AudioFlow.Pipeline.Journal;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Supervision;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// Everything one call's stages share: its id, channel formats, options, engines, the out-of-band signals, the stats
/// it reports into, and the logger (every line carries the call id). Nothing in here is process-global state.
/// </summary>
public sealed class CallContext(
    string callId,
    MediaFormat inboundFormat,
    MediaFormat outboundFormat,
    PipelineOptions options,
    CallEngines engines,
    CallStats stats,
    ILoggingAdapter log,
    CallClock clock,
    ICallJournal journal)
{
    public string CallId { get; } = callId;

    public MediaFormat InboundFormat { get; } = inboundFormat;

    public MediaFormat OutboundFormat { get; } = outboundFormat;

    public PipelineOptions Options { get; } = options;

    public CallEngines Engines { get; } = engines;

    public CallStats Stats { get; } = stats;

    public ILoggingAdapter Log { get; } = log;

    /// <summary>The call's media clock (wall time, or faster for simulated calls): playout pacing and silence timers use it.</summary>
    public CallClock Clock { get; } = clock;

    /// <summary>The call's stereo recording when recordings are on (<c>audioflow.recordings</c>), else null.</summary>
    public CallRecording? Recording { get; } = options.RecordingsDirectory is not { } directory ? null
        : new CallRecording(Path.Combine(directory, $"{callId}.wav"), inboundFormat, outboundFormat, () => clock.Now);

    /// <summary>The call's event journal (structured record of the call for operators and auditors).</summary>
    public ICallJournal Journal { get; } = journal;

    public CallSignals Signals { get; } = new();

    private RecognitionContext _listening = RecognitionContext.FreeForm;

    /// <summary>What the recogniser listens for in the caller's next turn; set by the agent stage after each reply.</summary>
    public RecognitionContext Listening
    {
        get => Volatile.Read(ref _listening);
        set => Volatile.Write(ref _listening, value);
    }

    /// <summary>The fault injector for one stage of this call (inactive unless chaos is configured for it).</summary>
    public FaultInjector FaultsFor(string stage) => FaultInjector.For(stage, Options.Chaos, CallId);
}
