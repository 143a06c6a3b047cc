using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace AudioFlow.Telephony.Providers.Control;

/// <summary>Telnyx settings for <see cref="TelnyxCallControl"/>. <see cref="ToString"/> never prints the key.</summary>
/// <param name="ApiKey">The API key (sent as <c>Authorization: Bearer …</c>).</param>
public sealed record TelnyxCallControlOptions(string ApiKey)
{
    public static readonly Uri DefaultBaseUrl = new("https://api.telnyx.com/v2");

    public Uri BaseUrl { get; init; } = DefaultBaseUrl;

    /// <summary>Per-request timeout (default 10 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Telnyx error codes (in <c>errors[].code</c> of a 4xx answer) that mean "the call has already ended", which a
    /// hang-up treats as success. Default: "90018" — from memory of Telnyx's error catalogue, not verified against
    /// the current docs; adjust if live traffic shows another code.
    /// </summary>
    public IReadOnlyCollection<string> AlreadyEndedErrorCodes { get; init; } = ["90018"];

    public override string ToString() =>
        $"TelnyxCallControlOptions {{ ApiKey = [redacted], BaseUrl = {BaseUrl}, Timeout = {Timeout} }}";
}

/// <summary>
/// Telnyx Call Control: <c>Authorization: Bearer {apiKey}</c>; transfer
/// <c>POST {base}/calls/{call_control_id}/actions/transfer</c> with JSON <c>{"to": target}</c> (a number or SIP URI;
/// developers.telnyx.com/api-reference/call-commands/transfer-call); hang-up
/// <c>POST {base}/calls/{call_control_id}/actions/hangup</c> with <c>{}</c> (404, or a 4xx whose error code is in
/// <see cref="TelnyxCallControlOptions.AlreadyEndedErrorCodes"/>, = already gone).
/// </summary>
/// <remarks>
/// The transfer dials the target and bridges it to the caller; if it fails Telnyx sends <c>call.hangup</c> for the
/// other leg and the original call stays up (so the caller may keep talking to the agent). <c>http</c> is not
/// disposed by this class.
/// </remarks>
public sealed class TelnyxCallControl : IProviderCallControl
{
    private readonly ProviderRestClient _rest;
    private readonly HashSet<string> _alreadyEndedCodes;

    public TelnyxCallControl(HttpClient http, TelnyxCallControlOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ProviderRestClient.RequireHeaderSafe(options.ApiKey, "The Telnyx API key", nameof(options));
        var apiKey = options.ApiKey;
        _alreadyEndedCodes = new HashSet<string>(options.AlreadyEndedErrorCodes ?? [], StringComparer.Ordinal);
        _rest = new ProviderRestClient(
            http,
            Provider,
            options.BaseUrl,
            options.Timeout,
            request => request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey),
            apiKey);
    }

    public string Provider => "telnyx";

    public async Task TransferAsync(string providerCallId, string target, CancellationToken cancellationToken)
    {
        var path = ActionPath(providerCallId, "transfer");
        DialXml.RequireTarget(target, nameof(target));
        var body = JsonSerializer.Serialize(new Dictionary<string, string> { ["to"] = target });
        await _rest.SendAsync(
                "transfer",
                HttpMethod.Post,
                path,
                new StringContent(body, Encoding.UTF8, "application/json"),
                alreadyDone: null,
                cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task HangUpAsync(string providerCallId, CancellationToken cancellationToken)
    {
        await _rest.SendAsync(
                "hangup",
                HttpMethod.Post,
                ActionPath(providerCallId, "hangup"),
                new StringContent("{}", Encoding.UTF8, "application/json"),
                alreadyDone: AlreadyEnded,
                cancellationToken)
            .ConfigureAwait(false);
    }

    private static string ActionPath(string providerCallId, string action) =>
        $"/calls/{ProviderRestClient.Segment(providerCallId, nameof(providerCallId))}/actions/{action}";

    private bool AlreadyEnded(HttpStatusCode status, string body)
    {
        if (status == HttpStatusCode.NotFound)
        {
            return true;
        }

        if ((int)status is < 400 or >= 500 || _alreadyEndedCodes.Count == 0 || string.IsNullOrEmpty(body))
        {
            return false;
        }

        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object
                || !json.RootElement.TryGetProperty("errors", out var errors)
                || errors.ValueKind != JsonValueKind.Array)
            {
                return false;
            }

            foreach (var error in errors.EnumerateArray())
            {
                if (error.ValueKind == JsonValueKind.Object
                    && error.TryGetProperty("code", out var code)
                    && code.ValueKind is JsonValueKind.String or JsonValueKind.Number
                    && _alreadyEndedCodes.Contains(code.ValueKind == JsonValueKind.String ? code.GetString() ?? "" : code.GetRawText()))
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: not the documented error shape.
        }

        return false;
    }
}
