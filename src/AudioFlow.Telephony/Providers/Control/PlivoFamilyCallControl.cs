using System.Net;
using System.Text;
using System.Text.Json;

namespace AudioFlow.Telephony.Providers.Control;

/// <summary>
/// What Vobiz and Plivo share: the same REST shape under different base URLs and authentication.
/// Hang up: <c>DELETE {base}/Account/{authId}/Call/{callUuid}/</c> (204; 404 = already gone).
/// Transfer: <c>POST {base}/Account/{authId}/Call/{callUuid}/</c> with JSON
/// <c>{"legs":"aleg","aleg_url":…,"aleg_method":"POST"}</c> (202): a redirect of the caller's leg to new XML.
/// </summary>
internal sealed class PlivoFamilyCallControl
{
    private readonly ProviderRestClient _rest;
    private readonly string _accountSegment;
    private readonly TransferXmlUrlBuilder _transferXmlUrl;

    internal PlivoFamilyCallControl(ProviderRestClient rest, string authId, TransferXmlUrlBuilder transferXmlUrl)
    {
        _rest = rest;
        _accountSegment = ProviderRestClient.Segment(authId, nameof(authId));
        _transferXmlUrl = transferXmlUrl ?? throw new ArgumentNullException(nameof(transferXmlUrl));
    }

    internal async Task TransferAsync(string providerCallId, string target, CancellationToken cancellationToken)
    {
        var path = CallPath(providerCallId);
        DialXml.RequireTarget(target, nameof(target));
        var xmlUrl = _transferXmlUrl(providerCallId, target);
        if (xmlUrl is null || !xmlUrl.IsAbsoluteUri
            || (xmlUrl.Scheme != Uri.UriSchemeHttps && xmlUrl.Scheme != Uri.UriSchemeHttp))
        {
            throw new ArgumentException("The transfer XML URL must be an absolute http(s) URL.", nameof(target));
        }

        var body = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["legs"] = "aleg",
            ["aleg_url"] = xmlUrl.AbsoluteUri,
            ["aleg_method"] = "POST",
        });
        await _rest.SendAsync(
                "transfer",
                HttpMethod.Post,
                path,
                new StringContent(body, Encoding.UTF8, "application/json"),
                alreadyDone: null,
                cancellationToken)
            .ConfigureAwait(false);
    }

    internal async Task HangUpAsync(string providerCallId, CancellationToken cancellationToken)
    {
        await _rest.SendAsync(
                "hangup",
                HttpMethod.Delete,
                CallPath(providerCallId),
                content: null,
                alreadyDone: static (status, _) => status == HttpStatusCode.NotFound,
                cancellationToken)
            .ConfigureAwait(false);
    }

    private string CallPath(string providerCallId) =>
        $"/Account/{_accountSegment}/Call/{ProviderRestClient.Segment(providerCallId, nameof(providerCallId))}/";
}
