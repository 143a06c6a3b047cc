using System.Runtime.InteropServices;
using Xunit;

namespace AudioFlow.Engines.Tests.Tts;

/// <summary>
/// Whether the native TTS libraries can be loaded here. xunit 2 has no dynamic skip, so the attributes
/// below decide when they are built during discovery.
/// </summary>
internal static class NativeTts
{
    public static readonly string? EspeakMissing = Missing("libespeak-ng.so.1", "libespeak-ng1 espeak-ng-data");
    public static readonly string? FliteMissing = Missing("libflite.so.1", "libflite1");

    private static string? Missing(string soname, string packages)
    {
        if (NativeLibrary.TryLoad(soname, out _) || NativeLibrary.TryLoad("/usr/lib/x86_64-linux-gnu/" + soname, out _))
        {
            return null;
        }

        return $"Skipped: native library '{soname}' can't be loaded (apt-get install {packages}).";
    }

    public static string? MissingTool(string tool)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            if (File.Exists(Path.Combine(dir, tool)))
            {
                return null;
            }
        }

        return $"Skipped: '{tool}' is not installed (not found on PATH).";
    }
}

/// <summary>A fact that needs libespeak-ng (and, with <see cref="Cli"/>, a program on PATH).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class EspeakFactAttribute : FactAttribute
{
    public EspeakFactAttribute()
    {
        if (NativeTts.EspeakMissing is { } why)
        {
            Skip = why;
        }
    }

    /// <summary>A program the test runs (e.g. "espeak-ng"); skipped when it is not on PATH.</summary>
    public string? Cli
    {
        get => null;
        set
        {
            if (Skip is null && value is not null && NativeTts.MissingTool(value) is { } why)
            {
                Skip = why;
            }
        }
    }
}

/// <summary>A fact that needs libflite (and, with <see cref="Cli"/>, a program on PATH).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class FliteFactAttribute : FactAttribute
{
    public FliteFactAttribute()
    {
        if (NativeTts.FliteMissing is { } why)
        {
            Skip = why;
        }
    }

    /// <summary>A program the test runs (e.g. "flite"); skipped when it is not on PATH.</summary>
    public string? Cli
    {
        get => null;
        set
        {
            if (Skip is null && value is not null && NativeTts.MissingTool(value) is { } why)
            {
                Skip = why;
            }
        }
    }
}

/// <summary>A theory that needs libflite (and, with <see cref="Cli"/>, a program on PATH).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class FliteTheoryAttribute : TheoryAttribute
{
    public FliteTheoryAttribute()
    {
        if (NativeTts.FliteMissing is { } why)
        {
            Skip = why;
        }
    }

    /// <summary>A program the test runs (e.g. "flite"); skipped when it is not on PATH.</summary>
    public string? Cli
    {
        get => null;
        set
        {
            if (Skip is null && value is not null && NativeTts.MissingTool(value) is { } why)
            {
                Skip = why;
            }
        }
    }
}

/// <summary>
/// The engine tests run alone (not in parallel with other test classes): they measure cancellation
/// latency, and Flite's exact-output checks rely on nobody else calling C rand() meanwhile.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeTtsCollection
{
    public const string Name = "Native TTS engines";
}
