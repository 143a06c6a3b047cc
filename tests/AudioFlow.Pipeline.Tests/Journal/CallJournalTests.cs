using Akka.Actor;
using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Journal;
using AudioFlow.Pipeline.Loopback;
using AudioFlow.Pipeline.Tests.Support;

namespace AudioFlow.Pipeline.Tests.Journal;

/// <summary>Real calls through the real pipeline, journaled into a real SQLite file or a real PostgreSQL server.</summary>
[Collection(LiveNodeCollection.Name)]
public sealed class CallJournalTests(LiveNode node) : IDisposable
{
    private const double Fast = 8;
    private readonly string _dir = Directory.CreateTempSubdirectory("audioflow-journal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_call_is_journaled_in_sqlite_and_read_back_with_its_turns_replies_and_end()
    {
        var journal = new JournalOptions(true, JournalProvider.Sqlite, Path.Combine(_dir, "calls.db"), string.Empty);
        await JournalStoreCheck.VerifyAsync(journal, CancellationToken.None);
        using var system = ActorSystem.Create("journal-sqlite", JournalConfig.For(journal).WithFallback(TestConfig.Load("akka.loglevel = WARNING")));

        var outcome = await Call(system, "opening hours please");
        var call = await new CallJournalReader(system).ShowAsync(outcome.Stats.CallId, CancellationToken.None);

        AssertComplete(call, outcome);
        var listed = await new CallJournalReader(system).ListAsync(DateTimeOffset.UtcNow.AddMinutes(-5), CancellationToken.None);
        Assert.Contains(listed, c => c.CallId == outcome.Stats.CallId);
        Assert.Empty(await new CallJournalReader(system).ListAsync(DateTimeOffset.UtcNow.AddMinutes(5), CancellationToken.None));
    }

    [PostgresFact]
    public async Task A_call_is_journaled_in_postgresql_and_an_outage_mid_call_only_delays_the_writes()
    {
        using var postgres = PostgresServer.Start();
        var journal = new JournalOptions(true, JournalProvider.Postgres, string.Empty, postgres.ConnectionString);
        await JournalStoreCheck.VerifyAsync(journal, CancellationToken.None);
        using var system = ActorSystem.Create("journal-pg", JournalConfig.For(journal).WithFallback(TestConfig.Load("akka.loglevel = ERROR")));

        var first = await Call(system, "opening hours please");
        AssertComplete(await new CallJournalReader(system).ShowAsync(first.Stats.CallId, CancellationToken.None), first);

        // The database goes away while a call runs, and comes back after it ended: nothing is lost.
        var format = MediaFormat.Pcmu8k;
        var running = Runner(system).RunAsync(node.Say("opening hours please", format), format, new CallerScript(), Fast, CancellationToken.None);
        await Task.Delay(300);
        postgres.Stop();
        var second = await running;
        Assert.Contains("Monday", second.Stats.Replies.Single(r => r.TurnNumber == 1).Text);
        postgres.Resume();

        AssertComplete(await WaitUntilEndedAsync(system, second.Stats.CallId), second);
    }

    [SmallFilesystemFact]
    public async Task A_full_disk_mid_run_only_delays_the_writes_and_nothing_is_lost()
    {
        using var disk = SmallFilesystem.Mount(kilobytes: 2048);
        var journal = new JournalOptions(true, JournalProvider.Sqlite, Path.Combine(disk.Path, "calls.db"), string.Empty);
        await JournalStoreCheck.VerifyAsync(journal, CancellationToken.None);
        using var system = ActorSystem.Create("journal-full-disk", JournalConfig.For(journal).WithFallback(TestConfig.Load("akka.loglevel = ERROR")));
        var reader = new CallJournalReader(system);

        var first = await Call(system, "opening hours please");
        AssertComplete(await reader.ShowAsync(first.Stats.CallId, CancellationToken.None), first);

        // The disk fills up between calls: a node starting now would refuse with a clear error; the running node's
        // next call still runs to its end, its events wait in the writer.
        Assert.True(disk.FillUp() > 0, "the filler file should have taken the free space");
        var atStart = await Assert.ThrowsAsync<JournalUnavailableException>(() => JournalStoreCheck.VerifyAsync(journal, CancellationToken.None));
        Assert.Contains("the disk is full", atStart.Message);
        using var retries = new CounterListener("audioflow.journal.retries");
        var second = await Call(system, "opening hours please");
        Assert.Contains("Monday", second.Stats.Replies.Single(r => r.TurnNumber == 1).Text);
        var whileFull = await reader.ShowAsync(second.Stats.CallId, CancellationToken.None);
        Assert.True(whileFull?.Ended is null, "with the disk full the call's end cannot have been stored yet");
        Assert.True(retries.Total > 0, "failed writes should be retried and counted");

        // Space comes back: the backlog lands, every event in order.
        disk.Free();
        AssertComplete(await WaitUntilEndedAsync(system, second.Stats.CallId), second);
    }

    [Fact]
    public async Task A_database_that_cannot_be_used_is_a_clear_error_at_start()
    {
        var notADatabase = Path.Combine(_dir, "garbage.db");
        await File.WriteAllTextAsync(notADatabase, "this is not a database file, just text that is long enough to look like a header......");
        var corrupt = await Assert.ThrowsAsync<JournalUnavailableException>(() =>
            JournalStoreCheck.VerifyAsync(new JournalOptions(true, JournalProvider.Sqlite, notADatabase, string.Empty), CancellationToken.None));
        Assert.Contains("not a SQLite database", corrupt.Message);

        var locked = Path.Combine(_dir, "locked.db");
        await using (var holder = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={locked};Pooling=false"))
        {
            await holder.OpenAsync();
            await using var begin = holder.CreateCommand();
            begin.CommandText = "CREATE TABLE t(x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);";
            await begin.ExecuteNonQueryAsync();
            var error = await Assert.ThrowsAsync<JournalUnavailableException>(() =>
                JournalStoreCheck.VerifyAsync(new JournalOptions(true, JournalProvider.Sqlite, locked, string.Empty), CancellationToken.None));
            Assert.Contains("locked by another process", error.Message);
        }

        var unreachable = await Assert.ThrowsAsync<JournalUnavailableException>(() => JournalStoreCheck.VerifyAsync(
            new JournalOptions(true, JournalProvider.Postgres, string.Empty, "Host=127.0.0.1;Port=1;Username=x;Password=secret-pw;Timeout=2"),
            CancellationToken.None));
        Assert.Contains("127.0.0.1:1", unreachable.Message);
        Assert.DoesNotContain("secret-pw", unreachable.Message);
    }

    /// <summary>The call's journal once its end is stored (the writer retries its backlog with backoff), or what is there after a minute.</summary>
    private static async Task<JournaledCall?> WaitUntilEndedAsync(ActorSystem system, string callId)
    {
        JournaledCall? stored = null;
        for (var attempt = 0; attempt < 120 && stored?.Ended is null; attempt++)
        {
            await Task.Delay(500);
            try
            {
                stored = await new CallJournalReader(system).ShowAsync(callId, CancellationToken.None);
            }
            catch (Exception)
            {
                // the read side may still be reconnecting
            }
        }

        return stored;
    }

    private Task<LoopbackCallOutcome> Call(ActorSystem system, string text)
    {
        var format = MediaFormat.Pcmu8k;
        return Runner(system).RunAsync(node.Say(text, format), format, new CallerScript(), Fast, CancellationToken.None);
    }

    private LoopbackCallRunner Runner(ActorSystem system)
    {
        var options = TestConfig.Pipeline("audioflow.journal.enabled = on");
        return new LoopbackCallRunner(system, system.ActorOf(CallsSupervisor.Props(node.Engines, options)), options);
    }

    private static void AssertComplete(JournaledCall? call, LoopbackCallOutcome outcome)
    {
        Assert.NotNull(call);
        Assert.IsType<CallStarted>(call.Events[0]);
        Assert.Equal("loopback", call.Started!.Transport);
        var turn = Assert.Single(call.Events.OfType<CallerTurn>());
        Assert.Contains("opening hours", turn.Transcript);
        var replies = call.Events.OfType<AgentReply>().ToArray();
        Assert.Equal(outcome.Stats.Replies.Count, replies.Length);
        Assert.Contains(replies, r => r.Turn == 1 && r.Text.Contains("Monday"));
        var ended = Assert.IsType<CallEnded>(call.Events[^1]);
        Assert.Equal(outcome.Stats.EndReason, ended.Reason);
        Assert.Equal(outcome.Stats.FramesAnalyzed, ended.FramesAnalyzed);
        Assert.Equal(call.Events.OrderBy(e => e.At).Select(e => e.GetType().Name), call.Events.Select(e => e.GetType().Name));
    }
}
