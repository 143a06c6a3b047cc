using Akka.Actor;
using Akka.Configuration;
using AudioFlow.Host.Configuration;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Journal;
using AudioFlow.Pipeline.Loopback;

namespace AudioFlow.Host.Composition;

/// <summary>
/// One AudioFlow node without the HTTP server (used by <c>audioflow call</c> and <c>audioflow bench</c>): the engines,
/// the actor system and the calls supervisor, built from one configuration.
/// </summary>
public sealed class AudioFlowNode : IAsyncDisposable
{
    private AudioFlowNode(Config config, PipelineOptions pipeline, CallEngines engines, ActorSystem system, IActorRef calls)
    {
        Config = config;
        Pipeline = pipeline;
        Engines = engines;
        System = system;
        Calls = calls;
    }

    public Config Config { get; }

    public PipelineOptions Pipeline { get; }

    public CallEngines Engines { get; }

    public ActorSystem System { get; }

    public IActorRef Calls { get; }

    public LoopbackCallRunner Loopback => new(System, Calls, Pipeline);

    public static AudioFlowNode Start(Config config)
    {
        var pipeline = PipelineOptions.FromConfig(config, AudioFlowHome.Resolve);
        var journal = JournalOptions.FromConfig(config, AudioFlowHome.Resolve);
        JournalStoreCheck.VerifyAsync(journal, CancellationToken.None).GetAwaiter().GetResult();
        var engines = EngineFactory.Create(EngineOptions.FromConfig(config), pipeline);
        var system = ActorSystem.Create("audioflow", AkkaSettings.For(config, journal));
        var calls = system.ActorOf(CallsSupervisor.Props(engines, pipeline), "calls");
        return new AudioFlowNode(config, pipeline, engines, system, calls);
    }

    public async ValueTask DisposeAsync()
    {
        await System.Terminate().ConfigureAwait(false);
        EngineFactory.Dispose(Engines);
    }
}

/// <summary>Akka settings AudioFlow derives from its own configuration: logging to stderr, the journal's plugins.</summary>
public static class AkkaSettings
{
    public static Config For(Config config, JournalOptions journal) =>
        ConfigurationFactory.ParseString($"akka.loggers = [\"{typeof(Logging.StderrLogger).AssemblyQualifiedName}\"]")
            .WithFallback(JournalConfig.For(journal))
            .WithFallback(config);
}
