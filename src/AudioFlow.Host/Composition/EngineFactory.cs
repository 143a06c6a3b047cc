using AudioFlow.Engines.Agents;
using AudioFlow.Engines.Agents.Flow;
using AudioFlow.Engines.Agents.Llm;
using AudioFlow.Engines.Stt.Whisper;
using AudioFlow.Engines.Tts.Piper;
using AudioFlow.Engines.Stt;
using AudioFlow.Engines.Stt.Sphinx;
using AudioFlow.Engines.Tts;
using AudioFlow.Engines.Tts.Espeak;
using AudioFlow.Engines.Tts.Flite;
using AudioFlow.Engines.Vad;
using AudioFlow.Host.Configuration;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Inference;

namespace AudioFlow.Host.Composition;

/// <summary>
/// Loads the engines the configuration names, once per process, and fails at start (never mid-call) with a message
/// that says what is missing and how to get it.
/// </summary>
public static class EngineFactory
{
    public static CallEngines Create(EngineOptions engines, PipelineOptions pipeline)
    {
        var created = new List<IDisposable>();
        try
        {
            var vad = Track(created, LoadVad(engines));
            var recognizer = Track(created, LoadRecognizer(engines));
            var synthesizer = Track(created, LoadSynthesizer(engines));
            var agents = LoadAgent(engines);
            var schedulers = new InferenceSchedulers(pipeline.Inference.RealtimeThreads, pipeline.Inference.HeavyThreads);
            return new CallEngines(vad, recognizer, synthesizer, agents, schedulers);
        }
        catch
        {
            foreach (var engine in created)
            {
                engine.Dispose();
            }

            throw;
        }
    }

    public static void Dispose(CallEngines engines)
    {
        engines.Schedulers.Dispose();
        engines.Synthesizer.Dispose();
        engines.Recognizer.Dispose();
        engines.Vad.Dispose();
    }

    private static T Track<T>(List<IDisposable> created, T engine) where T : IDisposable
    {
        created.Add(engine);
        return engine;
    }

    private static IVadModel LoadVad(EngineOptions options)
    {
        if (!File.Exists(options.VadModelPath))
        {
            throw new StartupException($"VAD model not found: {options.VadModelPath}. Run ./setup.sh (or models/fetch.sh) to fetch it.");
        }

        return Wrap("VAD", () => new SileroVadModel(options.VadModelPath, options.VadIntraOpThreads));
    }

    private static ISpeechRecognizer LoadRecognizer(EngineOptions options) => options.Stt switch
    {
        "whisper" => Wrap($"speech recognition (Whisper model {options.Whisper.ModelDirectory})", () => new WhisperRecognizer(options.Whisper)),
        _ => Wrap("speech recognition (pocketsphinx)", () => new SphinxRecognizer(options.Sphinx)),
    };

    private static ISpeechSynthesizer LoadSynthesizer(EngineOptions options)
    {
        ISpeechSynthesizer synthesizer = options.Tts switch
        {
            "espeak" => Wrap("speech synthesis (espeak-ng)", () => new EspeakSynthesizer(options.Espeak)),
            "piper" => Wrap($"speech synthesis (Piper voice {options.Piper.ModelPath})", () => new PiperSynthesizer(options.Piper)),
            _ => Wrap("speech synthesis (flite)", () => new FliteSynthesizer(options.Flite)),
        };
        return options.TtsCache > TimeSpan.Zero
            ? new CachingSynthesizer(synthesizer, (long)(options.TtsCache.TotalSeconds * synthesizer.SampleRate))
            : synthesizer;
    }

    private static IAgentFactory LoadAgent(EngineOptions options)
    {
        if (options.Agent == "llm")
        {
            return options.LlmOnnxGenAiFolder is { } folder
                ? Wrap($"LLM agent (ONNX Runtime GenAI model {folder})", () => LlmAgentFactory.ForOnnxGenAi(folder, options.Llm))
                : Wrap($"LLM agent ({options.Llm.Endpoint})", () => LlmAgentFactory.ForOpenAiCompatible(options.Llm));
        }

        // A flow file, or an embedded flow named "embedded:<name>" (e.g. embedded:front-desk-assistant.yaml).
        var flow = options.FlowFile is { } file
            ? Wrap("dialogue flow", () => FlowLoader.LoadFileOrEmbedded(file))
            : FlowLoader.LoadEmbeddedDemo();
        if (flow.ConversationStates.Count == 0)
        {
            return new FlowAgentFactory(flow, options.Flow);
        }

        // States that hand the call to an LLM ("conversation:") use the LLM settings of audioflow.engines.llm.
        var states = string.Join(", ", flow.ConversationStates.Select(s => $"'{s.Id}'"));
        var llm = options.LlmOnnxGenAiFolder is { } genAi
            ? Wrap($"LLM for the conversation states {states} of flow '{flow.Name}' (ONNX Runtime GenAI model {genAi})",
                () => LlmAgentFactory.ForOnnxGenAi(genAi, options.Llm))
            : Wrap($"LLM for the conversation states {states} of flow '{flow.Name}' ({options.Llm.Endpoint})",
                () => LlmAgentFactory.ForOpenAiCompatible(options.Llm));
        return new FlowAgentFactory(flow, options.Flow, llm);
    }

    private static T Wrap<T>(string role, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is not StartupException and not FlowValidationException)
        {
            throw new StartupException($"{role} could not start: {e.Message}", e);
        }
    }
}

/// <summary>The node cannot start: the message says why and what fixes it.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);
