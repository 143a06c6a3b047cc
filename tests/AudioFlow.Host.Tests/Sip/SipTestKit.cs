using System.ComponentModel;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using AudioFlow.Host.Tests.Support;

namespace AudioFlow.Host.Tests.Sip;

/// <summary>The real SIP peers' folder (scenarios, audio, configs): ../shared/sip from the repository root.</summary>
internal static class SharedSip
{
    public static string Directory { get; } = Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "sip"));

    public static string Scenario(string name) => Path.Combine(Directory, "scenarios", name);

    /// <summary>Our own scenarios (G.722 caller, caller pressing 0 and expecting REFER), in the test sources.</summary>
    public static string OwnScenario(string name) => Path.Combine(RepoPaths.Root, "tests", "AudioFlow.Host.Tests", "Sip", "Scenarios", name);
}

/// <summary>A fact skipped (with the reason) when a real SIP peer or the shared folder is missing.</summary>
public sealed class SipPeersFactAttribute : FactAttribute
{
    public SipPeersFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => !ExternalTools.Has(t)).ToArray();
        if (!System.IO.Directory.Exists(Path.Combine(SharedSip.Directory, "scenarios")))
        {
            Skip = $"{SharedSip.Directory} (the shared SIP scenarios and configs) is missing";
        }
        else if (missing.Length > 0)
        {
            Skip = $"needs {string.Join(", ", missing)} on PATH (apt-get install -y --no-install-recommends sip-tester baresip-core kamailio; ./setup.sh --test)";
        }
    }
}

/// <summary>Free loopback ports for the peers (bound and released: a tiny race, acceptable on a test machine).</summary>
internal static class FreePorts
{
    private static int _next = 50000 + Random.Shared.Next(0, 500) * 10;

    /// <summary>A port free for both UDP and TCP on 127.0.0.1.</summary>
    public static int UdpAndTcp()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            udp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)udp.LocalEndPoint!).Port;
            try
            {
                using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                return port;
            }
            catch (SocketException)
            {
            }
        }

        throw new InvalidOperationException("no free UDP+TCP port on 127.0.0.1");
    }

    /// <summary>The first of <paramref name="count"/> consecutive free UDP ports (sipp's media, baresip's RTP range), even.</summary>
    public static int UdpBlock(int count = 10)
    {
        for (var attempt = 0; attempt < 500; attempt++)
        {
            var first = Interlocked.Add(ref _next, 20);
            if (first > 64000)
            {
                Interlocked.Exchange(ref _next, 50000);
                continue;
            }

            var sockets = new List<Socket>();
            try
            {
                for (var port = first; port < first + count; port++)
                {
                    var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    sockets.Add(s);
                    s.Bind(new IPEndPoint(IPAddress.Loopback, port));
                }

                return first;
            }
            catch (SocketException)
            {
            }
            finally
            {
                sockets.ForEach(s => s.Dispose());
            }
        }

        throw new InvalidOperationException("no block of free UDP ports");
    }
}

