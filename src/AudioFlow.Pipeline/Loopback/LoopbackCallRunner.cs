using Akka.Actor;
using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;

namespace AudioFlow.Pipeline.Loopback;

/// <summary>
/// Runs complete in-process calls: a <see cref="LoopbackCaller"/> with recorded speech on one side, a real call actor
/// with the real pipeline (started through the node's <see cref="CallsSupervisor"/>) on the other.
/// </summary>
public sealed class LoopbackCallRunner(ActorSystem system, IActorRef callsSupervisor, PipelineOptions options)
{
    /// <summary>How long after the caller's side ended the call actor has to report (it finishes in-flight work).</summary>
    public static readonly TimeSpan ReportTimeout = TimeSpan.FromSeconds(30);

    /// <param name="speech">The caller's speech at <paramref name="format"/>'s sample rate.</param>
    public async Task<LoopbackCallOutcome> RunAsync(short[] speech, MediaFormat format, CallerScript script, double speed,
        CancellationToken cancellationToken)
    {
        var clock = new CallClock(speed);
        var channel = new LoopbackChannel($"loopback-{Guid.NewGuid():N}", format, clock, options.InboundBufferFrames);
        var finished = new TaskCompletionSource<CallStats>(TaskCreationOptions.RunContinuationsAsynchronously);
        system.ActorOf(Props.Create(() => new CallWatcher(callsSupervisor, new StartCall(channel, clock), finished)));
        var caller = await new LoopbackCaller(channel, speech, script).RunAsync(cancellationToken).ConfigureAwait(false);
        var stats = await finished.Task.WaitAsync(ReportTimeout, cancellationToken).ConfigureAwait(false);
        return new LoopbackCallOutcome(caller, stats, format);
    }

    /// <summary>Starts one call and completes <paramref name="finished"/> with its final stats.</summary>
    private sealed class CallWatcher : ReceiveActor
    {
        public CallWatcher(IActorRef supervisor, StartCall start, TaskCompletionSource<CallStats> finished)
        {
            supervisor.Tell(start);
            Receive<CallAccepted>(_ => { });
            Receive<CallFinished>(done =>
            {
                finished.TrySetResult(done.Stats);
                Context.Stop(Self);
            });
        }
    }
}

/// <summary>A finished loopback call: what the caller did and heard, and what the call measured.</summary>
public sealed record LoopbackCallOutcome(CallerResult Caller, CallStats Stats, MediaFormat Format)
{
    /// <summary>Caller frames the pipeline never analysed: must be 0.</summary>
    public long CallerFramesLost => Caller.FramesSent - Stats.FramesAnalyzed;

    public int ClearCommands => Caller.Commands.Count(c => c.Command is ClearPlayout);
}
