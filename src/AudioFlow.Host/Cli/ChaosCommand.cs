using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using AudioFlow.Audio.Channel;
using AudioFlow.Host.Composition;
using AudioFlow.Host.Reports;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Journal;
using AudioFlow.Pipeline.Loopback;

namespace AudioFlow.Host.Cli;

/// <summary>
/// <c>audioflow chaos run</c>: the resilience suite. Keeps N simulated calls going for a while under a chaos profile
/// (stages failing, stalling, slowing down), journals them, then reports what survived: calls completed or dropped,
/// caller frames sent vs analysed, stage restarts, journal events expected vs stored.
/// </summary>
public static class ChaosCommand
{
    private const string DefaultUtterance = "opening hours please";

    private static readonly Option<int> Calls = new("--calls") { Description = "Concurrent calls", DefaultValueFactory = _ => 20 };
    private static readonly Option<double> Minutes = new("--minutes") { Description = "How long to keep calls going", DefaultValueFactory = _ => 2 };
    private static readonly Option<string?> Profile = new("--profile") { Description = "Chaos profile (HOCON), e.g. hocon/chaos-resilience.conf" };
    private static readonly Option<string?> Wav = new("--wav") { Description = $"Caller speech (default: the configured voice saying \"{DefaultUtterance}\")" };
    private static readonly Option<bool> JsonOutput = new("--json") { Description = "Print the report as JSON" };
    private static readonly Option<double> Speed = new("--speed") { Description = "Media clock speed of the simulated calls (1 = real time)", DefaultValueFactory = _ => 1 };

    public static Command Create()
    {
        var run = new Command("run", "Run simulated calls under a chaos profile and report what survived") { Calls, Minutes, Profile, Wav, JsonOutput, Speed };
        run.SetAction((parse, cancellation) => CliErrors.Run(() => Run(parse, cancellation)));
        return new Command("chaos", "Resilience testing") { run };
    }

    /// <summary>Config overrides that switch chaos on with a profile file layered over the configuration.</summary>
    public static string[] ProfileOverrides(string? profile)
    {
        if (profile is null)
        {
            return ["audioflow.chaos.enabled = on"];
        }

        if (!File.Exists(profile))
        {
            throw new UsageException($"chaos profile not found: {profile}");
        }

        return [File.ReadAllText(profile), "audioflow.chaos.enabled = on"];
    }

    private static async Task<int> Run(ParseResult parse, CancellationToken cancellation)
    {
        var calls = parse.GetValue(Calls);
        var duration = TimeSpan.FromMinutes(parse.GetValue(Minutes));
        var speed = parse.GetValue(Speed);
        if (calls is < 1 or > 1000 || duration <= TimeSpan.Zero || speed is < 1 or > 20)
        {
            throw new UsageException("--calls must be 1-1000, --minutes positive, --speed 1-20");
        }

        var config = GlobalOptions.LoadConfig(parse, ["akka.loglevel = WARNING", .. ProfileOverrides(parse.GetValue(Profile))]);
        await using var node = AudioFlowNode.Start(config);
        var format = MediaFormat.Pcmu8k;
        var speech = CallerAudio.ForCaller(parse.GetValue(Wav), node.Engines.Synthesizer, DefaultUtterance, format, cancellation);

        var outcomes = new List<LoopbackCallOutcome>();
        var failures = new List<string>();
        var started = Stopwatch.StartNew();
        var lanes = Enumerable.Range(0, calls).Select(async lane =>
        {
            await Task.Delay(TimeSpan.FromMilliseconds(250 * lane), cancellation);
            while (started.Elapsed < duration && !cancellation.IsCancellationRequested)
            {
                try
                {
                    var outcome = await node.Loopback.RunAsync(speech, format, new CallerScript(), speed, cancellation);
                    lock (outcomes)
                    {
                        outcomes.Add(outcome);
                    }
                }
                catch (Exception e) when (e is TimeoutException or InvalidOperationException)
                {
                    lock (failures)
                    {
                        failures.Add(e.Message);
                    }
                }
            }
        });
        await Task.WhenAll(lanes);

        var report = await ChaosReport.BuildAsync(node, outcomes, failures, started.Elapsed, cancellation);
        Console.WriteLine(parse.GetValue(JsonOutput) ? JsonSerializer.Serialize(report, CallReport.Json) : report.Text());
        return report.Passed ? 0 : CliErrors.Failure;
    }
}