/// <summary>
/// A real <c>audioflow serve</c> with SIP on free loopback ports (UDP and TCP), its output kept for assertions and
/// failure messages.
/// </summary>
internal sealed class SipServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    private SipServerProcess(Process process, int sipPort)
    {
        _process = process;
        SipPort = sipPort;
    }

    public int SipPort { get; }

    public string Target => $"127.0.0.1:{SipPort}";

    public Uri BaseUrl { get; private set; } = null!;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<SipServerProcess> StartAsync(params string[] settings)
    {
        var sipPort = FreePorts.UdpAndTcp();
        var args = new List<string>
        {
            "serve", "-c", "audioflow.http.port = 0",
            "-c", $"audioflow.sip.udp = [\"127.0.0.1:{sipPort}\"]",
            "-c", $"audioflow.sip.tcp = [\"127.0.0.1:{sipPort}\"]",
        };
        foreach (var setting in settings)
        {
            args.AddRange(["-c", setting]);
        }

        var server = new SipServerProcess(AudioflowProcess.Start([.. args]), sipPort);
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        server._process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("audioflow serve exited before it was ready:\n" + server.Output));
                return;
            }

            server.Append(e.Data);
            var match = Regex.Match(e.Data, @"serving on (http://127\.0\.0\.1:\d+)");
            if (match.Success)
            {
                ready.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        server._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                server.Append(e.Data);
            }
        };
        server._process.BeginErrorReadLine();
        server._process.BeginOutputReadLine();
        try
        {
            server.BaseUrl = await ready.Task.WaitAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        Assert.Contains($"SIP on UDP 127.0.0.1:{sipPort}, TCP 127.0.0.1:{sipPort}", server.Output);
        return server;
    }

    private void Append(string line)
    {
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public async Task<JsonElement> GetJsonAsync(string path) =>
        JsonDocument.Parse(await _http.GetStringAsync(new Uri(BaseUrl, path))).RootElement;

    /// <summary>The SIP call whose Call-ID starts with <paramref name="prefix"/>, once it has finished (polls up to <paramref name="seconds"/>).</summary>
    public async Task<JsonElement> FinishedSipCallAsync(string prefix, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var calls = await GetJsonAsync("/api/sip/calls");
            foreach (var call in calls.GetProperty("recent").EnumerateArray())
            {
                if (call.GetProperty("sipCallId").GetString()!.StartsWith(prefix, StringComparison.Ordinal))
                {
                    return call;
                }
            }

            Assert.True(DateTime.UtcNow < deadline, $"no finished SIP call with Call-ID {prefix}...; active: {calls.GetProperty("active")}");
            await Task.Delay(250);
        }
    }

    /// <summary>The node's report of a finished call (polls until the call actor has reported).</summary>
    public async Task<JsonElement> ReportAsync(string callId, double seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            using var response = await _http.GetAsync(new Uri(BaseUrl, $"/api/calls/recent/{Uri.EscapeDataString(callId)}"));
            if (response.IsSuccessStatusCode)
            {
                return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no report of call {callId}");
            await Task.Delay(250);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }
}

/// <summary>One bounded run of an external peer (sipp, baresip, kamailio): its exit code and output.</summary>
internal sealed record PeerRun(int ExitCode, string Output)
{
    public override string ToString() => $"exit {ExitCode}:\n{(Output.Length > 6000 ? Output[^6000..] : Output)}";
}

/// <summary>External peers as bounded child processes.</summary>
internal static class Peers
{
    /// <summary>
    /// One sipp call of <paramref name="scenario"/> against <paramref name="target"/>, on its own free SIP and media
    /// ports, its Call-ID starting with <paramref name="callIdPrefix"/>, bounded by sipp's -timeout and a kill.
    /// </summary>
    public static Task<PeerRun> SippAsync(string scenario, string target, string callIdPrefix, string transport = "u1", string? workingDirectory = null,
        int timeoutSeconds = 40, params string[] extra)
    {
        var args = new List<string>
        {
            "-sf", scenario, "-t", transport, "-i", "127.0.0.1", "-p", FreePorts.UdpAndTcp().ToString(), "-mi", "127.0.0.1",
            "-mp", FreePorts.UdpBlock().ToString(), "-s", "service", "-m", "1", "-cid_str", callIdPrefix + "-%u-%p@%s",
            "-timeout", $"{timeoutSeconds}s", "-timeout_error", "-nostdin", "-nd",
        };
        args.AddRange(extra);
        args.Add(target);
        return RunAsync("sipp", args, workingDirectory ?? SharedSip.Directory, TimeSpan.FromSeconds(timeoutSeconds + 10));
    }

    public static async Task<PeerRun> RunAsync(string tool, IEnumerable<string> args, string workingDirectory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(tool)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            return new PeerRun(-1, $"{tool} did not start: {e.Message}");
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
            return new PeerRun(-999, $"{tool} killed after {timeout.TotalSeconds:F0} s\n{Text()}");
        }

        process.WaitForExit();
        return new PeerRun(process.ExitCode, Text());

        void Append(string? line)
        {
            if (line is not null)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        string Text()
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>A long-running peer (Kamailio) started in the background; killed on dispose.</summary>
    public sealed class Background : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public Background(string tool, IEnumerable<string> args, string workingDirectory)
        {
            var info = new ProcessStartInfo(tool) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                info.ArgumentList.Add(arg);
            }

            _process = new Process { StartInfo = info };
            _process.OutputDataReceived += (_, e) => Append(e.Data);
            _process.ErrorDataReceived += (_, e) => Append(e.Data);
            _process.Start();
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public bool HasExited => _process.HasExited;

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }

            _process.Dispose();
        }
    }
}
