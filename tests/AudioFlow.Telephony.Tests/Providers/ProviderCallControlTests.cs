using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using AudioFlow.Telephony.Providers.Control;
using Xunit;

namespace AudioFlow.Telephony.Tests.Providers;

/// <summary>The REST call-control clients against <see cref="FakeProviderApi"/>: exact requests and error mapping.</summary>
public sealed class ProviderCallControlTests : IAsyncLifetime
{
    private const string AuthId = "MAODU5MJUXMDQ0ZTM2";
    private const string AuthToken = "s3cr3t-auth-token-ZmQ2YjQ1";
    private const string AccountSid = "AC0123456789abcdef0123456789abcdef";
    private const string TelnyxKey = "KEY0190A1B2C3D4_s3cr3tTelnyxKey";

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false });
    private FakeProviderApi _api = null!;
    private readonly List<(string CallId, string Target)> _xmlUrlRequests = [];

    public Task InitializeAsync()
    {
        _api = FakeProviderApi.Start("/api/v1");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        _http.Dispose();
    }

    // ---- exact requests ----

    [Fact]
    public async Task Vobiz_hang_up_is_a_DELETE_with_the_auth_headers()
    {
        _api.Respond = _ => new(204);

        await Vobiz().HangUpAsync("6b0a8e3c-0b2f-4bc5-9d7e-2f1a3b4c5d6e", CancellationToken.None);

        var request = _api.Single();
        Assert.Equal("DELETE", request.Method);
        Assert.Equal($"/api/v1/Account/{AuthId}/Call/6b0a8e3c-0b2f-4bc5-9d7e-2f1a3b4c5d6e/", request.RawUrl);
        Assert.Equal(AuthId, request.Header("X-Auth-ID"));
        Assert.Equal(AuthToken, request.Header("X-Auth-Token"));
        Assert.Null(request.Header("Authorization"));
        Assert.Equal("", request.Body);
    }

    [Fact]
    public async Task Vobiz_transfer_redirects_the_a_leg_to_the_transfer_xml_url()
    {
        _api.Respond = _ => new(202, """{"api_id":"x","message":"call transferred"}""");

        await Vobiz().TransferAsync("call-1", "+14155550100", CancellationToken.None);

        var request = _api.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/api/v1/Account/{AuthId}/Call/call-1/", request.RawUrl);
        Assert.Equal(AuthToken, request.Header("X-Auth-Token"));
        Assert.StartsWith("application/json", request.ContentType, StringComparison.Ordinal);
        AssertJson(
            request.Body,
            ("legs", "aleg"),
            ("aleg_url", "https://agent.example.com/transfer-xml?call=call-1&to=%2B14155550100"),
            ("aleg_method", "POST"));
        Assert.Equal([("call-1", "+14155550100")], _xmlUrlRequests);
    }

    [Fact]
    public async Task Plivo_hang_up_uses_basic_auth()
    {
        _api.Respond = _ => new(204);

        await Plivo().HangUpAsync("3a2e4c90-dcee-4931-8a59-f123ab507e60", CancellationToken.None);

        var request = _api.Single();
        Assert.Equal("DELETE", request.Method);
        Assert.Equal($"/api/v1/Account/{AuthId}/Call/3a2e4c90-dcee-4931-8a59-f123ab507e60/", request.RawUrl);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AuthId}:{AuthToken}")), request.Header("Authorization"));
        Assert.Null(request.Header("X-Auth-Token"));
    }

    [Fact]
    public async Task Plivo_transfer_redirects_the_a_leg()
    {
        _api.Respond = _ => new(202, """{"message":"call transferred","api_id":"08c94608"}""");

        await Plivo().TransferAsync("3a2e4c90", "sip:agent@pbx.example.com", CancellationToken.None);

        var request = _api.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/api/v1/Account/{AuthId}/Call/3a2e4c90/", request.RawUrl);
        AssertJson(
            request.Body,
            ("legs", "aleg"),
            ("aleg_url", "https://agent.example.com/transfer-xml?call=3a2e4c90&to=sip%3Aagent%40pbx.example.com"),
            ("aleg_method", "POST"));
    }

    [Fact]
    public async Task Twilio_transfer_updates_the_call_with_dial_twiml()
    {
        await Twilio().TransferAsync("CAfeedface", "+14155550100", CancellationToken.None);

        var request = _api.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/api/v1/Accounts/{AccountSid}/Calls/CAfeedface.json", request.RawUrl);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}")), request.Header("Authorization"));
        Assert.StartsWith("application/x-www-form-urlencoded", request.ContentType, StringComparison.Ordinal);
        Assert.Equal([new("Twiml", "<Response><Dial>+14155550100</Dial></Response>")], Form(request.Body));
    }

    [Fact]
    public async Task Twilio_transfer_to_a_sip_uri_uses_the_sip_noun_and_escapes_xml()
    {
        await Twilio().TransferAsync("CAfeedface", "sip:agent@pbx.example.com?X-Team=a&b<c>", CancellationToken.None);

        Assert.Equal(
            [new("Twiml", "<Response><Dial><Sip>sip:agent@pbx.example.com?X-Team=a&amp;b&lt;c&gt;</Sip></Dial></Response>")],
            Form(_api.Single().Body));
    }

    [Fact]
    public async Task Twilio_hang_up_sets_the_status_to_completed()
    {
        await Twilio().HangUpAsync("CAfeedface", CancellationToken.None);

        var request = _api.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/api/v1/Accounts/{AccountSid}/Calls/CAfeedface.json", request.RawUrl);
        Assert.Equal([new("Status", "completed")], Form(request.Body));
    }

    [Fact]
    public async Task Telnyx_transfer_posts_the_target_with_a_bearer_key()
    {
        await Telnyx().TransferAsync("v3:KBnLO0ZK3DhKM5s7bE9Vlu_aSmK-sOchKht", "sip:agent@pbx.example.com", CancellationToken.None);

        var request = _api.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/v1/calls/v3:KBnLO0ZK3DhKM5s7bE9Vlu_aSmK-sOchKht/actions/transfer", request.RawUrl);
        Assert.Equal("Bearer " + TelnyxKey, request.Header("Authorization"));
        AssertJson(request.Body, ("to", "sip:agent@pbx.example.com"));
    }

    [Fact]
    public async Task Telnyx_hang_up_posts_the_hangup_action()
    {
        await Telnyx().HangUpAsync("v3:abc", CancellationToken.None);

        var request = _api.Single();
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/v1/calls/v3:abc/actions/hangup", request.RawUrl);
        Assert.Equal("{}", request.Body);
    }

    [Fact]
    public async Task Ids_are_escaped_as_one_path_segment()
    {
        await Telnyx().HangUpAsync("a/b c?d#é", CancellationToken.None);

        Assert.Equal("/api/v1/calls/a%2Fb%20c%3Fd%23%C3%A9/actions/hangup", _api.Single().RawUrl);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(".")]
    [InlineData("..")]
    public async Task An_empty_call_id_is_refused_before_any_request(string callId)
    {
        // Plivo's DELETE …/Call/ without an id hangs up every call of the account.
        foreach (var control in AllControls())
        {
            await Assert.ThrowsAsync<ArgumentException>(() => control.HangUpAsync(callId, CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => control.TransferAsync(callId, "+14155550100", CancellationToken.None));
        }

        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task A_bad_transfer_target_is_refused_before_any_request()
    {
        foreach (var control in AllControls())
        {
            await Assert.ThrowsAsync<ArgumentException>(() => control.TransferAsync("call-1", " ", CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(() => control.TransferAsync("call-1", "+1415\n5550100", CancellationToken.None));
        }

        Assert.Empty(_api.Requests);
    }

    // ---- hang-up idempotence ----

    [Fact]
    public async Task Hanging_up_a_call_that_is_already_gone_succeeds()
    {
        _api.Respond = _ => new(404, """{"error":"not found"}""");

        foreach (var control in AllControls())
        {
            await control.HangUpAsync("gone-call", CancellationToken.None);
        }

        Assert.Equal(4, _api.Requests.Count);
    }

    [Fact]
    public async Task A_404_on_transfer_is_an_error()
    {
        _api.Respond = _ => new(404, """{"error":"not found"}""");

        var error = await Assert.ThrowsAsync<ProviderApiException>(() => Twilio().TransferAsync("CAgone", "+14155550100", CancellationToken.None));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal("transfer", error.Operation);
    }

    [Fact]
    public async Task Telnyx_hang_up_of_an_ended_call_succeeds_but_other_422s_fail()
    {
        _api.Respond = _ => new(422, """{"errors":[{"code":"90018","title":"Call has already ended"}]}""");
        await Telnyx().HangUpAsync("v3:ended", CancellationToken.None);

        _api.Respond = _ => new(422, """{"errors":[{"code":"10015","title":"Bad request"}]}""");
        var error = await Assert.ThrowsAsync<ProviderApiException>(() => Telnyx().HangUpAsync("v3:x", CancellationToken.None));
        Assert.Equal(422, error.StatusCode);

        _api.Respond = _ => new(422, "not json");
        await Assert.ThrowsAsync<ProviderApiException>(() => Telnyx().HangUpAsync("v3:x", CancellationToken.None));
    }

    // ---- error mapping ----

    [Fact]
    public async Task A_server_error_carries_provider_operation_status_and_a_short_body_excerpt()
    {
        _api.Respond = _ => new(500, "{\"error\":\"internal\",\n\"detail\":\"" + new string('x', 5000) + "\"}");

        var error = await Assert.ThrowsAsync<ProviderApiException>(() => Plivo().HangUpAsync("call-1", CancellationToken.None));

        Assert.Equal("plivo", error.Provider);
        Assert.Equal("hangup", error.Operation);
        Assert.Equal(ProviderApiFailure.HttpStatus, error.Failure);
        Assert.Equal(500, error.StatusCode);
        Assert.Equal("http_5xx", error.Label);
        Assert.NotNull(error.BodyExcerpt);
        Assert.StartsWith("{\"error\":\"internal\", \"detail\":\"xxx", error.BodyExcerpt, StringComparison.Ordinal);
        Assert.True(error.BodyExcerpt.Length <= 301, $"excerpt length {error.BodyExcerpt.Length}");
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("plivo hangup failed: HTTP 500", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_401_never_leaks_the_credentials()
    {
        var basicPlivo = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AuthId}:{AuthToken}"));
        var basicTwilio = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AccountSid}:{AuthToken}"));
        _api.Respond = request => new(
            401,
            // Echo whatever credentials the client sent (each client only knows, and must hide, its own).
            $"{{\"error\":\"bad credentials\",\"echo\":\"{request.Header("Authorization")} {request.Header("X-Auth-Token")}\"}}");

        foreach (var control in AllControls())
        {
            var error = await Assert.ThrowsAsync<ProviderApiException>(() => control.HangUpAsync("call-1", CancellationToken.None));

            Assert.Equal(401, error.StatusCode);
            Assert.Equal("http_4xx", error.Label);
            Assert.Contains("bad credentials", error.BodyExcerpt, StringComparison.Ordinal);
            foreach (var text in new[] { error.Message, error.ToString(), error.BodyExcerpt ?? "" })
            {
                Assert.DoesNotContain(AuthToken, text, StringComparison.Ordinal);
                Assert.DoesNotContain(TelnyxKey, text, StringComparison.Ordinal);
                Assert.DoesNotContain(basicPlivo, text, StringComparison.Ordinal);
                Assert.DoesNotContain(basicTwilio, text, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task A_secret_cut_by_the_body_limit_is_not_leaked_in_part()
    {
        // 4090 bytes of whitespace (collapsed away), then the token: the 4096-byte read cuts it after 6 characters.
        _api.Respond = _ => new(401, new string(' ', 4090) + AuthToken);

        var error = await Assert.ThrowsAsync<ProviderApiException>(() => Vobiz().HangUpAsync("call-1", CancellationToken.None));

        Assert.DoesNotContain(AuthToken[..6], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slow_provider_is_a_timeout()
    {
        _api.Respond = _ => new(200, "{}", Delay: TimeSpan.FromSeconds(10));
        var control = new TwilioCallControl(
            _http, new TwilioCallControlOptions(AccountSid, AuthToken) { BaseUrl = _api.BaseUrl, Timeout = TimeSpan.FromMilliseconds(300) });
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<ProviderApiException>(() => control.HangUpAsync("CAslow", CancellationToken.None));

        Assert.Equal(ProviderApiFailure.Timeout, error.Failure);
        Assert.Null(error.StatusCode);
        Assert.Equal("timeout", error.Label);
        Assert.Contains("twilio hangup timed out", error.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Caller_cancellation_is_a_cancellation_not_a_provider_error()
    {
        _api.Respond = _ => new(200, "{}", Delay: TimeSpan.FromSeconds(10));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Telnyx().HangUpAsync("v3:abc", cancel.Token));
    }

    [Fact]
    public async Task An_unreachable_provider_is_a_network_error()
    {
        var closed = new Uri($"http://127.0.0.1:{FakeProviderApi.FreeLoopbackPort()}/v2");
        var control = new TelnyxCallControl(_http, new TelnyxCallControlOptions(TelnyxKey) { BaseUrl = closed });

        var error = await Assert.ThrowsAsync<ProviderApiException>(() => control.HangUpAsync("v3:abc", CancellationToken.None));

        Assert.Equal(ProviderApiFailure.Network, error.Failure);
        Assert.Equal("network", error.Label);
        Assert.DoesNotContain(TelnyxKey, error.ToString(), StringComparison.Ordinal);
    }

    // ---- configuration ----

    [Fact]
    public void Options_never_print_secrets()
    {
        var texts = new[]
        {
            new VobizCallControlOptions(AuthId, AuthToken, XmlUrl).ToString(),
            new PlivoCallControlOptions(AuthId, AuthToken, XmlUrl).ToString(),
            new TwilioCallControlOptions(AccountSid, AuthToken).ToString(),
            new TelnyxCallControlOptions(TelnyxKey).ToString(),
        };

        foreach (var text in texts)
        {
            Assert.DoesNotContain(AuthToken, text, StringComparison.Ordinal);
            Assert.DoesNotContain(TelnyxKey, text, StringComparison.Ordinal);
            Assert.Contains("[redacted]", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Defaults_point_at_the_documented_base_urls()
    {
        Assert.Equal("https://api.vobiz.ai/api/v1", new VobizCallControlOptions(AuthId, AuthToken, XmlUrl).BaseUrl.OriginalString);
        Assert.Equal("https://api.plivo.com/v1", new PlivoCallControlOptions(AuthId, AuthToken, XmlUrl).BaseUrl.OriginalString);
        Assert.Equal("https://api.twilio.com/2010-04-01", new TwilioCallControlOptions(AccountSid, AuthToken).BaseUrl.OriginalString);
        Assert.Equal("https://api.telnyx.com/v2", new TelnyxCallControlOptions(TelnyxKey).BaseUrl.OriginalString);
    }

    [Fact]
    public void Bad_configuration_is_refused_without_echoing_the_secret()
    {
        var bad = new[]
        {
            Assert.Throws<ArgumentException>(() => new TwilioCallControl(_http, new TwilioCallControlOptions(AccountSid, ""))),
            Assert.Throws<ArgumentException>(() => new TwilioCallControl(_http, new TwilioCallControlOptions(AccountSid, "tok\r\nen"))),
            Assert.Throws<ArgumentException>(() => new VobizCallControl(_http, new VobizCallControlOptions(AuthId, AuthToken, XmlUrl) { BaseUrl = new Uri("/relative", UriKind.Relative) })),
        };
        Assert.Throws<ArgumentOutOfRangeException>(() => new TelnyxCallControl(_http, new TelnyxCallControlOptions(TelnyxKey) { Timeout = TimeSpan.Zero }));

        Assert.All(bad, e => Assert.DoesNotContain("tok\r\nen", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Dial_xml_for_plivo_and_vobiz_uses_number_or_user()
    {
        Assert.Equal(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Dial><Number>+14155550100</Number></Dial></Response>",
            DialXml.PlivoFamily("+14155550100"));
        Assert.Equal(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Dial><User>sip:john&amp;co@registrar.vobiz.ai</User></Dial></Response>",
            DialXml.PlivoFamily("sip:john&co@registrar.vobiz.ai"));
    }

    // ---- helpers ----

    private Uri XmlUrl(string callId, string target)
    {
        lock (_xmlUrlRequests)
        {
            _xmlUrlRequests.Add((callId, target));
        }

        return new Uri($"https://agent.example.com/transfer-xml?call={Uri.EscapeDataString(callId)}&to={Uri.EscapeDataString(target)}");
    }

    private VobizCallControl Vobiz() =>
        new(_http, new VobizCallControlOptions(AuthId, AuthToken, XmlUrl) { BaseUrl = _api.BaseUrl });

    private PlivoCallControl Plivo() =>
        new(_http, new PlivoCallControlOptions(AuthId, AuthToken, XmlUrl) { BaseUrl = _api.BaseUrl });

    private TwilioCallControl Twilio() =>
        new(_http, new TwilioCallControlOptions(AccountSid, AuthToken) { BaseUrl = _api.BaseUrl });

    private TelnyxCallControl Telnyx() =>
        new(_http, new TelnyxCallControlOptions(TelnyxKey) { BaseUrl = _api.BaseUrl });

    private IProviderCallControl[] AllControls() => [Vobiz(), Plivo(), Twilio(), Telnyx()];

    private static List<KeyValuePair<string, string>> Form(string body) =>
        body.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Select(kv => new KeyValuePair<string, string>(WebUtility.UrlDecode(kv[0]), WebUtility.UrlDecode(kv.Length > 1 ? kv[1] : "")))
            .ToList();

    private static void AssertJson(string body, params (string Name, string Value)[] expected)
    {
        using var json = JsonDocument.Parse(body);
        var actual = json.RootElement.EnumerateObject().Select(p => (p.Name, p.Value.GetString() ?? "")).ToArray();
        Assert.Equal(expected, actual);
    }
}
