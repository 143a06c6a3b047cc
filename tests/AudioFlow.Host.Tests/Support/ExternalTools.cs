using System.Diagnostics;

namespace AudioFlow.Host.Tests.Support;

/// <summary>Command-line tools the tests use to make audio (installed by ./setup.sh --test).</summary>
public static class ExternalTools
{
    public static bool Has(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));

    /// <summary>Runs a tool to completion (bounded), throwing with its stderr if it fails.</summary>
    public static void Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEnd();
        if (!process.WaitForExit(30_000) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed: {stderr}");
        }
    }
}

/// <summary>A fact that is skipped (with the reason) when a command-line tool is missing.</summary>
public sealed class RequiresToolsFactAttribute : FactAttribute
{
    public RequiresToolsFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => !ExternalTools.Has(t)).ToArray();
        if (missing.Length > 0)
        {
            Skip = $"needs {string.Join(", ", missing)} on PATH (./setup.sh --test installs them)";
        }
    }
}
