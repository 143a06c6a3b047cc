using Akka.Event;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Metrics;
using Akka.Streams;
using Akka.Streams.Supervision;

namespace AudioFlow.Pipeline.Supervision;

/// <summary>What a stage does after its processing threw.</summary>
public enum FailureDecision
{
    /// <summary>Rebuild the stage's state and retry the same element after <see cref="RestartSupervisor.Backoff"/>: nothing is lost.</summary>
    RestartAndRetry,

    /// <summary>Skip the element and go on (the stream's decider said Resume).</summary>
    SkipElement,

    /// <summary>Fail the stage: the call actor ends the call politely.</summary>
    Fail,
}

/// <summary>
/// The restart bookkeeping every supervised stage shares: consults the stream's supervision decider (a custom
/// GraphStage does not honour it unless it asks), counts failures in a row, computes the backoff, and reports each
/// restart to the call's stats, logs and metrics. One instance per stage per call; used on the stage's thread only.
/// </summary>
public sealed class RestartSupervisor(string stage, CallContext call, Decider? decider)
{
    private int _consecutiveFailures;

    public string Stage => stage;

    public int ConsecutiveFailures => _consecutiveFailures;

    public TimeSpan Backoff => call.Options.Supervision.BackoffFor(_consecutiveFailures);

    public static RestartSupervisor Create(string stage, CallContext call, Attributes attributes) =>
        new(stage, call, attributes.GetAttribute<ActorAttributes.SupervisionStrategy>(null)?.Decider);

    /// <summary>The element went through: the failure streak is over.</summary>
    public void Succeeded() => _consecutiveFailures = 0;

    public FailureDecision Decide(Exception error)
    {
        // The call graph sets CallSupervision.Decider; without any, Akka's default applies (stop).
        var directive = decider?.Invoke(error) ?? Directive.Stop;
        if (directive == Directive.Stop)
        {
            call.Log.Error(error, "[call {0}] stage {1} failed and the decider says stop", call.CallId, stage);
            AudioFlowMetrics.StageFailures.Add(1, new KeyValuePair<string, object?>("stage", stage));
            return FailureDecision.Fail;
        }

        if (directive == Directive.Resume)
        {
            call.Log.Warning("[call {0}] stage {1} skipped an element after {2}: {3}", call.CallId, stage, error.GetType().Name, error.Message);
            call.Stats.Note($"{stage}: element skipped after {error.GetType().Name}");
            AudioFlowMetrics.ElementsSkipped.Add(1, new KeyValuePair<string, object?>("stage", stage));
            return FailureDecision.SkipElement;
        }

        _consecutiveFailures++;
        if (_consecutiveFailures > call.Options.Supervision.MaxConsecutiveFailures)
        {
            call.Log.Error(error, "[call {0}] stage {1} failed {2} times in a row; giving up on the call", call.CallId, stage, _consecutiveFailures);
            AudioFlowMetrics.StageFailures.Add(1, new KeyValuePair<string, object?>("stage", stage));
            return FailureDecision.Fail;
        }

        call.Stats.StageRestarted(stage, error, _consecutiveFailures);
        call.Journal.Record(new Journal.StageRestarted(stage, error.GetType().Name, error.Message, _consecutiveFailures));
        AudioFlowMetrics.StageRestarts.Add(1, new KeyValuePair<string, object?>("stage", stage));
        call.Log.Warning("[call {0}] stage {1} restarting after {2} ({3} in a row, retry in {4} ms): {5}",
            call.CallId, stage, error.GetType().Name, _consecutiveFailures, (int)Backoff.TotalMilliseconds, error.Message);
        return FailureDecision.RestartAndRetry;
    }

    public StageFailedException Failure(Exception error) => new(stage, _consecutiveFailures, error);
}
