using System.Security.Cryptography;
using System.Text;

namespace AudioFlow.Telephony.Providers.Auth;

/// <summary>
/// Telnyx media-stream authentication: when a stream is started with <c>stream_auth_token</c>, Telnyx presents that
/// token in the <c>x-telnyx-streaming-auth-token</c> header of the WebSocket upgrade; compare it with the configured
/// token in constant time.
/// </summary>
/// <remarks>
/// <para>The header name comes from the project's field notes (§2.4) and independent integrations; the Telnyx API
/// reference pages searched here (media streaming, streaming_start) did not show it verbatim, so confirm it
/// against a live upgrade.</para>
/// <para>Telnyx webhooks (HTTP callbacks) are signed with Ed25519 (<c>telnyx-signature-ed25519</c> over
/// "timestamp|payload", <c>telnyx-timestamp</c>). The .NET 10 base class library has no standalone Ed25519
/// verifier (only composite ML-DSA variants), so webhook verification is not implemented here; it needs a package
/// (e.g. NSec or BouncyCastle) or a native OpenSSL binding.</para>
/// </remarks>
public static class TelnyxStreamAuth
{
    public const string HeaderName = "x-telnyx-streaming-auth-token";

    /// <summary>Longest header value looked at.</summary>
    public const int MaxTokenLength = 4096;

    /// <summary>
    /// Compares the presented header value with the configured token in constant time (both are hashed with SHA-256
    /// first, so neither the content nor the length of the expected token leaks). Never throws.
    /// </summary>
    public static AuthResult Validate(string expectedToken, string? headerValue)
    {
        if (string.IsNullOrEmpty(expectedToken))
        {
            return AuthResult.NotConfigured("no Telnyx stream auth token configured");
        }

        if (string.IsNullOrWhiteSpace(headerValue))
        {
            return AuthResult.Missing($"no {HeaderName} header");
        }

        if (headerValue.Length > MaxTokenLength)
        {
            return AuthResult.Malformed($"{HeaderName} header too long");
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(headerValue.Trim()));
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(expectedToken));
        return CryptographicOperations.FixedTimeEquals(presented, expected)
            ? AuthResult.Ok($"{HeaderName} matches")
            : AuthResult.BadSignature($"{HeaderName} does not match");
    }
}
