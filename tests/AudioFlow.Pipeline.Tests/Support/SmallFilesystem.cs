namespace AudioFlow.Pipeline.Tests.Support;

/// <summary>
/// A real, tiny filesystem for "disk full" tests: a size-limited tmpfs mounted on a temp folder. Mounting needs root
/// (or CAP_SYS_ADMIN); where that is not possible the tests using it are skipped with the reason.
/// <see cref="FillUp"/> takes every free block with a filler file, <see cref="Free"/> gives them back.
/// </summary>
public sealed class SmallFilesystem : IDisposable
{
    private static readonly Lazy<string?> WhyUnavailable = new(Probe);

    private SmallFilesystem(string path) => Path = path;

    public string Path { get; }

    private string Filler => System.IO.Path.Combine(Path, "filler");

    /// <summary>Why a tmpfs cannot be mounted here, or null.</summary>
    public static string? Unavailable => WhyUnavailable.Value;

    public static SmallFilesystem Mount(int kilobytes)
    {
        var dir = Directory.CreateTempSubdirectory("audioflow-smallfs-").FullName;
        ToolProcess.Run("mount", "-t", "tmpfs", "-o", $"size={kilobytes}k", "tmpfs", dir);
        return new SmallFilesystem(dir);
    }

    /// <summary>Writes a filler file until the filesystem reports it is full (ENOSPC); returns its size in bytes.</summary>
    public long FillUp()
    {
        var chunk = new byte[4096];
        Array.Fill(chunk, (byte)0x5A);
        using var filler = new FileStream(Filler, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
        try
        {
            // Bounded: a tmpfs of a few MB fills within a few thousand chunks.
            for (var i = 0; i < 1_000_000; i++)
            {
                filler.Write(chunk);
            }
        }
        catch (IOException)
        {
            // ENOSPC: the filesystem is full, which is the point
        }

        return new FileInfo(Filler).Length;
    }

    public void Free() => File.Delete(Filler);

    public void Dispose()
    {
        try
        {
            ToolProcess.Run("umount", "-l", Path);
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception)
        {
            // best effort: a leftover empty mount point in the temp folder is harmless
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "tmpfs mounts need Linux";
        }

        try
        {
            using var probe = Mount(64);
            return null;
        }
        catch (Exception e)
        {
            return $"cannot mount a small tmpfs for the disk-full test (needs root or CAP_SYS_ADMIN): {e.Message}";
        }
    }

}

/// <summary>A fact skipped (with the reason) where a small tmpfs cannot be mounted.</summary>
public sealed class SmallFilesystemFactAttribute : FactAttribute
{
    public SmallFilesystemFactAttribute()
    {
        if (SmallFilesystem.Unavailable is { } why)
        {
            Skip = why;
        }
    }
}
