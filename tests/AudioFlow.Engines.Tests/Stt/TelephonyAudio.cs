using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace AudioFlow.Engines.Tests.Stt;

/// <summary>
/// Test speech as a phone caller produces it: synthesised with the flite / espeak-ng command-line tools,
/// converted to 8 kHz µ-law with sox and back to 16-bit PCM at the recogniser's rate (sox again), without
/// dither so that every run decodes the same samples.
/// Voices: flite's "slt", "kal", "rms", "awb", and "espeak" (espeak-ng's default English voice).
/// </summary>
internal static class TelephonyAudio
{
    public static readonly string[] FliteVoices = ["slt", "kal", "rms", "awb"];

    public static string ToolFor(string voice) => voice == "espeak" ? "espeak-ng" : "flite";

    /// <summary>Synthesises <paramref name="text"/> and passes it through a µ-law phone channel.</summary>
    public static short[] Speak(string text, string voice, int sampleRate, string directory)
    {
        var name = Hash(voice + "|" + text);
        var raw = Path.Combine(directory, name + ".raw.wav");
        if (voice == "espeak")
        {
            Run("espeak-ng", "-w", raw, text);
        }
        else
        {
            Run("flite", "-voice", voice, "-t", text, "-o", raw);
        }

        return ThroughPhoneLine(raw, sampleRate, directory);
    }

    /// <summary>Any WAV file through the 8 kHz µ-law channel, back to 16-bit PCM at <paramref name="sampleRate"/>.</summary>
    public static short[] ThroughPhoneLine(string wavPath, int sampleRate, string directory)
    {
        var name = Hash(wavPath + "|" + File.GetLastWriteTimeUtc(wavPath).Ticks);
        var ulaw = Path.Combine(directory, name + ".ulaw.wav");
        var pcm = Path.Combine(directory, name + $".pcm{sampleRate}.wav");
        // -D: no dither. sox dithers with fresh random noise by default, which made runs differ; a G.711
        // codec does not dither either.
        Run("sox", "-D", wavPath, "-r", "8000", "-c", "1", "-e", "u-law", ulaw);
        Run("sox", "-D", ulaw, "-r", sampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-e", "signed-integer", "-b", "16", pcm);
        var (rate, samples) = SttWav.Read(pcm);
        if (rate != sampleRate)
        {
            throw new InvalidDataException($"sox produced {rate} Hz instead of {sampleRate} Hz.");
        }

        return samples;
    }

    /// <summary>Reads a WAV file at its own rate, resampled by sox if it differs from <paramref name="sampleRate"/>.</summary>
    public static short[] ReadAt(string wavPath, int sampleRate, string directory)
    {
        var (rate, samples) = SttWav.Read(wavPath);
        if (rate == sampleRate)
        {
            return samples;
        }

        var pcm = Path.Combine(directory, Hash(wavPath) + $".direct{sampleRate}.wav");
        Run("sox", "-D", wavPath, "-r", sampleRate.ToString(System.Globalization.CultureInfo.InvariantCulture), "-e", "signed-integer", "-b", "16", pcm);
        return SttWav.Read(pcm).Samples;
    }

    private static void Run(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {tool}");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', arguments)} did not finish in 30 s.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({process.ExitCode}): {stderr.Result}{stdout.Result}");
        }
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)), 0, 10);
}

/// <summary>Where the shared test data lives: &lt;repo&gt;/../shared/data/audio.</summary>
internal static class SttTestData
{
    public static string? SharedAudio(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AudioFlow.sln")))
            {
                var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "audio", fileName));
                return File.Exists(path) ? path : null;
            }
        }

        return null;
    }

    /// <summary>Lower-case words without punctuation (for word error rates).</summary>
    public static string[] Words(string text)
    {
        var sb = new StringBuilder();
        foreach (var c in text.ToLowerInvariant())
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c == '\'' ? c : ' ');
        }

        return sb.ToString().Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>Word error rate of <paramref name="hypothesis"/> against <paramref name="reference"/>.</summary>
    public static double WordErrorRate(string reference, string hypothesis)
    {
        var r = Words(reference);
        var h = Words(hypothesis);
        var previous = Enumerable.Range(0, h.Length + 1).ToArray();
        var current = new int[h.Length + 1];
        for (var i = 1; i <= r.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= h.Length; j++)
            {
                var substitution = previous[j - 1] + (r[i - 1] == h[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return r.Length == 0 ? (h.Length == 0 ? 0 : 1) : previous[h.Length] / (double)r.Length;
    }
}
