using Xunit;

namespace AudioFlow.Engines.Tests.Vad;

/// <summary>
/// A <see cref="FactAttribute"/> that skips (with a message naming what is missing) when one of the given
/// files, relative to the repository root, is absent, e.g. the ../shared test data some CI runs lack, or,
/// when <see cref="Tool"/> is set, when that program is not on PATH. xunit 2 has no dynamic skip, so the
/// decision is taken when the attribute is built during discovery.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class RequiresFileFactAttribute : FactAttribute
{
    private readonly string? _missingFile;
    private string? _tool;

    public RequiresFileFactAttribute(params string[] repoRelativePaths)
    {
        foreach (var relative in repoRelativePaths)
        {
            var full = VadTestPaths.FromRepoRoot(relative);
            if (full is null || !File.Exists(full))
            {
                _missingFile = $"Skipped: test data '{relative}' not found (looked at '{full ?? "<no repository root>"}'); ../shared is absent in this environment.";
                Skip = _missingFile;
                break;
            }
        }
    }

    /// <summary>A program the test runs (e.g. "sox"); the test is skipped when it is not on PATH.</summary>
    public string? Tool
    {
        get => _tool;
        set
        {
            _tool = value;
            if (_missingFile is null && value is not null && !IsOnPath(value))
            {
                Skip = $"Skipped: '{value}' is not installed (not found on PATH).";
            }
        }
    }

    internal static bool IsOnPath(string program)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        return path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)) || File.Exists(Path.Combine(dir, program + ".exe")));
    }
}
