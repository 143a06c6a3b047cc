using System.Diagnostics;

namespace AudioFlow.Pipeline.Tests.Support;

/// <summary>Runs a system tool (initdb, pg_ctl, mount, ...) for test set-up; a non-zero exit is an exception with its stderr.</summary>
internal static class ToolProcess
{
    public static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{program} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(60_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed: {stderr.Result.Trim()}");
        }
    }
}
