using System.Diagnostics;
using Xunit;

namespace AudioFlow.Engines.Tests.Stt.Whisper;

/// <summary>
/// Where the Whisper tests find their inputs: the repository (the folder holding AudioFlow.sln, found by
/// walking up from the test binaries), the shared test data next to it (<c>../shared/data/whisper/tiny.en</c>,
/// <c>../shared/data/whisper/assets/mel_filters.npz</c>, <c>../shared/data/audio/jfk.wav</c>), the scripts in
/// <c>Models/</c>, and a Python 3 that can import numpy (and onnx): Debian's <c>/usr/bin/python3</c> with
/// <c>python3-numpy</c> and <c>python3-onnx</c> is tried first, because a <c>python3</c> earlier on PATH
/// (pyenv, venv) usually does not see Debian's packages.
/// </summary>
internal static class WhisperTestEnvironment
{
    public const string AptPackages = "python3-numpy python3-onnx";

    private static readonly Lazy<string?> Root = new(FindRepoRoot);
    private static readonly Lazy<string?> PythonNumpy = new(() => FindPython("numpy"));
    private static readonly Lazy<string?> PythonOnnx = new(() => FindPython("numpy", "onnx"));

    public static string RepoRoot => Root.Value ?? throw new InvalidOperationException(
        $"Could not find AudioFlow.sln above {AppContext.BaseDirectory}; run the tests from inside the checkout.");

    public static string? SharedRoot => Root.Value is { } root ? Path.GetFullPath(Path.Combine(root, "..", "shared")) : null;

    public static string TinyEnDirectory => Path.Combine(SharedRoot ?? "/nonexistent", "data", "whisper", "tiny.en");

    public static string MelFiltersNpz => Path.Combine(SharedRoot ?? "/nonexistent", "data", "whisper", "assets", "mel_filters.npz");

    public static string JfkWav => Path.Combine(SharedRoot ?? "/nonexistent", "data", "audio", "jfk.wav");

    public static string JfkText => Path.Combine(SharedRoot ?? "/nonexistent", "data", "audio", "jfk.txt");

    public static string ScriptsDirectory => Path.Combine(RepoRoot, "tests", "AudioFlow.Engines.Tests", "Stt", "Whisper", "Models");

    /// <summary>A Python that imports numpy, or null.</summary>
    public static string? NumpyPython => PythonNumpy.Value;

    /// <summary>A Python that imports numpy and onnx, or null.</summary>
    public static string? OnnxPython => PythonOnnx.Value;

    /// <summary>Why the shared data is unusable (null when it is there).</summary>
    public static string? SharedDataProblem()
    {
        foreach (var path in new[] { Path.Combine(TinyEnDirectory, "vocab.json"), MelFiltersNpz, JfkWav, JfkText })
        {
            if (!File.Exists(path))
            {
                return $"Skipped: shared test data '{path}' not found (../shared next to the checkout is absent here).";
            }
        }

        return null;
    }

    /// <summary>Runs a Python script; throws with its output when it fails.</summary>
    public static string RunPython(string python, params string[] arguments)
    {
        var start = new ProcessStartInfo(python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {python}.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{python} {string.Join(' ', arguments)} did not finish in 120 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{python} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{stdout}\n{stderr.Result}");
        }

        return stdout;
    }

    private static string? FindPython(params string[] modules)
    {
        var candidates = new List<string> { "/usr/bin/python3" };
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(Path.Combine(dir, "python3"));
        }

        foreach (var candidate in candidates.Distinct().Where(File.Exists))
        {
            try
            {
                RunPython(candidate, "-c", string.Join(";", modules.Select(m => "import " + m)));
                return candidate;
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException)
            {
                // Try the next interpreter.
            }
        }

        return null;
    }

    private static string? FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AudioFlow.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }
}

/// <summary>A fact needing ../shared's Whisper data (tiny.en tokenizer/config files, mel_filters.npz, jfk.wav).</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class WhisperDataFactAttribute : FactAttribute
{
    public WhisperDataFactAttribute()
    {
        if (WhisperTestEnvironment.SharedDataProblem() is { } problem)
        {
            Skip = problem;
        }
    }
}

/// <summary>
/// A fact needing the shared data and a Python 3 with numpy (<see cref="NeedsOnnx"/>: and onnx), i.e.
/// Debian's <c>python3-numpy</c> / <c>python3-onnx</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class WhisperPythonFactAttribute : FactAttribute
{
    private bool _needsOnnx;

    public WhisperPythonFactAttribute()
    {
        Skip = WhisperTestEnvironment.SharedDataProblem()
            ?? (WhisperTestEnvironment.NumpyPython is null
                ? $"Skipped: no python3 that can import numpy (apt-get install {WhisperTestEnvironment.AptPackages})."
                : null);
    }

    /// <summary>The test builds ONNX models with python3-onnx.</summary>
    public bool NeedsOnnx
    {
        get => _needsOnnx;
        set
        {
            _needsOnnx = value;
            if (value && Skip is null && WhisperTestEnvironment.OnnxPython is null)
            {
                Skip = $"Skipped: no python3 that can import onnx and numpy (apt-get install {WhisperTestEnvironment.AptPackages}).";
            }
        }
    }
}
