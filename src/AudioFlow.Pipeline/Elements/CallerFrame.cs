using AudioFlow.Audio;

namespace AudioFlow.Pipeline.Elements;

/// <summary>
/// One 20 ms frame of caller audio inside the pipeline. <see cref="Index"/> counts frames from the start of
/// the call (media time = Index × 20 ms); <see cref="ReceivedAt"/> is the <see cref="System.Diagnostics.Stopwatch"/>
/// timestamp at which the transport delivered it, used for latency measurements.
/// </summary>
public sealed record CallerFrame(long Index, long ReceivedAt, AudioFrame Audio);

/// <summary>A caller frame with the voice-activity probability of the most recent VAD window that ended in it.</summary>
public sealed record AnalyzedFrame(CallerFrame Frame, float SpeechProbability);
