using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace AudioFlow.Telephony.Providers.Auth;

/// <summary>
/// AudioFlow's own, provider-independent stream credential: a short-lived token carried in the stream URL's path
/// (Twilio forbids query strings on stream URLs), bound to a scope (normally the stream URL path without the token,
/// e.g. "/ws/twilio/CA123").
/// <para>Format: <c>"{expiryUnixSeconds}.{base64url(HMAC-SHA256(secret, scope + "|" + expiryUnixSeconds))}"</c>,
/// URL-safe (digits, letters, '-', '_', '.'), 43 signature characters, no padding.</para>
/// </summary>
/// <remarks>
/// The token is a bearer credential until it expires: keep lifetimes short (the time between answering the call and
/// the provider opening the stream, plus reconnects), and treat it as single-use per call where the caller can.
/// The signature is checked before the expiry, so <see cref="AuthOutcome.Expired"/> is only reported for
/// authentic tokens.
/// </remarks>
public static class SignedStreamToken
{
    /// <summary>Shortest accepted secret (128 bits). Use 32 random bytes.</summary>
    public const int MinSecretBytes = 16;

    private const int SignatureChars = 43; // base64url of 32 bytes, unpadded
    private const int MaxExpiryDigits = 12;

    /// <summary>Creates a token for <paramref name="scope"/> valid until <paramref name="expiresAt"/> (whole seconds).</summary>
    public static string Create(ReadOnlySpan<byte> secret, string scope, DateTimeOffset expiresAt)
    {
        if (secret.Length < MinSecretBytes)
        {
            throw new ArgumentException($"The stream token secret must be at least {MinSecretBytes} bytes.", nameof(secret));
        }

        ArgumentNullException.ThrowIfNull(scope);
        var expiry = expiresAt.ToUnixTimeSeconds();
        if (expiry <= 0 || expiry.ToString(CultureInfo.InvariantCulture).Length > MaxExpiryDigits)
        {
            throw new ArgumentOutOfRangeException(nameof(expiresAt), "Expiry must be after 1970 and before year 33658.");
        }

        var expiryText = expiry.ToString(CultureInfo.InvariantCulture);
        return expiryText + "." + Sign(secret, scope, expiryText);
    }

    /// <summary>Checks a token for <paramref name="scope"/> at time <paramref name="now"/>. Never throws on any token text.</summary>
    public static AuthResult Validate(ReadOnlySpan<byte> secret, string scope, string? token, DateTimeOffset now)
    {
        if (secret.Length < MinSecretBytes)
        {
            return AuthResult.NotConfigured("stream token secret missing or too short");
        }

        if (scope is null)
        {
            return AuthResult.NotConfigured("no scope to check the stream token against");
        }

        if (string.IsNullOrEmpty(token))
        {
            return AuthResult.Missing("no stream token");
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot > MaxExpiryDigits || token.Length != dot + 1 + SignatureChars)
        {
            return AuthResult.Malformed("stream token has the wrong shape");
        }

        var expiryText = token[..dot];
        var signature = token[(dot + 1)..];
        if (expiryText[0] == '0' || !expiryText.All(char.IsAsciiDigit) || !signature.All(IsBase64UrlChar))
        {
            return AuthResult.Malformed("stream token has invalid characters");
        }

        var expected = Sign(secret, scope, expiryText);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(signature), Encoding.ASCII.GetBytes(expected)))
        {
            return AuthResult.BadSignature("stream token signature does not match");
        }

        var expiry = long.Parse(expiryText, NumberStyles.None, CultureInfo.InvariantCulture);
        return now.ToUnixTimeSeconds() >= expiry
            ? AuthResult.Expired("stream token expired")
            : AuthResult.Ok("stream token valid");
    }

    /// <summary>"/ws/twilio/CA123" + token → "/ws/twilio/CA123/{token}".</summary>
    public static string AppendToPath(string scopePath, string token)
    {
        ArgumentNullException.ThrowIfNull(scopePath);
        ArgumentException.ThrowIfNullOrEmpty(token);
        return scopePath.TrimEnd('/') + "/" + token;
    }

    /// <summary>
    /// Splits a request path into the scope (everything before the last segment) and the token (the last segment):
    /// "/ws/twilio/CA123/{token}" → ("/ws/twilio/CA123", token). False when there is no non-empty last segment.
    /// </summary>
    public static bool TrySplitPath(string? requestPath, out string scopePath, out string token)
    {
        scopePath = "";
        token = "";
        if (string.IsNullOrEmpty(requestPath))
        {
            return false;
        }

        var slash = requestPath.LastIndexOf('/');
        if (slash < 0 || slash == requestPath.Length - 1)
        {
            return false;
        }

        scopePath = requestPath[..slash];
        token = requestPath[(slash + 1)..];
        return true;
    }

    private static string Sign(ReadOnlySpan<byte> secret, string scope, string expiryText)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(scope + "|" + expiryText), mac);
        return Base64Url.EncodeToString(mac);
    }

    private static bool IsBase64UrlChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}
