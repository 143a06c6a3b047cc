using Akka.Configuration;
using AudioFlow.Engines.Agents.Flow;
using AudioFlow.Engines.Stt.Sphinx;
using AudioFlow.Engines.Tts.Espeak;
using AudioFlow.Engines.Tts.Flite;
using AudioFlow.Pipeline.Configuration;

namespace AudioFlow.Host.Configuration;

/// <summary>Typed view of <c>audioflow.engines</c>: which engine plays each role, and its settings.</summary>
public sealed record EngineOptions(
    string VadModelPath,
    int VadIntraOpThreads,
    string Stt,
    SphinxOptions Sphinx,
    string Tts,
    TimeSpan TtsCache,
    FliteOptions Flite,
    EspeakOptions Espeak,
    string Agent,
    string? FlowFile,
    FlowAgentOptions Flow)
{
    public static readonly IReadOnlyList<string> SttEngines = ["sphinx"];
    public static readonly IReadOnlyList<string> TtsEngines = ["flite", "espeak"];
    public static readonly IReadOnlyList<string> AgentEngines = ["flow"];

    public static EngineOptions FromConfig(Config config)
    {
        var r = new OptionsReader(config, "audioflow.engines");
        var modelDir = r.String("sphinx.model-dir");
        var sphinx = new SphinxOptions { PoolSize = r.Int("sphinx.pool-size", v => v is >= 1 and <= 64, "between 1 and 64") };
        if (!string.IsNullOrWhiteSpace(modelDir))
        {
            var root = AudioFlowHome.Resolve(modelDir);
            sphinx = sphinx with
            {
                AcousticModelDirectory = Path.Combine(root, "en-us"),
                DictionaryPath = Path.Combine(root, "cmudict-en-us.dict"),
                LanguageModelPath = Path.Combine(root, "en-us.lm.bin"),
                PhoneLanguageModelPath = Path.Combine(root, "en-us-phone.lm.bin"),
            };
        }

        var flowFile = r.String("flow.file");
        return new EngineOptions(
            VadModelPath: AudioFlowHome.Resolve(r.String("vad.model")),
            VadIntraOpThreads: r.Int("vad.intra-op-threads", v => v is >= 1 and <= 16, "between 1 and 16"),
            Stt: OneOf(r, "stt", SttEngines),
            Sphinx: sphinx,
            Tts: OneOf(r, "tts", TtsEngines),
            TtsCache: TimeSpan.FromSeconds(r.Int("tts-cache-seconds", v => v >= 0, "0 or more")),
            Flite: new FliteOptions { Voice = r.String("flite.voice") },
            Espeak: new EspeakOptions
            {
                Voice = r.String("espeak.voice"),
                RateWordsPerMinute = r.Int("espeak.rate", v => v is >= 80 and <= 450, "between 80 and 450"),
            },
            Agent: OneOf(r, "agent", AgentEngines),
            FlowFile: string.IsNullOrWhiteSpace(flowFile) ? null : AudioFlowHome.Resolve(flowFile),
            Flow: new FlowAgentOptions { MinConfidence = r.Float("flow.min-confidence", v => v is >= 0 and <= 1, "between 0 and 1") });
    }

    private static string OneOf(OptionsReader r, string path, IReadOnlyList<string> allowed)
    {
        var value = r.String(path);
        return allowed.Contains(value)
            ? value
            : throw new ConfigurationException($"configuration key {r.Key(path)} must be one of {string.Join(", ", allowed)}, got '{value}'");
    }
}
