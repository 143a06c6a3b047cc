using System.Text;

namespace AudioFlow.Telephony.Providers.Auth;

/// <summary>
/// Plivo V3 request signatures (<c>X-Plivo-Signature-V3</c> with <c>X-Plivo-Signature-V3-Nonce</c>):
/// Base64(HMAC-SHA256(key = auth token, message = signedUrl + "." + nonce)).
/// </summary>
/// <remarks>
/// <para>docs.plivo.com/docs/voice/xml/request/validation names the headers and says the SDKs compute the signature,
/// but does not spell out <c>signedUrl</c>. It is reconstructed here from the behaviour of Plivo's official SDKs
/// (plivo-python <c>utils/signature_v3.py</c>, plivo-node <c>utils/v3Security.js</c>, which agree), and is an
/// inference from them, not from prose documentation:</para>
/// <list type="bullet">
/// <item>base = the URL without query and fragment, as given (scheme, host, port, path);</item>
/// <item>GET: query parameters (URL query plus any given parameters), keys sorted, values of a repeated key sorted,
/// joined as <c>k=v&amp;k=v</c>; signedUrl = base + "?" + that, or just base when there are none;</item>
/// <item>POST: q = the URL's own query sorted the same way; signedUrl = base, then "?" + q when q is non-empty or
/// there are POST parameters, then "." when both exist, then the POST parameters sorted by key (and value) and
/// concatenated as <c>keyvalue</c> with no separators.</item>
/// </list>
/// <para>Query values are form-decoded ('+' = space, %XX as UTF-8) before sorting, as the SDKs do. For non-ASCII
/// text the SDKs disagree (the Python SDK effectively UTF-8-encodes the signed string twice, the Node SDK only its
/// URL part): <see cref="Validate"/> accepts the single and the Python-style double encoding.
/// The signature header may hold several comma-separated signatures; any match is accepted.
/// <c>X-Plivo-Signature-Ma-V3</c> uses the same scheme keyed with the main account's token. A nonce alone does not
/// stop replays (nothing is timestamped); keep a short-lived seen-nonce set if replay matters.</para>
/// <para>Whether Plivo signs the audio-stream WebSocket upgrade is not documented: authenticate stream URLs with
/// <see cref="SignedStreamToken"/>.</para>
/// </remarks>
public static class PlivoSignatureV3
{
    public const string SignatureHeader = "X-Plivo-Signature-V3";
    public const string MainAccountSignatureHeader = "X-Plivo-Signature-Ma-V3";
    public const string NonceHeader = "X-Plivo-Signature-V3-Nonce";

    /// <summary>The signed URL (without the "." + nonce suffix). Throws for a method other than GET or POST.</summary>
    public static string SignedUrl(string method, string url, IEnumerable<KeyValuePair<string, string>>? parameters = null)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(url);
        var (baseUrl, query) = SignatureMath.SplitUrl(url);
        var queryParameters = SignatureMath.ParseForm(query);
        if (string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase))
        {
            if (parameters is not null)
            {
                queryParameters.AddRange(parameters);
            }

            var q = SortedQuery(queryParameters);
            return q.Length > 0 ? baseUrl + "?" + q : baseUrl;
        }

        if (string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            var post = SignatureMath.SortParameters(parameters);
            var q = SortedQuery(queryParameters);
            var text = new StringBuilder(baseUrl);
            if (q.Length > 0 || post.Count > 0)
            {
                text.Append('?').Append(q);
            }

            if (q.Length > 0 && post.Count > 0)
            {
                text.Append('.');
            }

            foreach (var p in post)
            {
                text.Append(p.Key).Append(p.Value);
            }

            return text.ToString();
        }

        throw new ArgumentException($"Plivo V3 signatures are defined for GET and POST, not '{method}'.", nameof(method));
    }

    /// <summary>The Base64 signature Plivo would send.</summary>
    public static string Compute(
        string authToken,
        string method,
        string url,
        IEnumerable<KeyValuePair<string, string>>? parameters,
        string nonce)
    {
        ArgumentException.ThrowIfNullOrEmpty(authToken);
        ArgumentNullException.ThrowIfNull(nonce);
        return Convert.ToBase64String(SignatureMath.HmacSha256(authToken, SignedUrl(method, url, parameters) + "." + nonce));
    }

    /// <summary>
    /// Checks a V3 signature header (possibly several comma-separated signatures). <paramref name="parameters"/> are the
    /// POST form parameters for a POST, extra query parameters (normally none) for a GET. Constant-time; never throws.
    /// </summary>
    public static AuthResult Validate(
        string authToken,
        string method,
        string url,
        IEnumerable<KeyValuePair<string, string>>? parameters,
        string? nonce,
        string? signatureHeader)
    {
        if (string.IsNullOrEmpty(authToken))
        {
            return AuthResult.NotConfigured("no Plivo auth token configured");
        }

        if (string.IsNullOrEmpty(url))
        {
            return AuthResult.NotConfigured("no URL to check the Plivo signature against");
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return AuthResult.Missing($"no {SignatureHeader} header");
        }

        if (string.IsNullOrEmpty(nonce))
        {
            return AuthResult.Missing($"no {NonceHeader} header");
        }

        if (nonce.Length > 256)
        {
            return AuthResult.Malformed($"{NonceHeader} too long");
        }

        if (!string.Equals(method, "GET", StringComparison.OrdinalIgnoreCase)
            && !string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return AuthResult.Malformed("Plivo V3 signatures cover GET and POST only");
        }

        var message = SignedUrl(method, url, parameters) + "." + nonce;
        var expected = SignatureMath.HmacSha256(authToken, message);
        if (Ascii.IsValid(message))
        {
            return SignatureMath.MatchBase64Header(signatureHeader, SignatureHeader, expected);
        }

        // Non-ASCII text (e.g. an accented CallerName): Plivo's Python SDK signs the UTF-8 bytes UTF-8-encoded a
        // second time (bytes read back as Latin-1). Which one Plivo's servers produce is unverified: accept both.
        return SignatureMath.MatchBase64Header(
            signatureHeader, SignatureHeader, expected, SignatureMath.HmacSha256(authToken, Latin1OfUtf8(message)));
    }

    /// <summary>The UTF-8 bytes of <paramref name="text"/>, one char per byte (what Python's SDK signs, re-encoded).</summary>
    internal static string Latin1OfUtf8(string text) => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text));

    private static string SortedQuery(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', SignatureMath.SortParameters(parameters).Select(static p => p.Key + "=" + p.Value));
}
