using System.CommandLine;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Wav;
using AudioFlow.Host.Composition;
using AudioFlow.Host.Reports;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Loopback;

namespace AudioFlow.Host.Cli;

/// <summary>
/// <c>audioflow call --wav caller.wav</c>: one in-process call through the full pipeline over a loopback channel
/// (8 kHz µ-law by default), paced in real time or faster with <c>--fast</c>.
/// </summary>
public static class CallCommand
{
    private const double FastSpeed = 8;

    private static readonly Option<string> Wav = new("--wav") { Description = "The caller's speech (WAV, 8-48 kHz)", Required = true };
    private static readonly Option<string?> Out = new("--out") { Description = "Write what the caller heard to this WAV file" };
    private static readonly Option<string?> Flow = new("--flow") { Description = "Dialogue flow file (YAML/JSON), or embedded:front-desk-assistant.yaml, instead of the configured one" };
    private static readonly Option<bool> JsonOutput = new("--json") { Description = "Print one JSON object with the call's results" };
    private static readonly Option<bool> Fast = new("--fast") { Description = $"Run the call {FastSpeed}x faster than real time" };
    private static readonly Option<double?> Speed = new("--speed") { Description = "Run the call this many times faster than real time (1-20)" };
    private static readonly Option<int?> SpeakAt = new("--speak-at-ms") { Description = "Start speaking this many ms into the call (barge into the greeting) instead of after it" };
    private static readonly Option<string?> Dtmf = new("--dtmf") { Description = "Keys to press after speaking, e.g. 3 or 12#" };
    private static readonly Option<string> Codec = new("--codec") { Description = "Wire codec of the loopback channel", DefaultValueFactory = _ => "pcmu" };
    private static readonly Option<int> MaxSeconds = new("--max-seconds") { Description = "Hang up after this long whatever happens", DefaultValueFactory = _ => 60 };
    private static readonly Option<bool> Verbose = new("--verbose") { Description = "Log the call's progress on standard error" };
    private static readonly Option<string?> Stt = new("--stt") { Description = "Speech recognition engine: sphinx or whisper" };
    private static readonly Option<string?> WhisperModel = new("--whisper-model") { Description = "Whisper model folder (with --stt whisper)" };
    private static readonly Option<string?> Tts = new("--tts") { Description = "Speech synthesis engine: flite, espeak or piper" };
    private static readonly Option<string?> PiperVoice = new("--piper-voice") { Description = "Piper voice .onnx file (with --tts piper)" };
    private static readonly Option<string?> Agent = new("--agent") { Description = "Agent: flow or llm" };

    public static Command Create()
    {
        Codec.AcceptOnlyFromAmong("pcmu", "pcma", "l16");
        var command = new Command("call", "Play a recorded caller into a real call pipeline and get the agent's answer back")
        {
            Wav, Out, Flow, JsonOutput, Fast, Speed, SpeakAt, Dtmf, Codec, MaxSeconds, Verbose, Stt, WhisperModel, Tts, PiperVoice, Agent,
        };
        command.SetAction((parse, cancellation) => CliErrors.Run(() => Run(parse, cancellation)));
        return command;
    }

    private static async Task<int> Run(ParseResult parse, CancellationToken cancellation)
    {
        var (pcm, rate) = CallerAudio.Read(parse.GetValue(Wav)!);
        var speed = parse.GetValue(Speed) ?? (parse.GetValue(Fast) ? FastSpeed : 1.0);
        if (speed is < 1 or > 20)
        {
            throw new UsageException("--speed must be between 1 and 20");
        }

        var overrides = new List<string> { $"akka.loglevel = {(parse.GetValue(Verbose) ? "INFO" : "WARNING")}" };
        if (parse.GetValue(Flow) is { } flow)
        {
            if (flow.StartsWith(AudioFlow.Engines.Agents.Flow.FlowLoader.EmbeddedPrefix, StringComparison.Ordinal))
            {
                overrides.Add($"audioflow.engines.flow.file = \"{flow}\"");
            }
            else if (!File.Exists(flow))
            {
                throw new UsageException($"flow file not found: {flow}");
            }
            else
            {
                overrides.Add($"audioflow.engines.flow.file = \"{Path.GetFullPath(flow).Replace("\\", "\\\\")}\"");
            }
        }

        AddEngineOverrides(parse, overrides);
        var config = GlobalOptions.LoadConfig(parse, [.. overrides]);
        var format = parse.GetValue(Codec) switch
        {
            "pcma" => MediaFormat.Pcma8k,
            "l16" => MediaFormat.L16At8k,
            _ => MediaFormat.Pcmu8k,
        };
        var script = Script(parse, TimeSpan.FromSeconds((double)pcm.Length / rate));

        await using var node = AudioFlowNode.Start(config);
        var speech = OutboundSpeech.ToRate(pcm, rate, format.SampleRate);
        var outcome = await node.Loopback.RunAsync(speech, format, script, speed, cancellation);

        if (parse.GetValue(Out) is { } outPath)
        {
            WavFile.Write(outPath, outcome.Caller.HeardTimeline(format.SampleRate), format.SampleRate);
        }

        var report = CallReport.From(outcome);
        Console.WriteLine(parse.GetValue(JsonOutput) ? report.ToJson() : CallSummary.Text(report));
        return 0;
    }

    /// <summary>--stt/--tts/--agent and model paths become configuration overrides (one source of configuration).</summary>
    private static void AddEngineOverrides(ParseResult parse, List<string> overrides)
    {
        foreach (var (option, key) in new[] { (Stt, "stt"), (Tts, "tts"), (Agent, "agent") })
        {
            if (parse.GetValue(option) is { } engine)
            {
                overrides.Add($"audioflow.engines.{key} = \"{engine}\"");
            }
        }

        if (parse.GetValue(WhisperModel) is { } whisper)
        {
            overrides.Add($"audioflow.engines.whisper.model-dir = \"{Path.GetFullPath(whisper).Replace("\\", "\\\\")}\"");
        }

        if (parse.GetValue(PiperVoice) is { } piper)
        {
            overrides.Add($"audioflow.engines.piper.model = \"{Path.GetFullPath(piper).Replace("\\", "\\\\")}\"");
        }
    }

    private static CallerScript Script(ParseResult parse, TimeSpan speechDuration)
    {
        var script = new CallerScript { MaxDuration = TimeSpan.FromSeconds(parse.GetValue(MaxSeconds)) };
        if (parse.GetValue(SpeakAt) is { } ms)
        {
            script = script with { SpeakAfterGreeting = false, SpeakAt = TimeSpan.FromMilliseconds(ms) };
        }

        if (parse.GetValue(Dtmf) is { Length: > 0 } keys)
        {
            if (keys.Any(k => !"0123456789*#ABCD".Contains(k)))
            {
                throw new UsageException("--dtmf takes keys 0-9, *, #, A-D");
            }

            // Keys follow the speech by half a second, 300 ms apart.
            script = script with
            {
                Dtmf = keys.Select((k, i) => (speechDuration + TimeSpan.FromMilliseconds(500 + 300 * i), k)).ToArray(),
            };
        }

        return script;
    }
}
