using System.Net.Http.Headers;
using System.Text;

namespace AudioFlow.Telephony.Providers.Control;

/// <summary>Plivo account settings for <see cref="PlivoCallControl"/>. <see cref="ToString"/> never prints the token.</summary>
/// <param name="AuthId">The account Auth ID (Basic auth user name, also in the URL path).</param>
/// <param name="AuthToken">The account Auth Token (Basic auth password; also the webhook signing key).</param>
/// <param name="TransferXmlUrl">Builds the URL Plivo fetches (POST) for the transfer XML (<see cref="DialXml.PlivoFamily"/>).</param>
public sealed record PlivoCallControlOptions(string AuthId, string AuthToken, TransferXmlUrlBuilder TransferXmlUrl)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.plivo.com/v1");

    public Uri BaseUrl { get; init; } = DefaultBaseUrl;

    /// <summary>Per-request timeout (default 10 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public override string ToString() =>
        $"PlivoCallControlOptions {{ AuthId = {AuthId}, AuthToken = [redacted], BaseUrl = {BaseUrl}, Timeout = {Timeout} }}";
}

/// <summary>
/// Plivo REST call control: HTTP Basic auth (authId:authToken); hang-up
/// <c>DELETE {base}/Account/{authId}/Call/{callUuid}/</c> (204, 404 = already gone;
/// plivo.com/docs/voice/api/call/hangup-a-call); transfer <c>POST {base}/Account/{authId}/Call/{callUuid}/</c> with
/// JSON <c>{"legs":"aleg","aleg_url":…,"aleg_method":"POST"}</c> (202; plivo.com/docs/voice/api/call/transfer-a-call).
/// </summary>
/// <remarks>
/// Plivo's hang-up endpoint without a call UUID disconnects every call of the account; empty ids are therefore
/// rejected before any request. The transfer redirects the caller's leg and ends the <c>&lt;Stream&gt;</c>.
/// <c>http</c> is not disposed by this class.
/// </remarks>
public sealed class PlivoCallControl : IProviderCallControl
{
    private readonly PlivoFamilyCallControl _calls;

    public PlivoCallControl(HttpClient http, PlivoCallControlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ProviderRestClient.RequireHeaderSafe(options.AuthId, "The Plivo auth id", nameof(options));
        ProviderRestClient.RequireHeaderSafe(options.AuthToken, "The Plivo auth token", nameof(options));
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(options.AuthId + ":" + options.AuthToken));
        var rest = new ProviderRestClient(
            http,
            Provider,
            options.BaseUrl,
            options.Timeout,
            request => request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials),
            options.AuthToken,
            credentials);
        _calls = new PlivoFamilyCallControl(rest, options.AuthId, options.TransferXmlUrl);
    }

    public string Provider => "plivo";

    public Task TransferAsync(string providerCallId, string target, CancellationToken cancellationToken) =>
        _calls.TransferAsync(providerCallId, target, cancellationToken);

    public Task HangUpAsync(string providerCallId, CancellationToken cancellationToken) =>
        _calls.HangUpAsync(providerCallId, cancellationToken);
}
