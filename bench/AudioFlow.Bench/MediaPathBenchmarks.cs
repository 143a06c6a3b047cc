using Akka.Actor;
using Akka.Configuration;
using Akka.Streams;
using Akka.Streams.Dsl;
using AudioFlow.Audio;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Elements;
using AudioFlow.Pipeline.Stages;
using AudioFlow.Pipeline.Turns;
using BenchmarkDotNet.Attributes;

namespace AudioFlow.Bench;

/// <summary>
/// Per-frame cost of the call's media path without models (no VAD/STT/TTS inference): µ-law decode, 8→16 kHz
/// resampling and turn detection inbound; 16→8 kHz resampling and µ-law encoding outbound. Once as plain code, once
/// through the real Akka.Streams stages (what a call pays per 20 ms frame, graph overhead included).
/// </summary>
[MemoryDiagnoser]
public class MediaPathBenchmarks
{
    private const int Frames = 1000;
    private ActorSystem _system = null!;
    private IMaterializer _materializer = null!;
    private PipelineOptions _options = null!;
    private InboundMedia[] _inbound = null!;
    private byte[] _ulawFrame = null!;
    private short[] _agentFrame16k = null!;

    [GlobalSetup]
    public void Setup()
    {
        var config = ConfigurationFactory.ParseString(File.ReadAllText(Path.Combine(RepoRoot(), "hocon", "audioflow.conf")));
        _options = PipelineOptions.FromConfig(config);
        _system = ActorSystem.Create("bench", ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(config));
        _materializer = _system.Materializer();
        var pcm = new short[160];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000.0));
        }

        _ulawFrame = new byte[160];
        G711.MuLawEncode(pcm, _ulawFrame);
        _inbound = Enumerable.Range(0, Frames).Select(_ => new InboundMedia(_ulawFrame)).ToArray();
        _agentFrame16k = new short[320];
    }

    [GlobalCleanup]
    public void Cleanup() => _system.Terminate().Wait();

    /// <summary>Inbound then outbound processing of one frame, plain code (per-call state reused).</summary>
    [Benchmark(OperationsPerInvoke = Frames)]
    public int PlainCodePerFrame()
    {
        var up = AudioFlow.Audio.Resampling.Resampler.Create(8000, 16000);
        var down = AudioFlow.Audio.Resampling.Resampler.Create(16000, 8000);
        var detector = new TurnDetector(_options.Turn, _options.Vad);
        var decoded = new short[160];
        var wide = new short[up.MaxOutputSamples(160)];
        var narrow = new short[down.MaxOutputSamples(320)];
        var encoded = new byte[160];
        var total = 0;
        for (var i = 0; i < Frames; i++)
        {
            G711.MuLawDecode(_ulawFrame, decoded);
            var n = up.Process(decoded, wide);
            var frame = new CallerFrame(i, 0, new AudioFrame(wide[..n], 16000));
            total += detector.Process(new AnalyzedFrame(frame, i % 100 < 50 ? 0.9f : 0.1f)).Ended is null ? 0 : 1;
            var m = down.Process(_agentFrame16k, narrow);
            G711.MuLawEncode(narrow.AsSpan(0, Math.Min(m, 160)), encoded);
            total += m;
        }

        return total;
    }

    /// <summary>The inbound stages of a call graph (decode → resample → turn detector), materialized, per frame.</summary>
    [Benchmark(OperationsPerInvoke = Frames)]
    public void AkkaInboundStagesPerFrame()
    {
        var call = new CallContext("bench", MediaFormat.Pcmu8k, MediaFormat.Pcmu8k, _options, engines: null!,
            new CallStats("bench", "bench"), _system.Log, CallClock.RealTime, AudioFlow.Pipeline.Journal.DisabledCallJournal.Instance);
        var i = 0;
        Source.From(_inbound)
            .Via(new DecodeStage(call))
            .Via(new InboundResampleStage(call))
            .Select(f => new AnalyzedFrame(f, i++ % 100 < 50 ? 0.9f : 0.1f))
            .Via(new TurnDetectorStage(call))
            .RunWith(Sink.Ignore<ConversationEvent>(), _materializer)
            .Wait();
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AudioFlow.sln")))
            {
                return dir.FullName;
            }
        }

        return Environment.CurrentDirectory;
    }
}
