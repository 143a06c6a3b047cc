namespace AudioFlow.Engines.Tests.Vad;

/// <summary>Locates the repository (the folder holding AudioFlow.sln), the embedded models and ../shared test data.</summary>
internal static class VadTestPaths
{
    private static readonly Lazy<string?> Root = new(FindRepoRoot);

    /// <summary>The repository root; throws if the tests do not run from inside a checkout.</summary>
    public static string RepoRoot => Root.Value ?? throw new InvalidOperationException(
        $"Could not find AudioFlow.sln in any folder above {AppContext.BaseDirectory}; run the tests from inside the repository checkout.");

    public static string SileroModel => Path.Combine(RepoRoot, "models", "silero-vad", "silero_vad.onnx");

    /// <summary>The Silero model path, or a failure telling how to fetch it (its absence is a set-up error, not a skip).</summary>
    public static string RequireSileroModel()
    {
        var path = SileroModel;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                $"The Silero VAD model is missing at '{path}'. Run models/fetch.sh (the test script fetches it; its absence is a set-up error).",
                path);
        }
        return path;
    }

    /// <summary>A path relative to the repository root, e.g. "../shared/data/audio/jfk.wav"; null when no root was found.</summary>
    public static string? FromRepoRoot(string relativePath) =>
        Root.Value is { } root ? Path.GetFullPath(Path.Combine(root, relativePath)) : null;

    public const string JfkWav = "../shared/data/audio/jfk.wav";
    public const string SileroTestWav = "../shared/data/audio/silero_test_16k.wav";
    public const string Aepyx8kWav = "../shared/data/audio/aepyx_8k.wav";

    /// <summary>Reads one of the ../shared WAV files (the test is expected to be guarded by <see cref="RequiresFileFactAttribute"/>).</summary>
    public static (int SampleRate, short[] Samples) ReadShared(string relativePath) =>
        Pcm16Wav.Read(FromRepoRoot(relativePath) ?? throw new InvalidOperationException("No repository root."));

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
