using System.Diagnostics;

namespace AudioFlow.Audio.Tests.Support;

/// <summary>Finds and runs command-line tools (sox, ffmpeg) used to produce reference data. Tests that need one skip when it is absent.</summary>
internal static class ExternalTool
{
    /// <summary>Full path of <paramref name="name"/> found on PATH, or null.</summary>
    public static string? Find(string name)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        foreach (string dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string candidate in new[] { Path.Combine(dir, name), Path.Combine(dir, name + ".exe") })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    /// <summary>Runs the tool and fails the test (with its stderr) if it exits non-zero. Returns stdout as text.</summary>
    public static string Run(string name, params string[] arguments) =>
        System.Text.Encoding.UTF8.GetString(RunBinary(name, arguments));

    /// <summary>Runs the tool and fails the test (with its stderr) if it exits non-zero. Returns stdout's bytes.</summary>
    public static byte[] RunBinary(string name, params string[] arguments)
    {
        string exe = Find(name) ?? throw new InvalidOperationException($"{name} is not on PATH");
        var info = new ProcessStartInfo(exe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {exe}");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        var stdout = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(stdout);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{name} {string.Join(' ', arguments)} exited {process.ExitCode}: {stderr.Result}");
        }
        return stdout.ToArray();
    }

    /// <summary>
    /// Runs sox. <c>-D</c> (no dither) is always passed first: sox otherwise adds random TPDF dither whenever it
    /// reduces bit depth (e.g. to 14-bit µ-law), which makes its output non-reproducible.
    /// </summary>
    public static void Sox(params string[] arguments) => Run("sox", ["-D", .. arguments]);
}

/// <summary>A fact that is skipped, saying why, when sox is not on PATH.</summary>
internal sealed class SoxFactAttribute : FactAttribute
{
    public SoxFactAttribute()
    {
        if (ExternalTool.Find("sox") is null)
        {
            Skip = "sox is not on PATH: install it (apt-get install sox) to compare against sox-generated reference data";
        }
    }
}

/// <summary>A fact that is skipped, saying why, when ffmpeg is not on PATH.</summary>
internal sealed class FfmpegFactAttribute : FactAttribute
{
    public FfmpegFactAttribute()
    {
        if (ExternalTool.Find("ffmpeg") is null)
        {
            Skip = "ffmpeg is not on PATH: install it (apt-get install ffmpeg) to read ffmpeg-written WAV files";
        }
    }
}
