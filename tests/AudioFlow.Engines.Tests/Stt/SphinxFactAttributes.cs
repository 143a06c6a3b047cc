using System.Runtime.InteropServices;
using Xunit;

namespace AudioFlow.Engines.Tests.Stt;

/// <summary>
/// Why an STT test cannot run here (null when it can): pocketsphinx libraries/model, or a command-line
/// tool missing from PATH. xunit 2 has no dynamic skip, so the attributes below set <c>Skip</c> when
/// they are constructed during discovery.
/// </summary>
internal static class SttEnvironment
{
    public const string ModelDirectory = "/usr/share/pocketsphinx/model/en-us";

    private static readonly Lazy<string?> EngineMissingLazy = new(FindEngineProblem);

    public static string? EngineMissing => EngineMissingLazy.Value;

    public static string? MissingTool(string tool)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, tool)))
            {
                return null;
            }
        }

        return $"Skipped: '{tool}' is not installed (not found on PATH; apt-get install {tool}).";
    }

    public static string? Problem(string[] tools)
    {
        return EngineMissing ?? tools.Select(MissingTool).FirstOrDefault(reason => reason is not null);
    }

    private static string? FindEngineProblem()
    {
        foreach (var library in new[] { "libsphinxbase.so.3", "libpocketsphinx.so.3" })
        {
            if (!NativeLibrary.TryLoad(library, out _))
            {
                return $"Skipped: native library '{library}' can't be loaded (apt-get install libpocketsphinx3 pocketsphinx-en-us).";
            }
        }

        foreach (var file in new[] { "en-us/mdef", "cmudict-en-us.dict", "en-us.lm.bin", "en-us-phone.lm.bin" })
        {
            if (!File.Exists(Path.Combine(ModelDirectory, file)))
            {
                return $"Skipped: pocketsphinx model file '{Path.Combine(ModelDirectory, file)}' is missing (apt-get install pocketsphinx-en-us).";
            }
        }

        return null;
    }
}

/// <summary>A fact that needs pocketsphinx and the given programs on PATH (e.g. "flite", "sox").</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SphinxFactAttribute : FactAttribute
{
    public SphinxFactAttribute(params string[] tools)
    {
        var problem = SttEnvironment.Problem(tools);
        if (problem is not null)
        {
            Skip = problem;
        }
    }
}

/// <summary>A theory that needs pocketsphinx and the given programs on PATH.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SphinxTheoryAttribute : TheoryAttribute
{
    public SphinxTheoryAttribute(params string[] tools)
    {
        var problem = SttEnvironment.Problem(tools);
        if (problem is not null)
        {
            Skip = problem;
        }
    }
}
