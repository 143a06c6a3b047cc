using System.CommandLine;
using System.Globalization;
using Akka.Actor;
using AudioFlow.Host.Composition;
using AudioFlow.Host.Configuration;
using AudioFlow.Host.Reports;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Journal;

namespace AudioFlow.Host.Cli;

/// <summary><c>audioflow calls list|show</c>: the call journal, read straight from the database.</summary>
public static class CallsCommand
{
    private static readonly Option<string?> Since = new("--since") { Description = "Only calls that started since: a time (2026-11-26T10:00) or an age (90m, 2h, 3d)" };
    private static readonly Option<bool> JsonOutput = new("--json") { Description = "Print JSON" };
    private static readonly Argument<string> CallId = new("call-id") { Description = "The call's id" };

    public static Command Create()
    {
        var list = new Command("list", "List the calls in the journal") { Since, JsonOutput };
        list.SetAction((parse, cancellation) => CliErrors.Run(() => WithReader(parse, async reader =>
        {
            var calls = await reader.ListAsync(ParseSince(parse.GetValue(Since)), cancellation);
            Console.WriteLine(parse.GetValue(JsonOutput) ? JournalViews.ListJson(calls) : JournalViews.ListText(calls));
            return 0;
        })));

        var show = new Command("show", "Show one call's journal") { CallId, JsonOutput };
        show.SetAction((parse, cancellation) => CliErrors.Run(() => WithReader(parse, async reader =>
        {
            var id = parse.GetValue(CallId)!;
            var call = await reader.ShowAsync(id, cancellation) ?? throw new UsageException($"no call {id} in the journal");
            Console.WriteLine(parse.GetValue(JsonOutput) ? JournalViews.ShowJson(call) : JournalViews.ShowText(call));
            return 0;
        })));

        return new Command("calls", "The call journal") { list, show };
    }

    /// <summary>"2026-11-26T10:00", "90m", "2h", "3d" → a point in time.</summary>
    public static DateTimeOffset? ParseSince(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (text.Length > 1 && char.IsAsciiLetter(text[^1]) && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            var age = char.ToLowerInvariant(text[^1]) switch
            {
                's' => TimeSpan.FromSeconds(amount),
                'm' => TimeSpan.FromMinutes(amount),
                'h' => TimeSpan.FromHours(amount),
                'd' => TimeSpan.FromDays(amount),
                _ => throw new UsageException($"--since {text}: unknown unit (use s, m, h or d)"),
            };
            return DateTimeOffset.UtcNow - age;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? at
            : throw new UsageException($"--since {text}: not a time (2026-11-26T10:00) or an age (90m, 2h, 3d)");
    }

    private static async Task<int> WithReader(ParseResult parse, Func<CallJournalReader, Task<int>> action)
    {
        var config = GlobalOptions.LoadConfig(parse, "akka.loglevel = WARNING");
        var journal = JournalOptions.FromConfig(config, AudioFlowHome.Resolve);
        if (!journal.Enabled)
        {
            throw new UsageException("the journal is disabled (audioflow.journal.enabled = off)");
        }

        if (journal.Provider == JournalProvider.Sqlite && !File.Exists(journal.SqliteFile))
        {
            throw new UsageException($"no journal database at {journal.SqliteFile} yet (it is created by the first call)");
        }

        await JournalStoreCheck.VerifyAsync(journal, CancellationToken.None);
        using var system = ActorSystem.Create("audioflow-calls", AkkaSettings.For(config, journal));
        try
        {
            return await action(new CallJournalReader(system));
        }
        finally
        {
            await system.Terminate();
        }
    }
}
