using System.Diagnostics;
using System.Text.RegularExpressions;

namespace AudioFlow.Host.Tests.Support;

/// <summary>A real <c>audioflow serve</c> on a free loopback port, for the duration of a test class.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Task<string> _stderr;

    private ServerProcess(Process process, Uri baseUrl, Task<string> stderr)
    {
        _process = process;
        BaseUrl = baseUrl;
        _stderr = stderr;
    }

    public Uri BaseUrl { get; }

    public static async Task<ServerProcess> StartAsync(params string[] settings)
    {
        // SIP stays off unless the test configures it: parallel servers would all want the default port 5060.
        var args = new List<string> { "serve", "-c", "audioflow.http.port = 0" };
        if (!settings.Any(s => s.Contains("audioflow.sip", StringComparison.Ordinal)))
        {
            args.AddRange(["-c", "audioflow.sip.enabled = off"]);
        }

        foreach (var setting in settings)
        {
            args.AddRange(["-c", setting]);
        }

        var process = AudioflowProcess.Start([.. args]);
        var started = Stopwatch.StartNew();
        while (started.Elapsed < TimeSpan.FromSeconds(60))
        {
            var line = await process.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (line is null)
            {
                throw new InvalidOperationException("audioflow serve exited before it was ready");
            }

            var match = Regex.Match(line, @"serving on (http://127\.0\.0\.1:\d+)");
            if (match.Success)
            {
                return new ServerProcess(process, new Uri(match.Groups[1].Value), process.StandardError.ReadToEndAsync());
            }
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException("audioflow serve did not report its address within 60 s");
    }

    public Uri Url(string path) => new(BaseUrl, path);

    /// <summary>SIGKILL, no shutdown of any kind (a crash).</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _process.Dispose();
    }
}
