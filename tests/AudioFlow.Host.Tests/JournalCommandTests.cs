using System.Text.Json;
using AudioFlow.Audio.Wav;
using AudioFlow.Host.Tests.Support;

namespace AudioFlow.Host.Tests;

/// <summary>The call journal through the real program: calls list/show, /api/calls, and a server killed mid-call.</summary>
public sealed class JournalCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("audioflow-journal-").FullName;

    private string Database => Path.Combine(_dir, "calls.db");

    private string Setting => $"audioflow.journal.sqlite-file = \"{Database}\"";

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [RequiresToolsFact("flite")]
    public async Task Calls_cut_off_by_kill_9_are_closed_as_node_restarted_with_their_events_up_to_the_crash()
    {
        var caller = Path.Combine(_dir, "caller.wav");
        ExternalTools.Run("flite", "-voice", "rms", "-t", "opening hours please", "-o", caller);
        var recordings = Path.Combine(_dir, "recordings");
        var server = await ServerProcess.StartAsync(Setting, $"audioflow.recordings {{ enabled = on, directory = \"{recordings}\" }}");
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var body = await File.ReadAllBytesAsync(caller);
        var calls = Enumerable.Range(0, 2).Select(_ => http.PostAsync(server.Url("/api/calls/simulate?speakAtMs=1500"), new ByteArrayContent(body))).ToArray();

        // Wait until both calls have turns in the journal (they barge in at 1.5 s, the answer takes a few seconds more).
        await WaitFor(async () => (await JournalJson(http, server)).GetArrayLength() == 2 &&
            (await JournalJson(http, server)).EnumerateArray().All(c => c.GetProperty("turns").GetInt32() >= 1), TimeSpan.FromSeconds(40));
        server.KillHard();
        foreach (var call in calls)
        {
            await Assert.ThrowsAnyAsync<Exception>(() => call);
        }

        // The recordings were written as the calls went: each is a playable file up to shortly before the crash,
        // with the greeting on the agent's side.
        var cutShort = Directory.GetFiles(recordings, "*.wav");
        Assert.Equal(2, cutShort.Length);
        foreach (var file in cutShort)
        {
            var wav = WavFile.Read(file);
            Assert.Equal(2, wav.Channels);
            Assert.True(wav.FrameCount >= wav.SampleRate, $"{file}: {wav.FrameCount} frames on disk");
            var agentSide = Enumerable.Range(0, wav.FrameCount).Select(i => (double)wav.Samples[(2 * i) + 1]).ToArray();
            Assert.True(Math.Sqrt(agentSide.Average(x => x * x)) > 300, $"{file}: the agent's side should carry the greeting");
        }

        // The node comes back: recovery closes what the crash left open.
        await using (var restarted = await ServerProcess.StartAsync(Setting))
        {
            var list = await AudioflowProcess.Run(TimeSpan.FromMinutes(1), "calls", "list", "--json", "-c", Setting);
            Assert.True(list.ExitCode == 0, list.Stderr);
            using var listed = JsonDocument.Parse(list.Stdout);
            Assert.Equal(2, listed.RootElement.GetArrayLength());
            foreach (var call in listed.RootElement.EnumerateArray())
            {
                Assert.Equal("node restarted", call.GetProperty("endReason").GetString());
                var show = await AudioflowProcess.Run(TimeSpan.FromMinutes(1), "calls", "show", call.GetProperty("callId").GetString()!, "-c", Setting);
                Assert.True(show.ExitCode == 0, show.Stderr);
                var lines = show.Stdout.Trim().Split('\n');
                Assert.Contains(" CallStarted loopback", lines[1]);
                Assert.Contains(", recording to ", lines[1]);
                var recording = lines[1][(lines[1].IndexOf(", recording to ", StringComparison.Ordinal) + ", recording to ".Length)..];
                Assert.Contains(recording, cutShort); // the journal of a call cut off by the crash points to its recording
                Assert.Contains(lines, l => l.Contains(" CallerTurn #1 \"opening hours"));
                Assert.Contains(" CallEnded node restarted", lines[^1]);
            }

            using var api = JsonDocument.Parse(await http.GetStringAsync(restarted.Url("/api/calls")));
            Assert.Equal(2, api.RootElement.GetArrayLength());
        }
    }

    [Fact]
    public async Task Reading_a_journal_that_does_not_exist_or_a_call_that_is_not_there_is_a_clear_error()
    {
        var missing = await AudioflowProcess.Run(TimeSpan.FromMinutes(1), "calls", "list", "-c", Setting);
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no journal database at", missing.Stderr);

        await File.WriteAllTextAsync(Database, "definitely not sqlite, but long enough to have a header worth reading.......");
        var corrupt = await AudioflowProcess.Run(TimeSpan.FromMinutes(1), "calls", "list", "-c", Setting);
        Assert.Equal(1, corrupt.ExitCode);
        Assert.Contains("not a SQLite database", corrupt.Stderr);
        Assert.DoesNotContain("   at ", corrupt.Stderr);

        var serve = await AudioflowProcess.Run(TimeSpan.FromMinutes(1), "serve", "-c", Setting, "-c", "audioflow.http.port = 0");
        Assert.Equal(1, serve.ExitCode);
        Assert.Contains("journal database", serve.Stderr);
    }

    private static async Task<JsonElement> JournalJson(HttpClient http, ServerProcess server)
    {
        using var document = JsonDocument.Parse(await http.GetStringAsync(server.Url("/api/calls")));
        return document.RootElement.Clone();
    }

    private static async Task WaitFor(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"condition not met within {timeout}");
    }
}
