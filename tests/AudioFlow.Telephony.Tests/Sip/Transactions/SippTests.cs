using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using AudioFlow.Telephony.Sip.Transactions;
using AudioFlow.Telephony.Sip.Transport;
using Xunit;

namespace AudioFlow.Telephony.Tests.Sip.Transactions;

/// <summary>
/// sipp (Debian package sip-tester) as an independent SIP peer, running the scenarios of /work/shared/sip against
/// a test UAS on the transaction layer. Skipped when sipp is not on PATH. Every run is bounded: sipp's own
/// <c>-timeout 10s</c> and a kill after 15 s.
/// </summary>
public sealed class SippTests
{
    [SippFact]
    public async Task Sipp_options_ping_gets_200_over_udp()
    {
        await using var uas = TestUas.Start(TestUas.RingForever);
        var (exit, output) = await Sipp.RunAsync("uac_options.xml", uas.Udp, "u1");
        Assert.True(exit == 0, $"sipp exited {exit}:\n{output}");
        Assert.Equal("OPTIONS", Assert.Single(uas.User.Requests).Request.Method);
    }

    [SippFact]
    public async Task Sipp_options_ping_gets_200_over_tcp()
    {
        await using var uas = TestUas.Start(TestUas.RingForever);
        var (exit, output) = await Sipp.RunAsync("uac_options.xml", uas.Tcp, "t1");
        Assert.True(exit == 0, $"sipp exited {exit}:\n{output}");
        Assert.Equal(SipTransportKind.Tcp, Assert.Single(uas.User.Requests).Transaction.Transport);
    }

    [SippFact]
    public async Task Sipp_invite_then_cancel_gets_487_and_acks_it()
    {
        await using var uas = TestUas.Start(TestUas.RingForever);
        var (exit, output) = await Sipp.RunAsync("uac_cancel.xml", uas.Udp, "u1", "-mi", "127.0.0.1");
        Assert.True(exit == 0, $"sipp exited {exit}:\n{output}");

        var invite = Assert.Single(uas.User.Requests).Transaction;
        Assert.Equal("INVITE", invite.Method);
        Assert.Same(invite, Assert.Single(uas.User.Cancelled).Invite);
        Assert.True(invite.IsCancelled);
        Assert.Equal(487, invite.FinalResponse!.StatusCode);
        // sipp's ACK for the 487 reached the INVITE transaction (Confirmed, then Timer I = T4).
        await Wait.UntilAsync(() => invite.State is SipTransactionState.Confirmed or SipTransactionState.Terminated);
        Assert.Empty(uas.User.Acks);
        Assert.Empty(uas.User.Timeouts);
    }
}

internal static class Sipp
{
    public const string SharedDirectory = "/work/shared/sip";

    private static readonly Lazy<string?> Executable = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "sipp"))
            .FirstOrDefault(File.Exists));

    public static string? SkipReason =>
        Executable.Value is null ? "sipp is not on PATH (apt-get install -y --no-install-recommends sip-tester): sipp tests skipped"
        : !Directory.Exists(Path.Combine(SharedDirectory, "scenarios")) ? $"{SharedDirectory}/scenarios is missing: sipp tests skipped"
        : null;

    /// <summary>
    /// Runs one call of a scenario from the shared folder against <paramref name="target"/> (sipp picks its own
    /// free local port), bounded by sipp's -timeout 10s and a kill after 15 s. Returns sipp's exit code (0 = the
    /// call succeeded) and its output.
    /// </summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string scenario, SipEndPoint target, string transportMode, params string[] extra)
    {
        var start = new ProcessStartInfo(Executable.Value!)
        {
            WorkingDirectory = SharedDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "-sf", Path.Combine("scenarios", scenario), "-t", transportMode, "-i", "127.0.0.1", "-s", "service",
                     "-m", "1", "-timeout", "10s", "-timeout_error", "-nostdin", "-nd",
                 }.Concat(extra).Append(target.ToString()))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = new Process { StartInfo = start };
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            return (-1, "sipp did not start: " + ex.Message);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            return (-999, "sipp killed after 15 s\n" + Tail());
        }

        process.WaitForExit(); // flushes the asynchronous output readers
        return (process.ExitCode, Tail());

        void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(line);
            }
        }

        string Tail()
        {
            lock (output)
            {
                var text = output.ToString();
                return text.Length > 4000 ? text[^4000..] : text;
            }
        }
    }
}

/// <summary>A fact that is skipped, with the reason, when sipp or the shared scenarios are missing.</summary>
public sealed class SippFactAttribute : FactAttribute
{
    public SippFactAttribute()
    {
        if (Sipp.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
