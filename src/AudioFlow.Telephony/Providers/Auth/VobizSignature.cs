namespace AudioFlow.Telephony.Providers.Auth;

/// <summary>
/// Vobiz callback signatures. Vobiz speaks Plivo's media-stream protocol but signs differently from Plivo V3:
/// only the base URL (query stripped) and the nonce are signed, no parameters.
/// <list type="bullet">
/// <item>V3 (<c>X-Vobiz-Signature-V3</c> + <c>X-Vobiz-Signature-V3-Nonce</c>): Base64(HMAC-SHA256(auth token, baseUrl + "." + nonce)).</item>
/// <item>V2 (<c>X-Vobiz-Signature-V2</c> + <c>X-Vobiz-Signature-V2-Nonce</c>): Base64(HMAC-SHA256(auth token, baseUrl + nonce)).</item>
/// <item><c>X-Vobiz-Signature-MA-V2/V3</c>: the same, keyed with the parent (main) account's token.</item>
/// </list>
/// Sources: docs.vobiz.ai/concepts/validating-callbacks ("strip all query parameters to get the base URL";
/// V3 "identical to V2 except the nonce is joined with a . separator"); docs.vobiz.ai/compare/plivo/webhooks
/// ("Vobiz V2/V3 sign only the base URL + nonce, while Plivo V3 also hashes the sorted POST params").
/// </summary>
/// <remarks>
/// Ambiguities: the docs call a Plivo V3 validator a drop-in in one place and say the signed strings differ in
/// another; this follows the explicit algorithm (base URL + nonce). The docs do not say whether the header can carry
/// several comma-separated signatures (Plivo's can); a list is accepted. Because the parameters are not signed, a
/// valid signature proves the sender knows the token and the URL, not that the form body is untampered; and nothing
/// is timestamped, so replays need a seen-nonce set. Whether Vobiz signs the stream WebSocket upgrade is not
/// documented: use <see cref="SignedStreamToken"/> in the stream URL.
/// </remarks>
public static class VobizSignature
{
    public const string V3Header = "X-Vobiz-Signature-V3";
    public const string V3NonceHeader = "X-Vobiz-Signature-V3-Nonce";
    public const string MainAccountV3Header = "X-Vobiz-Signature-MA-V3";
    public const string V2Header = "X-Vobiz-Signature-V2";
    public const string V2NonceHeader = "X-Vobiz-Signature-V2-Nonce";
    public const string MainAccountV2Header = "X-Vobiz-Signature-MA-V2";

    /// <summary>The URL that is signed: scheme, host, port and path; query and fragment removed.</summary>
    public static string BaseUrl(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return SignatureMath.SplitUrl(url).BaseUrl;
    }

    public static string ComputeV3(string authToken, string url, string nonce) => Compute(authToken, url, ".", nonce);

    public static string ComputeV2(string authToken, string url, string nonce) => Compute(authToken, url, "", nonce);

    /// <summary>Checks <c>X-Vobiz-Signature-V3</c> (or the MA variant with the main account's token). Never throws.</summary>
    public static AuthResult ValidateV3(string authToken, string url, string? nonce, string? signatureHeader) =>
        Validate(authToken, url, ".", nonce, signatureHeader, V3Header, V3NonceHeader);

    /// <summary>Checks <c>X-Vobiz-Signature-V2</c> (or the MA variant with the main account's token). Never throws.</summary>
    public static AuthResult ValidateV2(string authToken, string url, string? nonce, string? signatureHeader) =>
        Validate(authToken, url, "", nonce, signatureHeader, V2Header, V2NonceHeader);

    private static string Compute(string authToken, string url, string separator, string nonce)
    {
        ArgumentException.ThrowIfNullOrEmpty(authToken);
        ArgumentNullException.ThrowIfNull(nonce);
        return Convert.ToBase64String(SignatureMath.HmacSha256(authToken, BaseUrl(url) + separator + nonce));
    }

    private static AuthResult Validate(
        string authToken,
        string url,
        string separator,
        string? nonce,
        string? signatureHeader,
        string headerName,
        string nonceHeaderName)
    {
        if (string.IsNullOrEmpty(authToken))
        {
            return AuthResult.NotConfigured("no Vobiz auth token configured");
        }

        if (string.IsNullOrEmpty(url))
        {
            return AuthResult.NotConfigured("no URL to check the Vobiz signature against");
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return AuthResult.Missing($"no {headerName} header");
        }

        if (string.IsNullOrEmpty(nonce))
        {
            return AuthResult.Missing($"no {nonceHeaderName} header");
        }

        if (nonce.Length > 256)
        {
            return AuthResult.Malformed($"{nonceHeaderName} too long");
        }

        var expected = SignatureMath.HmacSha256(authToken, BaseUrl(url) + separator + nonce);
        return SignatureMath.MatchBase64Header(signatureHeader, headerName, expected);
    }
}
