using Akka.Configuration;
using AudioFlow.Engines.Agents.Flow;
using AudioFlow.Engines.Agents.Llm;
using AudioFlow.Engines.Stt.Whisper;
using AudioFlow.Engines.Tts.Piper;
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
    WhisperOptions Whisper,
    string Tts,
    TimeSpan TtsCache,
    FliteOptions Flite,
    EspeakOptions Espeak,
    PiperOptions Piper,
    string Agent,
    string? FlowFile,
    FlowAgentOptions Flow,
    LlmAgentOptions Llm,
    string? LlmOnnxGenAiFolder)
{
    public static readonly IReadOnlyList<string> SttEngines = ["sphinx", "whisper"];
    public static readonly IReadOnlyList<string> TtsEngines = ["flite", "espeak", "piper"];
    public static readonly IReadOnlyList<string> AgentEngines = ["flow", "llm"];

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
        var language = r.String("whisper.language");
        var speaker = r.String("piper.speaker");
        var apiKey = r.String("llm.api-key");
        var genAi = r.String("llm.onnx-genai-model-dir");
        var targets = config.GetConfig(r.Key("llm.transfer-targets"));
        return new EngineOptions(
            VadModelPath: AudioFlowHome.Resolve(r.String("vad.model")),
            VadIntraOpThreads: r.Int("vad.intra-op-threads", v => v is >= 1 and <= 16, "between 1 and 16"),
            Stt: OneOf(r, "stt", SttEngines),
            Sphinx: sphinx,
            Whisper: new WhisperOptions
            {
                ModelDirectory = AudioFlowHome.Resolve(r.String("whisper.model-dir")),
                Language = language.Length == 0 ? null : language,
                NoSpeechThreshold = r.Float("whisper.no-speech-threshold", v => v is > 0 and <= 1, "between 0 and 1"),
                MaxTokens = r.Int("whisper.max-tokens", v => v is >= 1 and <= 448, "between 1 and 448"),
                PromptWithExpectedPhrases = r.Bool("whisper.prompt-with-expected-phrases"),
            },
            Tts: OneOf(r, "tts", TtsEngines),
            TtsCache: TimeSpan.FromSeconds(r.Int("tts-cache-seconds", v => v >= 0, "0 or more")),
            Flite: new FliteOptions { Voice = r.String("flite.voice") },
            Espeak: new EspeakOptions
            {
                Voice = r.String("espeak.voice"),
                RateWordsPerMinute = r.Int("espeak.rate", v => v is >= 80 and <= 450, "between 80 and 450"),
            },
            Piper: new PiperOptions
            {
                ModelPath = AudioFlowHome.Resolve(r.String("piper.model")),
                Speaker = speaker.Length == 0 ? null : speaker,
                LengthScale = r.Float("piper.length-scale", v => v is >= 0.25f and <= 4, "between 0.25 and 4"),
            },
            Agent: OneOf(r, "agent", AgentEngines),
            FlowFile: string.IsNullOrWhiteSpace(flowFile) ? null
                : flowFile.StartsWith(FlowLoader.EmbeddedPrefix, StringComparison.Ordinal) ? flowFile : AudioFlowHome.Resolve(flowFile),
            Flow: new FlowAgentOptions { MinConfidence = r.Float("flow.min-confidence", v => v is >= 0 and <= 1, "between 0 and 1") },
            Llm: new LlmAgentOptions
            {
                Endpoint = Uri.TryCreate(r.String("llm.endpoint"), UriKind.Absolute, out var endpoint)
                    ? endpoint
                    : throw new ConfigurationException($"configuration key {r.Key("llm.endpoint")} must be an http(s) URL"),
                Model = r.String("llm.model"),
                ApiKey = apiKey.Length == 0 ? null : apiKey,
                SystemPrompt = r.String("llm.system-prompt"),
                Greeting = r.String("llm.greeting"),
                Temperature = r.Float("llm.temperature", v => v is >= 0 and <= 2, "between 0 and 2"),
                MaxOutputTokens = r.Int("llm.max-output-tokens", v => v >= 1, "at least 1"),
                RequestTimeout = r.Duration("llm.request-timeout"),
                FirstTokenTimeout = r.Duration("llm.first-token-timeout"),
                FallbackText = r.String("llm.fallback"),
                TransferTargets = targets.AsEnumerable().ToDictionary(t => t.Key, t => t.Value.GetString()),
            },
            LlmOnnxGenAiFolder: genAi.Length == 0 ? null : AudioFlowHome.Resolve(genAi));
    }

    private static string OneOf(OptionsReader r, string path, IReadOnlyList<string> allowed)
    {
        var value = r.String(path);
        return allowed.Contains(value)
            ? value
            : throw new ConfigurationException($"configuration key {r.Key(path)} must be one of {string.Join(", ", allowed)}, got '{value}'");
    }
}
