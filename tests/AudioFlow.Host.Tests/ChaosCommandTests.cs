using System.Text.Json;
using AudioFlow.Host.Tests.Support;

namespace AudioFlow.Host.Tests;

/// <summary><c>audioflow chaos run</c>: a short resilience run (the 10-minute one is in bench/RESULTS.md).</summary>
public sealed class ChaosCommandTests
{
    [Fact]
    public async Task A_short_chaos_run_reports_no_drops_no_lost_frames_and_a_complete_journal()
    {
        var profile = Path.Combine(RepoPaths.Root, "hocon", "chaos-resilience.conf");
        var run = await AudioflowProcess.Run(TimeSpan.FromMinutes(3), "chaos", "run", "--calls", "3", "--minutes", "0.05", "--speed", "8",
            "--profile", profile, "--json");

        Assert.True(run.ExitCode == 0, run.Stdout + run.Stderr);
        using var report = JsonDocument.Parse(run.Stdout);
        var root = report.RootElement;
        Assert.True(root.GetProperty("callsStarted").GetInt32() >= 3);
        Assert.Equal(0, root.GetProperty("callsDropped").GetInt32());
        Assert.Equal(0, root.GetProperty("callerFramesLost").GetInt64());
        Assert.True(root.GetProperty("stageRestarts").GetInt32() > 0);
        Assert.Equal(root.GetProperty("journalEventsExpected").GetInt64(), root.GetProperty("journalEventsStored").GetInt64());
        Assert.True(root.GetProperty("journalEventsStored").GetInt64() > 0);
    }
}
