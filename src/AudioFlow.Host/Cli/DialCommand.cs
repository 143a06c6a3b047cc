using System.CommandLine;
using System.Text.Json;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Wav;
using AudioFlow.Host.Reports;
using AudioFlow.Host.Simulator;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Telephony.Streams;

namespace AudioFlow.Host.Cli;

/// <summary>
/// <c>audioflow dial</c>: a provider simulator (Vobiz, Plivo, Twilio, Telnyx). Runs one call, or N concurrent calls as
/// a load test, against an answer webhook, and prints per-call results and a summary.
/// </summary>
public static class DialCommand
{
    private static readonly Option<string> Provider = new("--provider") { Description = "vobiz, plivo, twilio or telnyx", Required = true };
    private static readonly Option<string> Url = new("--url") { Description = "The answer webhook, e.g. http://127.0.0.1:8080/twilio/voice", Required = true };
    private static readonly Option<string> Wav = new("--wav") { Description = "The caller's speech (WAV, 8-48 kHz)", Required = true };
    private static readonly Option<string?> Out = new("--out") { Description = "Write what the (first) caller heard to this WAV file" };
    private static readonly Option<int> Calls = new("--calls") { Description = "Concurrent calls", DefaultValueFactory = _ => 1 };
    private static readonly Option<int> RampMs = new("--ramp-ms") { Description = "Delay between starting calls", DefaultValueFactory = _ => 20 };
    private static readonly Option<bool> JsonOutput = new("--json") { Description = "Print JSON: every call and the summary" };
    private static readonly Option<int?> SpeakAt = new("--speak-at-ms") { Description = "Speak this many ms into the stream (barge into the greeting) instead of after it" };
    private static readonly Option<string?> Dtmf = new("--dtmf") { Description = "Keys to press after speaking" };
    private static readonly Option<int> MaxSeconds = new("--max-seconds") { Description = "Hang up after this long whatever happens", DefaultValueFactory = _ => 60 };
    private static readonly Option<string?> AuthToken = new("--auth-token") { Description = "Sign requests like the provider would (servers in signature mode)" };
    private static readonly Option<bool> NoAcks = new("--no-acks") { Description = "Never acknowledge marks (a provider that drops them)" };

    public static Command Create()
    {
        Provider.AcceptOnlyFromAmong([.. StreamDialects.Names]);
        var command = new Command("dial", "Behave like a telephony provider: call a webhook and stream a recorded caller over a WebSocket")
        {
            Provider, Url, Wav, Out, Calls, RampMs, JsonOutput, SpeakAt, Dtmf, MaxSeconds, AuthToken, NoAcks,
        };
        command.SetAction((parse, cancellation) => CliErrors.Run(() => Run(parse, cancellation)));
        return command;
    }

    private static async Task<int> Run(ParseResult parse, CancellationToken cancellation)
    {
        if (!Uri.TryCreate(parse.GetValue(Url), UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new UsageException("--url must be an http(s) URL of the answer webhook");
        }

        var calls = parse.GetValue(Calls);
        if (calls is < 1 or > 5000)
        {
            throw new UsageException("--calls must be between 1 and 5000");
        }

        var (pcm, rate) = CallerAudio.Read(parse.GetValue(Wav)!);
        var speech = OutboundSpeech.ToRate(pcm, rate, 8000);
        var options = new DialOptions(parse.GetValue(Provider)!, url, speech)
        {
            MaxDuration = TimeSpan.FromSeconds(parse.GetValue(MaxSeconds)),
            AuthToken = parse.GetValue(AuthToken),
            NeverAckMarks = parse.GetValue(NoAcks),
        };
        if (parse.GetValue(SpeakAt) is { } ms)
        {
            options = options with { PauseAfterGreeting = null, SpeakAt = TimeSpan.FromMilliseconds(ms) };
        }

        if (parse.GetValue(Dtmf) is { Length: > 0 } keys)
        {
            options = options with { Dtmf = keys.Select((k, i) => (TimeSpan.FromMilliseconds(500 + 300 * i), k)).ToArray() };
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var simulators = Enumerable.Range(0, calls).Select(_ => new ProviderCallSimulator(options, http)).ToArray();
        var tasks = new List<Task<DialResult>>();
        foreach (var simulator in simulators)
        {
            tasks.Add(simulator.RunAsync(cancellation));
            await Task.Delay(parse.GetValue(RampMs), cancellation);
        }

        var results = await Task.WhenAll(tasks);
        if (parse.GetValue(Out) is { } outPath)
        {
            WavFile.Write(outPath, simulators[0].Heard, 8000);
        }

        var summary = DialSummary.Of(results);
        Console.WriteLine(parse.GetValue(JsonOutput)
            ? JsonSerializer.Serialize(new { summary, calls = results }, CallReport.Json)
            : summary.Text(results));
        return results.All(r => r.Completed) ? 0 : CliErrors.Failure;
    }
}

/// <summary>Aggregate of a dial run: the load test's verdict (real time held, nothing lost).</summary>
public sealed record DialSummary(
    int Calls,
    int Completed,
    Percentiles ReplyLatencyMs,
    double MaxFrameLatenessMs,
    int LateFrames,
    long FramesSent,
    long FramesReceived,
    long? ServerFramesLost,
    int Clears,
    int Errors)
{
    public bool HeldRealTime => LateFrames == 0 && ServerFramesLost is 0 or null && Completed == Calls;

    public static DialSummary Of(IReadOnlyList<DialResult> results) => new(
        results.Count,
        results.Count(r => r.Completed),
        Percentiles.Of(results.SelectMany(r => r.ReplyLatencyMs).Select(v => (double?)v)),
        results.Select(r => r.MaxFrameLatenessMs).DefaultIfEmpty(0).Max(),
        results.Sum(r => r.LateFrames),
        results.Sum(r => r.FramesSent),
        results.Sum(r => r.FramesReceived),
        results.All(r => r.ServerFramesLost is not null) ? results.Sum(r => r.ServerFramesLost!.Value) : null,
        results.Sum(r => r.Clears),
        results.Sum(r => r.Errors.Count));

    public string Text(IReadOnlyList<DialResult> results)
    {
        var lines = results.Take(20).Select(r =>
            $"  {r.Provider} {r.StreamId[..8]}: {(r.Completed ? "ok" : "FAILED")}, ended by {r.EndedBy} ({r.ServerEndReason ?? "-"}), " +
            $"{r.DurationMs / 1000:F1} s, sent {r.FramesSent}, heard {r.FramesPlayed} frames, clears {r.Clears}, " +
            $"marks {r.MarksAcknowledged}/{r.MarksRequested}, reply after {string.Join("/", r.ReplyLatencyMs.Select(l => $"{l:F0} ms"))}, " +
            $"transcripts [{string.Join(" | ", r.Transcripts)}]{(r.Errors.Count > 0 ? $", errors: {string.Join("; ", r.Errors)}" : string.Empty)}");
        return string.Join(Environment.NewLine, lines.Append(
            $"{Completed}/{Calls} calls completed; reply latency {ReplyLatencyMs}; max frame lateness {MaxFrameLatenessMs:F0} ms " +
            $"({LateFrames} frames later than {DialResult.LateThresholdMs} ms); caller frames lost on the server: {ServerFramesLost?.ToString() ?? "unknown"}; " +
            $"{(HeldRealTime ? "real time held" : "real time NOT held")}"));
    }
}
