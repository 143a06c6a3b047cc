namespace AudioFlow.Pipeline.Tests.Support;

/// <summary>Locates the repository (the folder holding AudioFlow.sln) and files in it.</summary>
public static class RepoPaths
{
    public static string Root { get; } = Locate();

    public static string DefaultsConf => Path.Combine(Root, "hocon", "audioflow.conf");

    public static string VadModel => Path.Combine(Root, "models", "silero-vad", "silero_vad.onnx");

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
