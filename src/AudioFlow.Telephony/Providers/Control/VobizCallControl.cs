namespace AudioFlow.Telephony.Providers.Control;

/// <summary>Vobiz account settings for <see cref="VobizCallControl"/>. <see cref="ToString"/> never prints the token.</summary>
/// <param name="AuthId">The account Auth ID (sent as <c>X-Auth-ID</c>, also in the URL path).</param>
/// <param name="AuthToken">The account Auth Token (sent as <c>X-Auth-Token</c>; also the webhook signing key).</param>
/// <param name="TransferXmlUrl">Builds the URL Vobiz fetches (POST) for the transfer XML (<see cref="DialXml.PlivoFamily"/>).</param>
public sealed record VobizCallControlOptions(string AuthId, string AuthToken, TransferXmlUrlBuilder TransferXmlUrl)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.vobiz.ai/api/v1");

    public Uri BaseUrl { get; init; } = DefaultBaseUrl;

    /// <summary>Per-request timeout (default 10 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public override string ToString() =>
        $"VobizCallControlOptions {{ AuthId = {AuthId}, AuthToken = [redacted], BaseUrl = {BaseUrl}, Timeout = {Timeout} }}";
}

/// <summary>
/// Vobiz REST call control (docs.vobiz.ai/call/hangup-call, /call/transfer-call): headers <c>X-Auth-ID</c> and
/// <c>X-Auth-Token</c>; hang-up <c>DELETE {base}/Account/{authId}/Call/{callUuid}/</c> (204, 404 = already gone);
/// transfer <c>POST {base}/Account/{authId}/Call/{callUuid}/</c> with JSON
/// <c>{"legs":"aleg","aleg_url":…,"aleg_method":"POST"}</c> (documented body type: application/json).
/// </summary>
/// <remarks>
/// The transfer is a redirect of the caller's leg to new XML: it tears down the in-flight <c>&lt;Stream&gt;</c>
/// (field notes §2.1), so the media WebSocket closes right after a successful transfer; that close is expected,
/// not an error. <c>http</c> is not disposed by this class.
/// </remarks>
public sealed class VobizCallControl : IProviderCallControl
{
    private readonly PlivoFamilyCallControl _calls;

    public VobizCallControl(HttpClient http, VobizCallControlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ProviderRestClient.RequireHeaderSafe(options.AuthId, "The Vobiz auth id", nameof(options));
        ProviderRestClient.RequireHeaderSafe(options.AuthToken, "The Vobiz auth token", nameof(options));
        var authId = options.AuthId;
        var authToken = options.AuthToken;
        var rest = new ProviderRestClient(
            http,
            Provider,
            options.BaseUrl,
            options.Timeout,
            request =>
            {
                request.Headers.TryAddWithoutValidation("X-Auth-ID", authId);
                request.Headers.TryAddWithoutValidation("X-Auth-Token", authToken);
            },
            authToken);
        _calls = new PlivoFamilyCallControl(rest, authId, options.TransferXmlUrl);
    }

    public string Provider => "vobiz";

    public Task TransferAsync(string providerCallId, string target, CancellationToken cancellationToken) =>
        _calls.TransferAsync(providerCallId, target, cancellationToken);

    public Task HangUpAsync(string providerCallId, CancellationToken cancellationToken) =>
        _calls.HangUpAsync(providerCallId, cancellationToken);
}
