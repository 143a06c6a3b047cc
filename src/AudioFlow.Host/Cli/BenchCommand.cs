using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AudioFlow.Audio.Channel;
using AudioFlow.Host.Composition;
using AudioFlow.Host.Reports;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Loopback;

namespace AudioFlow.Host.Cli;

/// <summary>
/// <c>audioflow bench latency</c>: runs N loopback calls through the real pipeline and prints percentiles of
/// "caller stopped speaking → first reply frame sent", with the per-stage breakdown.
/// </summary>
public static class BenchCommand
{
    private const string DefaultUtterance = "opening hours please";

    private static readonly Option<int> Calls = new("--calls") { Description = "Number of calls", DefaultValueFactory = _ => 10 };
    private static readonly Option<int> Concurrency = new("--concurrency") { Description = "Calls at the same time", DefaultValueFactory = _ => 1 };
    private static readonly Option<string?> Wav = new("--wav") { Description = $"Caller speech (default: the configured voice saying \"{DefaultUtterance}\")" };
    private static readonly Option<bool> JsonOutput = new("--json") { Description = "Print the results as JSON" };

    public static Command Create()
    {
        var latency = new Command("latency", "Percentiles of end-of-caller-speech → first reply audio over N loopback calls")
        {
            Calls, Concurrency, Wav, JsonOutput,
        };
        latency.SetAction((parse, cancellation) => CliErrors.Run(() => RunLatency(parse, cancellation)));
        return new Command("bench", "Benchmarks that need the whole node") { latency };
    }

    private static async Task<int> RunLatency(ParseResult parse, CancellationToken cancellation)
    {
        var calls = parse.GetValue(Calls);
        var concurrency = parse.GetValue(Concurrency);
        if (calls < 1 || concurrency < 1 || concurrency > calls)
        {
            throw new UsageException("--calls must be at least 1 and --concurrency between 1 and --calls");
        }

        var config = GlobalOptions.LoadConfig(parse, "akka.loglevel = WARNING");
        await using var node = AudioFlowNode.Start(config);
        var format = MediaFormat.Pcmu8k;
        var speech = CallerAudio.ForCaller(parse.GetValue(Wav), node.Engines.Synthesizer, DefaultUtterance, format, cancellation);

        var outcomes = new List<LoopbackCallOutcome>();
        var started = Stopwatch.GetTimestamp();
        using var gate = new SemaphoreSlim(concurrency);
        var tasks = Enumerable.Range(0, calls).Select(async _ =>
        {
            await gate.WaitAsync(cancellation);
            try
            {
                var outcome = await node.Loopback.RunAsync(speech, format, new CallerScript(), 1.0, cancellation);
                lock (outcomes)
                {
                    outcomes.Add(outcome);
                }
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks);

        var result = LatencyResult.From(outcomes, calls, concurrency, Stopwatch.GetElapsedTime(started));
        Console.WriteLine(parse.GetValue(JsonOutput) ? JsonSerializer.Serialize(result, CallReport.Json) : result.Text());
        return 0;
    }

}

/// <summary>Latency percentiles over the first caller turn of each call (ms).</summary>
public sealed record LatencyResult(
    int Calls,
    int Concurrency,
    double WallSeconds,
    int TurnsMeasured,
    Percentiles Total,
    Percentiles Endpointing,
    Percentiles Stt,
    Percentiles Agent,
    Percentiles TtsFirstAudio,
    Percentiles Playout,
    long CallerFramesLost,
    long LateFrames,
    IReadOnlyList<string> Transcripts)
{
    public static LatencyResult From(IReadOnlyList<LoopbackCallOutcome> outcomes, int calls, int concurrency, TimeSpan wall)
    {
        var turns = outcomes.Select(o => o.Stats.Turns.FirstOrDefault()).Where(t => t?.ResponseLatencyMs is not null).Select(t => t!).ToArray();
        return new LatencyResult(calls, concurrency, Math.Round(wall.TotalSeconds, 1), turns.Length,
            Percentiles.Of(turns.Select(t => t.ResponseLatencyMs)),
            Percentiles.Of(turns.Select(t => t.EndpointingMs)),
            Percentiles.Of(turns.Select(t => t.SttMs)),
            Percentiles.Of(turns.Select(t => t.AgentMs)),
            Percentiles.Of(turns.Select(t => t.TtsFirstAudioMs)),
            Percentiles.Of(turns.Select(t => t.PlayoutMs)),
            outcomes.Sum(o => o.CallerFramesLost),
            outcomes.Sum(o => o.Stats.LateFrames),
            turns.Select(t => t.Transcript ?? string.Empty).Distinct().ToArray());
    }

    public string Text() =>
        $"""
        {Calls} calls ({Concurrency} at a time) in {WallSeconds} s; {TurnsMeasured} turns measured
        caller stopped speaking -> first reply frame: {Total}
          endpointing   {Endpointing}
          stt           {Stt}
          agent         {Agent}
          tts (1st)     {TtsFirstAudio}
          playout       {Playout}
        caller frames lost: {CallerFramesLost}; late agent frames: {LateFrames}
        transcripts: {string.Join(" | ", Transcripts)}
        """;
}

public sealed record Percentiles(double P50, double P95, double Max)
{
    public static Percentiles Of(IEnumerable<double?> values)
    {
        var sorted = values.Where(v => v is not null).Select(v => v!.Value).Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Percentiles(double.NaN, double.NaN, double.NaN);
        }

        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        return new Percentiles(At(0.5), At(0.95), sorted[^1]);
    }

    public override string ToString() => $"p50 {P50:F0} ms, p95 {P95:F0} ms, max {Max:F0} ms";
}
