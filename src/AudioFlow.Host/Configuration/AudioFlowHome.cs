namespace AudioFlow.Host.Configuration;

/// <summary>
/// Where relative paths in the configuration (models, flows) are resolved: <c>$AUDIOFLOW_HOME</c> if set, else the
/// nearest directory at or above the current directory, then above the program's own directory, that holds
/// <c>models/manifest.json</c> (a checkout or an install), else the current directory.
/// </summary>
public static class AudioFlowHome
{
    public static string Directory { get; } = Locate();

    public static string Resolve(string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(Directory, path));

    private static string Locate()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("AUDIOFLOW_HOME");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }

        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "models", "manifest.json")))
                {
                    return dir.FullName;
                }
            }
        }

        return Environment.CurrentDirectory;
    }
}
