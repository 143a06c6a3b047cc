using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace AudioFlow.Telephony.Providers.Auth;

/// <summary>Shared pieces of the provider signature schemes: HMAC over UTF-8 text, header matching, URL splitting.</summary>
internal static class SignatureMath
{
    /// <summary>Longest signature header we look at; real ones are a few base64 signatures (&lt; 200 chars).</summary>
    internal const int MaxHeaderLength = 4096;

    internal static byte[] HmacSha1(string key, string message) =>
        HMACSHA1.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message));

    internal static byte[] HmacSha256(string key, string message) =>
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(message));

    /// <summary>
    /// Checks a header carrying one or more comma-separated base64 signatures against the expected digest(s), in
    /// constant time per comparison. Never throws.
    /// </summary>
    internal static AuthResult MatchBase64Header(string? header, string headerName, params byte[][] expectedDigests)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            return AuthResult.Missing($"no {headerName} header");
        }

        if (header.Length > MaxHeaderLength)
        {
            return AuthResult.Malformed($"{headerName} header too long");
        }

        Span<byte> decoded = stackalloc byte[64];
        var anyDecoded = false;
        var matched = false;
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            // A SHA-1/SHA-256 digest is 28/44 base64 chars; anything much longer cannot match and is not decoded.
            if (part.Length > 88 || !Convert.TryFromBase64String(part, decoded, out var written))
            {
                continue;
            }

            anyDecoded = true;
            foreach (var expected in expectedDigests)
            {
                // FixedTimeEquals is constant-time for equal lengths; differing lengths are not secret (digest size).
                matched |= written == expected.Length
                           && CryptographicOperations.FixedTimeEquals(decoded[..written], expected);
            }
        }

        if (!anyDecoded)
        {
            return AuthResult.Malformed($"{headerName} is not base64");
        }

        return matched
            ? AuthResult.Ok($"{headerName} matches")
            : AuthResult.BadSignature($"{headerName} does not match");
    }

    /// <summary>Splits "scheme://authority/path?query#fragment" into the part before '?' and the query (fragment dropped).</summary>
    internal static (string BaseUrl, string Query) SplitUrl(string url)
    {
        var hash = url.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            url = url[..hash];
        }

        var question = url.IndexOf('?', StringComparison.Ordinal);
        return question < 0 ? (url, "") : (url[..question], url[(question + 1)..]);
    }

    /// <summary>Parses an application/x-www-form-urlencoded string ('+' is a space, %XX is UTF-8); blank values kept.</summary>
    internal static List<KeyValuePair<string, string>> ParseForm(string query)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = eq < 0 ? part : part[..eq];
            var value = eq < 0 ? "" : part[(eq + 1)..];
            pairs.Add(new(WebUtility.UrlDecode(key), WebUtility.UrlDecode(value)));
        }

        return pairs;
    }

    /// <summary>Keys sorted ordinally (Unix-style, case-sensitive); values of a repeated key sorted too. Nulls read as "".</summary>
    internal static List<KeyValuePair<string, string>> SortParameters(IEnumerable<KeyValuePair<string, string>>? parameters)
    {
        var list = new List<KeyValuePair<string, string>>();
        if (parameters is not null)
        {
            foreach (var p in parameters)
            {
                list.Add(new(p.Key ?? "", p.Value ?? ""));
            }
        }

        list.Sort(static (a, b) =>
        {
            var byKey = string.CompareOrdinal(a.Key, b.Key);
            return byKey != 0 ? byKey : string.CompareOrdinal(a.Value, b.Value);
        });
        return list;
    }

    /// <summary>
    /// The same URL with the scheme's default port made explicit, or removed when it is explicit
    /// ("https://h/p" ⇄ "https://h:443/p"); null when the URL has another port or an unknown scheme.
    /// </summary>
    internal static string? DefaultPortVariant(string url)
    {
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0)
        {
            return null;
        }

        var defaultPort = url[..schemeEnd].ToLowerInvariant() switch
        {
            "https" or "wss" => "443",
            "http" or "ws" => "80",
            _ => null,
        };
        if (defaultPort is null)
        {
            return null;
        }

        var authorityStart = schemeEnd + 3;
        var authorityEnd = url.IndexOfAny(['/', '?', '#'], authorityStart);
        if (authorityEnd < 0)
        {
            authorityEnd = url.Length;
        }

        var authority = url[authorityStart..authorityEnd];
        var colon = authority.LastIndexOf(':');
        var hasPort = colon >= 0 && colon > authority.LastIndexOf(']');
        if (!hasPort)
        {
            return url[..authorityEnd] + ":" + defaultPort + url[authorityEnd..];
        }

        return authority[(colon + 1)..] == defaultPort
            ? url[..(authorityStart + colon)] + url[authorityEnd..]
            : null;
    }
}
