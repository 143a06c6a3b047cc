using AudioFlow.Engines.Agents;
using AudioFlow.Engines.Stt;
using AudioFlow.Engines.Tts;
using AudioFlow.Engines.Vad;
using AudioFlow.Pipeline.Inference;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// The process-wide engines (models loaded once) and inference pools every call shares. Each call takes its own
/// small state from them (VAD session, agent session). Owned by the host, which disposes it at shutdown.
/// </summary>
public sealed record CallEngines(
    IVadModel Vad,
    ISpeechRecognizer Recognizer,
    ISpeechSynthesizer Synthesizer,
    IAgentFactory Agents,
    InferenceSchedulers Schedulers);
