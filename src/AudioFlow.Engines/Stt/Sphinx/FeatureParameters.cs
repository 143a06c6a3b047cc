using System.Security.Cryptography;
using System.Text;

namespace AudioFlow.Engines.Stt.Sphinx;

/// <summary>
/// The acoustic model's <c>feat.params</c> (front-end settings the model was trained with). pocketsphinx
/// 5prealpha applies this file over the decoder arguments, so overriding one of its settings (for 8 kHz
/// input: <c>-upperf</c>) requires a patched copy passed as <c>-featparams</c>.
/// </summary>
internal static class FeatureParameters
{
    /// <summary>
    /// Writes (once, content-addressed, in the temp directory) a copy of the model's feat.params with the
    /// settings in <paramref name="arguments"/> applied, and returns its path; null when nothing is overridden
    /// or the model has no feat.params.
    /// </summary>
    public static string? PatchIfOverridden(string acousticModelDirectory, IReadOnlyDictionary<string, string> arguments)
    {
        var source = Path.Combine(acousticModelDirectory, "feat.params");
        if (!File.Exists(source))
        {
            return null;
        }

        var changed = false;
        var lines = new List<string>();
        foreach (var line in File.ReadAllLines(source))
        {
            var parts = line.Split((char[]?)null, 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (parts.Length == 2 && arguments.TryGetValue(parts[0], out var value) && value != parts[1])
            {
                lines.Add(parts[0] + " " + value);
                changed = true;
            }
            else
            {
                lines.Add(line);
            }
        }

        if (!changed)
        {
            return null;
        }

        var content = string.Join('\n', lines) + "\n";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source + "\n" + content)), 0, 8);
        var directory = Path.Combine(Path.GetTempPath(), "audioflow-sphinx");
        var path = Path.Combine(directory, "feat-" + hash + ".params");
        if (File.Exists(path) && File.ReadAllText(path) == content)
        {
            return path;
        }

        try
        {
            Directory.CreateDirectory(directory);
            var temp = path + "." + Environment.ProcessId + "." + Environment.CurrentManagedThreadId + ".tmp";
            File.WriteAllText(temp, content);
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new SpeechEngineException("Cannot write the patched feature parameters '" + path + "': " + ex.Message, ex);
        }

        return path;
    }
}
