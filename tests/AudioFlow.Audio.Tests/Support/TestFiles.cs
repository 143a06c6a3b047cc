namespace AudioFlow.Audio.Tests.Support;

/// <summary>Locations of committed golden data, shared speech samples, and per-test scratch directories.</summary>
internal static class TestFiles
{
    /// <summary>A file under Golden/ (copied next to the test assembly).</summary>
    public static string Golden(string name) => Path.Combine(AppContext.BaseDirectory, "Golden", name);

    /// <summary>
    /// A file of the checkout's shared speech data (<c>../shared/data/audio</c> beside the repository root), or null
    /// when absent. Tests using it are <see cref="SharedAudioFactAttribute"/>s.
    /// </summary>
    public static string? SharedAudio(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AudioFlow.sln")))
            {
                string candidate = Path.Combine(dir.FullName, "..", "shared", "data", "audio", name);
                return File.Exists(candidate) ? Path.GetFullPath(candidate) : null;
            }
        }
        return null;
    }
}

/// <summary>A fact that is skipped, saying why, when a shared speech file is missing.</summary>
internal sealed class SharedAudioFactAttribute : FactAttribute
{
    public SharedAudioFactAttribute(string fileName)
    {
        if (TestFiles.SharedAudio(fileName) is null)
        {
            Skip = $"shared speech sample ../shared/data/audio/{fileName} (beside the repository root) is not present";
        }
    }
}

/// <summary>A temporary directory deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "audioflow-audio-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // best effort
        }
    }
}
