using Akka.Actor;
using Akka.Event;
using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;

namespace AudioFlow.Pipeline.Tests.Support;

/// <summary>An actor system and a call context for testing single stages (stages that need no engines).</summary>
public sealed class StageHarness : IDisposable
{
    public StageHarness(params string[] overrides)
    {
        System = ActorSystem.Create("stage-test", TestConfig.Load(["akka.loglevel = WARNING", .. overrides]));
        Options = PipelineOptions.FromConfig(TestConfig.Load(overrides));
        Call = NewCall();
    }

    public ActorSystem System { get; }

    public PipelineOptions Options { get; }

    public CallContext Call { get; }

    /// <summary>A call context whose engines are absent: only for stages that do not use engines.</summary>
    public CallContext NewCall(CallClock? clock = null) => new(
        $"test-{Guid.NewGuid():N}", MediaFormat.Pcmu8k, MediaFormat.Pcmu8k, Options, engines: null!,
        new CallStats("test", "test"), System.Log, clock ?? CallClock.RealTime, AudioFlow.Pipeline.Journal.DisabledCallJournal.Instance);

    public void Dispose() => System.Terminate().Wait(TimeSpan.FromSeconds(10));
}
