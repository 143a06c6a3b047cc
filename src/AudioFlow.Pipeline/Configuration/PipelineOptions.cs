using Akka.Configuration;

namespace AudioFlow.Pipeline.Configuration;

/// <summary>
/// Typed view of <c>audioflow.pipeline</c> and <c>audioflow.chaos</c> (defaults and comments in hocon/audioflow.conf).
/// Built only by <see cref="FromConfig"/>, which validates every value and names the key of a bad one.
/// </summary>
public sealed record PipelineOptions(
    int InternalSampleRate,
    int InboundBufferFrames,
    VadThresholds Vad,
    TurnOptions Turn,
    PlayoutOptions Playout,
    SupervisionOptions Supervision,
    InferenceOptions Inference,
    ChaosOptions Chaos,
    string Apology,
    bool JournalEnabled,
    string? RecordingsDirectory)
{
    /// <param name="resolvePath">Turns a configured relative path into a full one (the host resolves against its home).</param>
    public static PipelineOptions FromConfig(Config config, Func<string, string>? resolvePath = null)
    {
        resolvePath ??= Path.GetFullPath;
        var recordings = new OptionsReader(config, "audioflow.recordings");
        var reader = new OptionsReader(config, "audioflow.pipeline");
        var options = new PipelineOptions(
            InternalSampleRate: reader.Int("internal-sample-rate", v => v is 8000 or 16000, "8000 or 16000"),
            InboundBufferFrames: reader.Int("inbound-buffer-frames", v => v >= 50, "at least 50"),
            Vad: new VadThresholds(
                ActivationThreshold: reader.Float("vad.activation-threshold", v => v is > 0 and < 1, "between 0 and 1"),
                DeactivationThreshold: reader.Float("vad.deactivation-threshold", v => v is > 0 and < 1, "between 0 and 1")),
            Turn: new TurnOptions(
                MinSpeechDuration: reader.Duration("turn.min-speech-duration"),
                BargeInMinSpeech: reader.Duration("turn.barge-in-min-speech"),
                MinEndpointingDelay: reader.Duration("turn.min-endpointing-delay"),
                MaxEndpointingDelay: reader.Duration("turn.max-endpointing-delay"),
                MaxTurnDuration: reader.Duration("turn.max-turn-duration"),
                PreRoll: reader.Duration("turn.pre-roll"),
                ResumeAfterFalseStart: reader.Bool("turn.resume-after-false-start")),
            Playout: new PlayoutOptions(
                Lead: reader.Duration("playout.lead"),
                MaxBuffer: reader.Duration("playout.max-buffer"),
                MarkTimeout: reader.Duration("playout.mark-timeout")),
            Supervision: new SupervisionOptions(
                MinBackoff: reader.Duration("supervision.min-backoff"),
                MaxBackoff: reader.Duration("supervision.max-backoff"),
                MaxConsecutiveFailures: reader.Int("supervision.max-consecutive-failures", v => v >= 1, "at least 1"),
                StallTimeout: reader.Duration("supervision.stall-timeout"),
                HeavyStallTimeout: reader.Duration("supervision.heavy-stall-timeout")),
            Inference: new InferenceOptions(
                RealtimeThreads: reader.Int("inference.realtime-threads", v => v is >= 1 and <= 64, "between 1 and 64"),
                HeavyThreads: reader.Int("inference.heavy-threads", v => v is >= 1 and <= 64, "between 1 and 64")),
            Chaos: ChaosOptions.FromConfig(config),
            Apology: reader.String("apology"),
            JournalEnabled: new OptionsReader(config, "audioflow.journal").Bool("enabled"),
            RecordingsDirectory: recordings.Bool("enabled") ? resolvePath(recordings.String("directory")) : null);

        if (options.Vad.DeactivationThreshold > options.Vad.ActivationThreshold)
        {
            throw new ConfigurationException("audioflow.pipeline.vad.deactivation-threshold must not exceed activation-threshold");
        }

        if (options.Turn.MinEndpointingDelay > options.Turn.MaxEndpointingDelay)
        {
            throw new ConfigurationException("audioflow.pipeline.turn.min-endpointing-delay must not exceed max-endpointing-delay");
        }

        if (options.Supervision.MinBackoff > options.Supervision.MaxBackoff)
        {
            throw new ConfigurationException("audioflow.pipeline.supervision.min-backoff must not exceed max-backoff");
        }

        return options;
    }
}

/// <summary>VAD probability hysteresis: speech starts at <see cref="ActivationThreshold"/>, ends below <see cref="DeactivationThreshold"/>.</summary>
public sealed record VadThresholds(float ActivationThreshold, float DeactivationThreshold);

/// <param name="ResumeAfterFalseStart">
/// When speech that interrupted the agent turns out too short for a turn (a cough, a door), the agent says the rest
/// of its interrupted reply again, from the sentence that was cut.
/// </param>
public sealed record TurnOptions(
    TimeSpan MinSpeechDuration,
    TimeSpan BargeInMinSpeech,
    TimeSpan MinEndpointingDelay,
    TimeSpan MaxEndpointingDelay,
    TimeSpan MaxTurnDuration,
    TimeSpan PreRoll,
    bool ResumeAfterFalseStart);

public sealed record PlayoutOptions(TimeSpan Lead, TimeSpan MaxBuffer, TimeSpan MarkTimeout);

/// <param name="StallTimeout">How long a media stage may hold one element before the watchdog restarts it.</param>
/// <param name="HeavyStallTimeout">The same for speech-to-text and text-to-speech, whose inference takes longer.</param>
public sealed record SupervisionOptions(TimeSpan MinBackoff, TimeSpan MaxBackoff, int MaxConsecutiveFailures, TimeSpan StallTimeout, TimeSpan HeavyStallTimeout)
{
    /// <summary>Backoff before the <paramref name="failure"/>-th restart in a row (1-based): min × 2^(n-1), capped at max.</summary>
    public TimeSpan BackoffFor(int failure)
    {
        var factor = Math.Pow(2, Math.Clamp(failure - 1, 0, 20));
        var ms = Math.Min(MinBackoff.TotalMilliseconds * factor, MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }
}

public sealed record InferenceOptions(int RealtimeThreads, int HeavyThreads);
