using Xunit;
using System.Diagnostics;
using System.Text;

namespace AudioFlow.Telephony.Tests.Providers;

/// <summary>
/// An independent HMAC implementation for known-answer tests: the <c>openssl</c> command-line tool, when it is on
/// PATH. Tests using it are marked <see cref="OpenSslFactAttribute"/> and are reported as skipped without it.
/// </summary>
internal static class OpenSsl
{
    private static readonly Lazy<bool> IsAvailable = new(Probe);

    internal static bool Available => IsAvailable.Value;

    /// <summary>Base64(HMAC-&lt;digest&gt;(key as UTF-8 text, message as UTF-8)), computed by openssl.</summary>
    internal static string HmacBase64(string digest, string key, string message) =>
        Convert.ToBase64String(Run(["dgst", "-" + digest, "-hmac", key, "-binary"], Encoding.UTF8.GetBytes(message)));

    /// <summary>Base64(HMAC-&lt;digest&gt;(key given as hex, message as UTF-8)), computed by openssl.</summary>
    internal static string HmacBase64HexKey(string digest, string hexKey, string message) =>
        Convert.ToBase64String(
            Run(["dgst", "-" + digest, "-mac", "HMAC", "-macopt", "hexkey:" + hexKey, "-binary"], Encoding.UTF8.GetBytes(message)));

    private static bool Probe()
    {
        try
        {
            return Run(["version"], []).Length > 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or TimeoutException)
        {
            return false;
        }
    }

    private static byte[] Run(string[] arguments, byte[] input)
    {
        var start = new ProcessStartInfo("openssl")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("openssl did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        using (var stdin = process.StandardInput.BaseStream)
        {
            stdin.Write(input);
        }

        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        if (!process.WaitForExit(10_000))
        {
            process.Kill();
            throw new TimeoutException("openssl did not finish");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl failed: {stderr.Result}");
        }

        return output.ToArray();
    }
}

/// <summary>A fact that needs the <c>openssl</c> tool; skipped (with the reason shown) when it is not on PATH.</summary>
public sealed class OpenSslFactAttribute : FactAttribute
{
    public OpenSslFactAttribute()
    {
        if (!OpenSsl.Available)
        {
            Skip = "openssl is not on PATH: the independent known-answer check is skipped";
        }
    }
}
