using System.Text.Json;
using AudioFlow.Audio.Wav;
using AudioFlow.Host.Tests.Support;

namespace AudioFlow.Host.Tests;

/// <summary><c>audioflow call</c> end to end: the real program, the real engines, a flite-voiced caller.</summary>
public sealed class CallCommandTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly string _dir = Directory.CreateTempSubdirectory("audioflow-call-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RequiresToolsFact("flite")]
    public async Task A_flite_voiced_caller_asking_for_opening_hours_gets_the_opening_hours_answer()
    {
        var caller = Path.Combine(_dir, "caller.wav");
        var heard = Path.Combine(_dir, "heard.wav");
        ExternalTools.Run("flite", "-voice", "awb", "-t", "opening hours please", "-o", caller);

        var run = await AudioflowProcess.Run(Timeout, "call", "--wav", caller, "--out", heard, "--json", "--fast");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var report = JsonDocument.Parse(run.Stdout);
        var root = report.RootElement;
        var turn = root.GetProperty("turns")[0];
        Assert.Contains("opening hours", turn.GetProperty("transcript").GetString());
        var latency = turn.GetProperty("latencyMs");
        foreach (var stage in new[] { "endpointing", "stt", "agent", "ttsFirstAudio", "total" })
        {
            Assert.True(latency.GetProperty(stage).GetDouble() >= 0, stage);
        }

        var answer = root.GetProperty("replies").EnumerateArray().Single(r => r.TryGetProperty("turn", out var t) && t.GetInt32() == 1);
        Assert.Contains("Monday", answer.GetProperty("text").GetString());
        Assert.Equal(0, root.GetProperty("frames").GetProperty("lost").GetInt64());
        Assert.StartsWith("caller hung up", root.GetProperty("endReason").GetString());
        Assert.Empty(root.GetProperty("restarts").EnumerateArray());

        var recording = WavFile.Read(heard);
        Assert.Equal(8000, recording.SampleRate);
        Assert.True(recording.Duration > TimeSpan.FromSeconds(10), $"heard only {recording.Duration}");
    }

    [RequiresToolsFact("flite")]
    public async Task The_text_summary_names_the_turns_and_a_stage_made_to_fail_shows_its_restarts()
    {
        var caller = Path.Combine(_dir, "caller.wav");
        ExternalTools.Run("flite", "-voice", "rms", "-t", "opening hours please", "-o", caller);

        var run = await AudioflowProcess.Run(Timeout, "call", "--wav", caller, "--fast",
            "-c", "audioflow.chaos { enabled = on, faults = [ { stage = vad, every-nth = 50 } ] }");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("caller: \"opening hours", run.Stdout);
        Assert.Contains("Monday", run.Stdout);
        Assert.Matches(@"lost 0;", run.Stdout);
        Assert.Matches(@"stage restarts [1-9]\d*", run.Stdout);
    }
}
