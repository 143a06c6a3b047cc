using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AudioFlow.Host.Tests.Support;
using AudioFlow.Telephony.Tests.Providers;

namespace AudioFlow.Host.Tests;

/// <summary>
/// The WebSocket streaming path end to end: the real <c>audioflow dial</c> (behaving like Vobiz, Plivo, Twilio and
/// Telnyx) against the real <c>audioflow serve</c> on loopback, flite-voiced callers, the demo flow. The providers'
/// REST APIs are replaced by a recording fake (they cannot be reached from here). Calls run in real time, several
/// at once to keep the suite short.
/// </summary>
public sealed class StreamingCallTests : IAsyncLifetime
{
    private static readonly TimeSpan DialTimeout = TimeSpan.FromMinutes(2);
    private readonly string _dir = Directory.CreateTempSubdirectory("audioflow-dial-").FullName;
    private FakeProviderApi _api = null!;
    private ServerProcess _server = null!;

    public async Task InitializeAsync()
    {
        _api = FakeProviderApi.Start();
        _server = await ServerProcess.StartAsync(
            "audioflow.providers.twilio { account-sid = ACtest, auth-token = test-token, api-base = \"" + _api.BaseUrl + "\" }");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _api.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [RequiresToolsFact("flite")]
    public async Task Each_dialect_cuts_the_greeting_for_a_caller_who_barges_in_and_answers_the_question()
    {
        var caller = Speech("opening hours please", "awb");
        var dials = new[] { ("vobiz", "/vobiz/answer"), ("plivo", "/plivo/answer"), ("twilio", "/twilio/voice"), ("telnyx", "/telnyx/texml") }
            .Select(d => Dial(d.Item1, d.Item2, caller, "--speak-at-ms", "3000"))
            .ToArray();

        foreach (var call in await Task.WhenAll(dials))
        {
            var provider = call.GetProperty("provider").GetString();
            Assert.True(call.GetProperty("completed").GetBoolean(), $"{provider}: {call}");
            Assert.True(call.GetProperty("clears").GetInt32() >= 1, $"{provider}: no clear reached the provider");
            Assert.Contains(call.GetProperty("transcripts").EnumerateArray(), t => t.GetString()!.Contains("opening hours"));
            Assert.Equal(0, call.GetProperty("serverFramesLost").GetInt64());
            Assert.Equal(0, call.GetProperty("lateFrames").GetInt32());
            Assert.NotEmpty(call.GetProperty("replyLatencyMs").EnumerateArray());
            var report = await ServerReport(call);
            if (provider is "vobiz" or "plivo")
            {
                // The simulator posts StartStream to the status callback URL the answer gave it, like the provider.
                using var http = new HttpClient();
                var journal = await http.GetStringAsync(_server.Url($"/api/calls/{Uri.EscapeDataString(call.GetProperty("serverCallId").GetString()!)}"));
                Assert.Contains("\"ProviderCallback\"", journal);
                Assert.Contains("StartStream", journal);
            }

            var greeting = report.GetProperty("replies")[0];
            Assert.True(greeting.GetProperty("interrupted").GetBoolean(), $"{provider}: greeting not marked interrupted");
            Assert.Contains("Monday", report.GetProperty("replies").EnumerateArray().Last().GetProperty("text").GetString());
        }
    }

    [RequiresToolsFact("flite", "sox")]
    public async Task Marks_acked_or_never_acked_and_keys_all_drive_the_conversation()
    {
        var caller = Speech("opening hours please", "rms");
        var silence = Path.Combine(_dir, "silence.wav");
        ExternalTools.Run("sox", "-n", "-r", "8000", "-b", "16", silence, "trim", "0", "0.3");
        var results = await Task.WhenAll(
            Dial("vobiz", "/vobiz/answer", caller),                                   // checkpoints acked with playedStream
            Dial("twilio", "/twilio/voice", caller),                                  // marks acked
            Dial("plivo", "/plivo/answer", caller, "--no-acks", "--speak-at-ms", "4000", "--max-seconds", "25"),
            Dial("telnyx", "/telnyx/texml", silence, "--dtmf", "3"));

        var (vobiz, twilio, plivoNoAcks, telnyxKeys) = (results[0], results[1], results[2], results[3]);
        foreach (var acked in new[] { vobiz, twilio })
        {
            Assert.True(acked.GetProperty("completed").GetBoolean(), acked.ToString());
            Assert.True(acked.GetProperty("marksAcknowledged").GetInt32() >= 2, acked.ToString());
            Assert.Equal(0, acked.GetProperty("clears").GetInt32());
            Assert.Contains(acked.GetProperty("transcripts").EnumerateArray(), t => t.GetString()!.Contains("opening hours"));
        }

        Assert.Equal(0, plivoNoAcks.GetProperty("marksAcknowledged").GetInt32());
        Assert.Contains(plivoNoAcks.GetProperty("transcripts").EnumerateArray(), t => t.GetString()!.Contains("opening hours"));

        var keyReport = await ServerReport(telnyxKeys);
        var answer = keyReport.GetProperty("replies").EnumerateArray().Single(r => r.GetProperty("trigger").GetString() == "dtmf 3");
        Assert.Contains("Monday", answer.GetProperty("text").GetString());
    }

    [RequiresToolsFact("flite")]
    public async Task A_transfer_the_flow_asks_for_goes_to_the_providers_api()
    {
        var caller = Speech("speak to a person", "rms");
        var call = await Dial("twilio", "/twilio/voice", caller, "--max-seconds", "45");

        var report = await ServerReport(call);
        Assert.Contains(report.GetProperty("replies").EnumerateArray(), r => r.GetProperty("actions").EnumerateArray()
            .Any(a => a.GetString() == "transfer sip:operator@example.invalid"));
        var request = Assert.Single(_api.Requests, r => r.RawUrl.Contains("/Calls/"));
        Assert.Equal("POST", request.Method);
        Assert.Contains("/Accounts/ACtest/Calls/", request.RawUrl);
        Assert.Contains("Twiml=", request.Body);
        Assert.Contains("operator%40example.invalid", request.Body);
        Assert.StartsWith("transferred to sip:operator@example.invalid", report.GetProperty("endReason").GetString());
    }

    [Fact]
    public async Task Streams_without_a_valid_token_are_refused_and_garbage_does_not_hurt_the_node()
    {
        using var refused = new ClientWebSocket();
        refused.Options.CollectHttpResponseDetails = true;
        var wsBase = $"ws://{_server.BaseUrl.Authority}";
        await Assert.ThrowsAsync<WebSocketException>(() => refused.ConnectAsync(new Uri($"{wsBase}/twilio/stream/1234.abcd"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.HttpStatusCode);

        // A real token from the answer webhook, then rubbish instead of a stream.
        using var http = new HttpClient();
        var answer = await http.PostAsync(_server.Url("/twilio/voice"), new FormUrlEncodedContent(new Dictionary<string, string> { ["CallSid"] = "CA1" }));
        var url = System.Xml.Linq.XDocument.Parse(await answer.Content.ReadAsStringAsync()).Descendants("Stream").Single().Attribute("url")!.Value;
        using var garbage = new ClientWebSocket();
        await garbage.ConnectAsync(new Uri(url), CancellationToken.None);
        foreach (var junk in new[] { "{", "[]", "{\"event\":42}", new string('x', 70_000) })
        {
            await garbage.SendAsync(Encoding.UTF8.GetBytes(junk), WebSocketMessageType.Text, true, CancellationToken.None);
        }

        var buffer = new byte[1024];
        var closed = await garbage.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(WebSocketMessageType.Close, closed.MessageType);

        using var health = JsonDocument.Parse(await http.GetStringAsync(_server.Url("/healthz")));
        Assert.Equal("ok", health.RootElement.GetProperty("status").GetString());
    }

    private string Speech(string text, string voice)
    {
        var path = Path.Combine(_dir, $"{voice}-{text.Replace(' ', '-')}.wav");
        if (!File.Exists(path))
        {
            ExternalTools.Run("flite", "-voice", voice, "-t", text, "-o", path);
        }

        return path;
    }

    private async Task<JsonElement> Dial(string provider, string answerPath, string wav, params string[] extra)
    {
        var run = await AudioflowProcess.Run(DialTimeout, ["dial", "--provider", provider, "--url", _server.Url(answerPath).ToString(),
            "--wav", wav, "--json", .. extra]);
        Assert.True(run.Stdout.Length > 0, $"{provider}: no output; stderr: {run.Stderr}");
        using var document = JsonDocument.Parse(run.Stdout);
        return document.RootElement.GetProperty("calls")[0].Clone();
    }

    private async Task<JsonElement> ServerReport(JsonElement call)
    {
        using var http = new HttpClient();
        var id = call.GetProperty("serverCallId").GetString();
        using var report = JsonDocument.Parse(await http.GetStringAsync(_server.Url($"/api/calls/recent/{Uri.EscapeDataString(id!)}")));
        return report.RootElement.Clone();
    }
}
