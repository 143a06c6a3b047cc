using Akka.Actor;
using AudioFlow.Audio.Channel;
using AudioFlow.Engines.Agents.Flow;
using AudioFlow.Engines.Stt.Sphinx;
using AudioFlow.Engines.Tts.Flite;
using AudioFlow.Engines.Vad;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Inference;
using AudioFlow.Pipeline.Loopback;

namespace AudioFlow.Pipeline.Tests.Support;

/// <summary>
/// A node with the real embedded engines (Silero VAD, pocketsphinx, flite, the demo flow), loaded once for all
/// end-to-end tests, and a caller voice (flite "rms", a different voice from the agent's "slt").
/// </summary>
public sealed class LiveNode : IDisposable
{
    public LiveNode()
    {
        if (!File.Exists(RepoPaths.VadModel))
        {
            throw new InvalidOperationException($"VAD model missing at {RepoPaths.VadModel}: run ./setup.sh (models/fetch.sh)");
        }

        Engines = new CallEngines(
            new SileroVadModel(RepoPaths.VadModel),
            new SphinxRecognizer(new SphinxOptions { PoolSize = 2 }),
            new FliteSynthesizer(new FliteOptions { Voice = "slt" }),
            FlowAgentFactory.Demo(),
            new InferenceSchedulers(1, 2));
        CallerVoice = new FliteSynthesizer(new FliteOptions { Voice = "rms" });
        System = ActorSystem.Create("e2e", TestConfig.Load("akka.loglevel = WARNING"));
    }

    public CallEngines Engines { get; }

    public FliteSynthesizer CallerVoice { get; }

    public ActorSystem System { get; }

    /// <summary>A calls supervisor with these options (each test may configure its own chaos, timing, ...).</summary>
    public LoopbackCallRunner Runner(PipelineOptions options) =>
        new(System, System.ActorOf(CallsSupervisor.Props(Engines, options)), options);

    /// <summary>The caller voice saying <paramref name="text"/>, at the wire rate of <paramref name="format"/>.</summary>
    public short[] Say(string text, MediaFormat format) =>
        OutboundSpeech.ToRate(CallerVoice.Synthesize(text, CancellationToken.None), CallerVoice.SampleRate, format.SampleRate);

    public void Dispose()
    {
        System.Terminate().Wait(TimeSpan.FromSeconds(10));
        CallerVoice.Dispose();
        Engines.Schedulers.Dispose();
        Engines.Synthesizer.Dispose();
        Engines.Recognizer.Dispose();
        Engines.Vad.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class LiveNodeCollection : ICollectionFixture<LiveNode>
{
    public const string Name = "live node";
}
