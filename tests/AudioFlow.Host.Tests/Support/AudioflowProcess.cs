using System.Diagnostics;
using System.Text;

namespace AudioFlow.Host.Tests.Support;

/// <summary>Runs the real <c>audioflow</c> program (the built audioflow.dll) as a child process, bounded in time.</summary>
public static class AudioflowProcess
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "audioflow.dll");

    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    public static async Task<Result> Run(TimeSpan timeout, params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"audioflow {string.Join(' ', args)} did not finish within {timeout}; stderr: {await stderr}");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>
    /// Every process a test starts journals into its own SQLite file (in the temp folder) unless the test chose one:
    /// tests running in parallel must not contend for the repository's data/audioflow.db.
    /// </summary>
    public static Process Start(params string[] args)
    {
        if (!args.Any(a => a.Contains("audioflow.journal.sqlite-file", StringComparison.Ordinal)))
        {
            var file = Path.Combine(Path.GetTempPath(), "audioflow-tests", $"journal-{Guid.NewGuid():N}.db");
            args = [.. args, "-c", $"audioflow.journal.sqlite-file = \"{file}\""];
        }

        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = RepoPaths.Root,
        };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info) ?? throw new InvalidOperationException("could not start dotnet");
    }
}

/// <summary>Locates the repository root (the folder holding AudioFlow.sln).</summary>
public static class RepoPaths
{
    public static string Root { get; } = Locate();

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AudioFlow.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("AudioFlow.sln not found above " + AppContext.BaseDirectory);
    }
}
