using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace AudioFlow.Telephony.Providers.Control;

/// <summary>Twilio account settings for <see cref="TwilioCallControl"/>. <see cref="ToString"/> never prints the token.</summary>
/// <param name="AccountSid">The account SID ("AC…"; Basic auth user name, also in the URL path).</param>
/// <param name="AuthToken">The auth token (Basic auth password; also the webhook signing key).</param>
public sealed record TwilioCallControlOptions(string AccountSid, string AuthToken)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.twilio.com/2010-04-01");

    public Uri BaseUrl { get; init; } = DefaultBaseUrl;

    /// <summary>Per-request timeout (default 10 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public override string ToString() =>
        $"TwilioCallControlOptions {{ AccountSid = {AccountSid}, AuthToken = [redacted], BaseUrl = {BaseUrl}, Timeout = {Timeout} }}";
}

/// <summary>
/// Twilio REST call control by updating the call: <c>POST {base}/Accounts/{AC}/Calls/{CA}.json</c> with HTTP Basic
/// auth (accountSid:authToken) and a form body: <c>Twiml=&lt;Response&gt;&lt;Dial&gt;…&lt;/Dial&gt;&lt;/Response&gt;</c>
/// to transfer (<see cref="DialXml.Twilio"/>), <c>Status=completed</c> to hang up (404 = already gone).
/// </summary>
/// <remarks>
/// New TwiML replaces the running <c>&lt;Connect&gt;&lt;Stream&gt;</c>, so the media WebSocket closes after a
/// successful transfer. <c>http</c> is not disposed by this class.
/// </remarks>
public sealed class TwilioCallControl : IProviderCallControl
{
    private readonly ProviderRestClient _rest;
    private readonly string _accountSegment;

    public TwilioCallControl(HttpClient http, TwilioCallControlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ProviderRestClient.RequireHeaderSafe(options.AccountSid, "The Twilio account SID", nameof(options));
        ProviderRestClient.RequireHeaderSafe(options.AuthToken, "The Twilio auth token", nameof(options));
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes(options.AccountSid + ":" + options.AuthToken));
        _rest = new ProviderRestClient(
            http,
            Provider,
            options.BaseUrl,
            options.Timeout,
            request => request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials),
            options.AuthToken,
            credentials);
        _accountSegment = ProviderRestClient.Segment(options.AccountSid, nameof(options));
    }

    public string Provider => "twilio";

    public async Task TransferAsync(string providerCallId, string target, CancellationToken cancellationToken)
    {
        var path = CallPath(providerCallId);
        var twiml = DialXml.Twilio(target);
        await _rest.SendAsync(
                "transfer",
                HttpMethod.Post,
                path,
                new FormUrlEncodedContent([new KeyValuePair<string, string>("Twiml", twiml)]),
                alreadyDone: null,
                cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task HangUpAsync(string providerCallId, CancellationToken cancellationToken)
    {
        await _rest.SendAsync(
                "hangup",
                HttpMethod.Post,
                CallPath(providerCallId),
                new FormUrlEncodedContent([new KeyValuePair<string, string>("Status", "completed")]),
                alreadyDone: static (status, _) => status == HttpStatusCode.NotFound,
                cancellationToken)
            .ConfigureAwait(false);
    }

    private string CallPath(string providerCallId) =>
        $"/Accounts/{_accountSegment}/Calls/{ProviderRestClient.Segment(providerCallId, nameof(providerCallId))}.json";
}
