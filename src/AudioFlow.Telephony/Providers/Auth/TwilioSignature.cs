using System.Text;

namespace AudioFlow.Telephony.Providers.Auth;

/// <summary>
/// Twilio request signatures (<c>X-Twilio-Signature</c>): Base64(HMAC-SHA1(key = auth token, message = the full URL
/// Twilio requested, query string included, followed by every POST form parameter sorted by name, each name
/// immediately followed by its value, no separators)). The sort is ordinal ("Unix-style case-sensitive").
/// Source: twilio.com/docs/usage/security; the worked example there is a known-answer test.
/// </summary>
/// <remarks>
/// <para>WebSocket upgrade of a Media Stream: Twilio signs the upgrade GET too, computed over the <c>wss://</c> URL
/// (there are no form parameters); pass the public <c>wss://</c> URL exactly as written in the TwiML
/// (field notes §2.3, twilio-labs/twilio-aspnet#162).</para>
/// <para>Use the URL as Twilio called it (the public URL configured at Twilio), not as seen behind a proxy that
/// rewrote scheme, host or port. Like Twilio's helper libraries, <see cref="Validate"/> also accepts the signature
/// computed over the same URL with the scheme's default port added or removed.</para>
/// <para>Not covered: JSON-bodied webhooks (signed URL carries <c>bodySHA256</c>; validate that hash separately) and
/// the HMAC-SHA256 variant used when a Twilio "webhook rule" with a shared key applies.</para>
/// </remarks>
public static class TwilioSignature
{
    public const string HeaderName = "X-Twilio-Signature";

    /// <summary>The string that is signed: URL + sorted "namevalue" pairs.</summary>
    public static string StringToSign(string url, IEnumerable<KeyValuePair<string, string>>? formParameters = null)
    {
        ArgumentNullException.ThrowIfNull(url);
        var text = new StringBuilder(url);
        foreach (var p in SignatureMath.SortParameters(formParameters))
        {
            text.Append(p.Key).Append(p.Value);
        }

        return text.ToString();
    }

    /// <summary>The Base64 signature Twilio would send for this URL and these POST parameters.</summary>
    public static string Compute(string authToken, string url, IEnumerable<KeyValuePair<string, string>>? formParameters = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(authToken);
        ArgumentNullException.ThrowIfNull(url);
        return Convert.ToBase64String(SignatureMath.HmacSha1(authToken, StringToSign(url, formParameters)));
    }

    /// <summary>
    /// Checks <paramref name="signatureHeader"/> against the signature over <paramref name="url"/> and the POST
    /// <paramref name="formParameters"/> (null or empty for a GET / WebSocket upgrade). Constant-time; never throws.
    /// </summary>
    public static AuthResult Validate(
        string authToken,
        string url,
        IEnumerable<KeyValuePair<string, string>>? formParameters,
        string? signatureHeader)
    {
        if (string.IsNullOrEmpty(authToken))
        {
            return AuthResult.NotConfigured("no Twilio auth token configured");
        }

        if (string.IsNullOrEmpty(url))
        {
            return AuthResult.NotConfigured("no URL to check the Twilio signature against");
        }

        var parameters = formParameters?.ToList();
        var expected = SignatureMath.HmacSha1(authToken, StringToSign(url, parameters));
        var variant = SignatureMath.DefaultPortVariant(url);
        return variant is null
            ? SignatureMath.MatchBase64Header(signatureHeader, HeaderName, expected)
            : SignatureMath.MatchBase64Header(
                signatureHeader, HeaderName, expected, SignatureMath.HmacSha1(authToken, StringToSign(variant, parameters)));
    }
}