/// <summary>What a chaos run proved: the verdict is all calls completed, no caller frame lost, no journal event missing.</summary>
public sealed record ChaosReport(
    double WallMinutes,
    int CallsStarted,
    int CallsCompleted,
    int CallsDropped,
    IReadOnlyList<string> DropReasons,
    long CallerFramesSent,
    long CallerFramesAnalyzed,
    long CallerFramesLost,
    int StageRestarts,
    IReadOnlyDictionary<string, int> RestartsByStage,
    double InjectedFaultsPerCallMinute,
    long JournalEventsExpected,
    long JournalEventsStored,
    IReadOnlyList<string> JournalProblems)
{
    /// <summary>Endings that are the conversation's own, not a failure.</summary>
    private static readonly string[] NormalEnds = ["caller hung up", "agent hung up", "transferred to"];

    public bool Passed => CallsDropped == 0 && CallerFramesLost == 0 && JournalEventsExpected == JournalEventsStored && JournalProblems.Count == 0;

    public static async Task<ChaosReport> BuildAsync(AudioFlowNode node, IReadOnlyList<LoopbackCallOutcome> outcomes, IReadOnlyList<string> failures,
        TimeSpan wall, CancellationToken cancellation)
    {
        var dropped = outcomes.Where(o => !NormalEnds.Any(n => (o.Stats.EndReason ?? string.Empty).StartsWith(n, StringComparison.Ordinal))).ToArray();
        var restarts = outcomes.SelectMany(o => o.Stats.Restarts).ToArray();
        var callMinutes = outcomes.Sum(o => o.Stats.Duration.TotalMinutes);
        var (expected, stored, problems) = await CheckJournalAsync(node, outcomes, cancellation);
        return new ChaosReport(
            Math.Round(wall.TotalMinutes, 2),
            outcomes.Count + failures.Count,
            outcomes.Count - dropped.Length,
            dropped.Length + failures.Count,
            dropped.Select(o => o.Stats.EndReason ?? "unknown").Concat(failures).Distinct().ToArray(),
            outcomes.Sum(o => o.Caller.FramesSent),
            outcomes.Sum(o => o.Stats.FramesAnalyzed),
            outcomes.Sum(o => o.CallerFramesLost),
            restarts.Length,
            restarts.GroupBy(r => r.Stage).ToDictionary(g => g.Key, g => g.Count()),
            callMinutes > 0 ? Math.Round(restarts.Length / callMinutes, 2) : 0,
            expected,
            stored,
            problems);
    }

    /// <summary>Every call's journal must hold exactly the events its stats say it produced.</summary>
    private static async Task<(long Expected, long Stored, IReadOnlyList<string> Problems)> CheckJournalAsync(AudioFlowNode node,
        IReadOnlyList<LoopbackCallOutcome> outcomes, CancellationToken cancellation)
    {
        if (!node.Pipeline.JournalEnabled)
        {
            return (0, 0, ["the journal is disabled: nothing to check"]);
        }

        var reader = new CallJournalReader(node.System);
        long expected = 0, stored = 0;
        var problems = new List<string>();
        foreach (var outcome in outcomes)
        {
            var stats = outcome.Stats;
            var want = 2 + stats.Turns.Count(t => t.SttFinishedAt != 0) + stats.Replies.Count + stats.Restarts.Count;
            var call = await WithRetries(() => reader.ShowAsync(stats.CallId, cancellation));
            var have = call?.Events.Count(e => e is CallStarted or CallerTurn or AgentReply or StageRestarted or CallEnded) ?? 0;
            expected += want;
            stored += have;
            if (want != have)
            {
                problems.Add($"{stats.CallId}: expected {want} events, stored {have}");
            }
        }

        return (expected, stored, problems);
    }

    private static async Task<T> WithRetries<T>(Func<Task<T>> read)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await read();
            }
            catch (Exception) when (attempt < 5)
            {
                await Task.Delay(1000);
            }
        }
    }

    public string Text() =>
        $"""
        chaos run: {WallMinutes} min, {CallsStarted} calls started, {CallsCompleted} completed, {CallsDropped} dropped{(DropReasons.Count > 0 ? $" ({string.Join("; ", DropReasons)})" : string.Empty)}
        caller frames: sent {CallerFramesSent}, analysed {CallerFramesAnalyzed}, lost {CallerFramesLost}
        stage restarts: {StageRestarts} ({string.Join(", ", RestartsByStage.OrderBy(r => r.Key).Select(r => $"{r.Key} {r.Value}"))}); {InjectedFaultsPerCallMinute} per call-minute
        journal events: expected {JournalEventsExpected}, stored {JournalEventsStored}{(JournalProblems.Count > 0 ? $"; {string.Join("; ", JournalProblems.Take(5))}" : string.Empty)}
        {(Passed ? "PASSED: no call dropped, no caller frame lost, no journal event missing" : "FAILED")}
        """;
}
