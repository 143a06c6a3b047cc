using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using AudioFlow.Host.Tests.Support;

namespace AudioFlow.Host.Tests;

/// <summary><c>audioflow serve</c> on loopback: health, and a simulated call through the server's own node.</summary>
public sealed class ServeCommandTests : IAsyncLifetime
{
    private Process? _server;
    private Uri? _base;

    public async Task InitializeAsync()
    {
        _server = AudioflowProcess.Start("serve", "-c", "audioflow.http.port = 0", "-c", "audioflow.sip.enabled = off");
        var started = Stopwatch.StartNew();
        while (_base is null && started.Elapsed < TimeSpan.FromSeconds(60))
        {
            var line = await _server.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            if (line is null)
            {
                throw new InvalidOperationException("audioflow serve exited before it was ready");
            }

            var match = Regex.Match(line, @"serving on (http://127\.0\.0\.1:\d+)");
            if (match.Success)
            {
                _base = new Uri(match.Groups[1].Value);
            }
        }

        Assert.NotNull(_base);
        _ = _server.StandardError.ReadToEndAsync(); // keep draining
    }

    public Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            _server.WaitForExit(10_000);
        }

        _server?.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task The_server_reports_health_on_loopback()
    {
        using var http = new HttpClient { BaseAddress = _base };
        using var health = JsonDocument.Parse(await http.GetStringAsync("/healthz"));
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
        Assert.Equal(0, health.RootElement.GetProperty("activeCalls").GetInt32());
    }

    [RequiresToolsFact("flite")]
    public async Task A_simulated_call_runs_through_the_servers_pipeline_and_bad_bodies_get_400()
    {
        using var http = new HttpClient { BaseAddress = _base, Timeout = TimeSpan.FromMinutes(2) };
        var bad = await http.PostAsync("/api/calls/simulate", new StringContent("hello"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("not a WAV file", await bad.Content.ReadAsStringAsync());

        var caller = Path.Combine(Path.GetTempPath(), $"audioflow-serve-{Guid.NewGuid():N}.wav");
        ExternalTools.Run("flite", "-voice", "kal", "-t", "opening hours please", "-o", caller);
        try
        {
            var response = await http.PostAsync("/api/calls/simulate?speed=8", new ByteArrayContent(await File.ReadAllBytesAsync(caller)));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, body);
            using var report = JsonDocument.Parse(body);
            var replies = report.RootElement.GetProperty("replies").EnumerateArray().Select(r => r.GetProperty("text").GetString()).ToArray();
            Assert.Contains(replies, r => r!.Contains("Monday"));
        }
        finally
        {
            File.Delete(caller);
        }
    }
}
