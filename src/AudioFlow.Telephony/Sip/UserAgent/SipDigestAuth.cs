using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using AudioFlow.Telephony.Sip.Messages;

namespace AudioFlow.Telephony.Sip.UserAgent;

/// <summary>
/// HTTP digest arithmetic as SIP uses it (RFC 2617, RFC 7616 for SHA-256, RFC 3261 §22.4): A1 = user:realm:password
/// (for -sess algorithms H(A1):nonce:cnonce), A2 = method:digest-uri, response = H(H(A1):nonce:nc:cnonce:qop:H(A2)) with
/// qop, H(H(A1):nonce:H(A2)) without. qop=auth-int is not supported.
/// </summary>
public static class SipDigestMath
{
    /// <summary>True for MD5, MD5-sess, SHA-256, SHA-256-sess (null means MD5).</summary>
    public static bool IsSupported(string? algorithm) =>
        algorithm is null || NormalizeAlgorithm(algorithm) is not null;

    public static string Response(
        string? algorithm, string username, string realm, string password, string method, string digestUri, string nonce,
        string? qop, string? nonceCount, string? clientNonce)
    {
        var normalized = NormalizeAlgorithm(algorithm) ?? throw new NotSupportedException($"digest algorithm {algorithm} is not supported");
        var sha = normalized.StartsWith("SHA-256", StringComparison.Ordinal);
        var ha1 = Hash(sha, $"{username}:{realm}:{password}");
        if (normalized.EndsWith("-sess", StringComparison.Ordinal))
        {
            ha1 = Hash(sha, $"{ha1}:{nonce}:{clientNonce}");
        }

        var ha2 = Hash(sha, $"{method}:{digestUri}");
        return string.IsNullOrEmpty(qop)
            ? Hash(sha, $"{ha1}:{nonce}:{ha2}")
            : Hash(sha, $"{ha1}:{nonce}:{nonceCount}:{clientNonce}:{qop}:{ha2}");
    }

    private static string? NormalizeAlgorithm(string? algorithm) => algorithm?.ToUpperInvariant() switch
    {
        null or "MD5" => "MD5",
        "MD5-SESS" => "MD5-sess",
        "SHA-256" => "SHA-256",
        "SHA-256-SESS" => "SHA-256-sess",
        _ => null,
    };

    private static string Hash(bool sha256, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return Convert.ToHexStringLower(sha256 ? SHA256.HashData(bytes) : MD5.HashData(bytes));
    }
}

/// <summary>The outcome of checking a request's credentials.</summary>
public enum SipAuthVerdict
{
    /// <summary>Valid credentials for our realm and user.</summary>
    Accepted,

    /// <summary>No credentials for our realm: challenge.</summary>
    Missing,

    /// <summary>Credentials for our realm with an expired nonce of ours: challenge again with stale=true.</summary>
    Stale,

    /// <summary>Wrong user, wrong password, a nonce we never issued, unsupported algorithm or qop: challenge again (and log).</summary>
    Rejected,
}

/// <summary>
/// Server side of digest authentication for inbound requests (the trunk authenticates to AudioFlow): challenges with
/// <c>WWW-Authenticate: Digest realm=..., nonce=..., algorithm=MD5, qop="auth"</c> (401) and verifies the
/// <c>Authorization</c> that comes back. Nonces are stateless (a timestamp and an HMAC of it under a per-process key)
/// and expire after <c>nonceLifetime</c>; nonce counts are not tracked, so a captured request can be replayed within
/// the nonce's lifetime (like many trunk-facing UAs; the IP allow-list is the first line of defence).
/// </summary>
public sealed class SipDigestAuthenticator
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);
    private readonly string _username;
    private readonly string _password;
    private readonly TimeProvider _time;
    private readonly TimeSpan _nonceLifetime;
    private readonly NonceCounts _used = new();

    public SipDigestAuthenticator(string realm, string username, string password, TimeProvider? time = null, TimeSpan? nonceLifetime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(realm);
        ArgumentException.ThrowIfNullOrEmpty(username);
        ArgumentNullException.ThrowIfNull(password);
        Realm = realm;
        _username = username;
        _password = password;
        _time = time ?? TimeProvider.System;
        _nonceLifetime = nonceLifetime ?? TimeSpan.FromMinutes(5);
    }

    public string Realm { get; }

    /// <summary>A fresh challenge for a WWW-Authenticate header.</summary>
    public SipDigestChallenge CreateChallenge(bool stale = false)
    {
        var challenge = new SipDigestChallenge();
        challenge.Parameters.Add("realm", Realm, quoted: true);
        challenge.Parameters.Add("nonce", NewNonce(), quoted: true);
        challenge.Parameters.Add("algorithm", "MD5");
        challenge.Parameters.Add("qop", "auth", quoted: true);
        if (stale)
        {
            challenge.Parameters.Add("stale", "true");
        }

        return challenge;
    }

    /// <summary>Checks the request's Authorization headers (the one for our realm); <paramref name="why"/> explains a rejection.</summary>
    public SipAuthVerdict Verify(SipRequest request, out string why)
    {
        ArgumentNullException.ThrowIfNull(request);
        var credentials = request.Authorization.FirstOrDefault(c => c.IsDigest && string.Equals(c.Realm, Realm, StringComparison.Ordinal));
        if (credentials is null)
        {
            why = "no credentials for realm " + Realm;
            return SipAuthVerdict.Missing;
        }

        if (credentials.Nonce is not { } nonce || !TryReadNonce(nonce, out var issued))
        {
            why = "a nonce this server did not issue";
            return SipAuthVerdict.Rejected;
        }

        if (_time.GetUtcNow() - issued > _nonceLifetime)
        {
            why = "expired nonce";
            return SipAuthVerdict.Stale;
        }

        if (!string.Equals(credentials.Username, _username, StringComparison.Ordinal))
        {
            why = $"unknown user '{credentials.Username}'";
            return SipAuthVerdict.Rejected;
        }

        if (!SipDigestMath.IsSupported(credentials.Algorithm) || credentials.Response is null || credentials.Uri is null)
        {
            why = $"unusable credentials (algorithm {credentials.Algorithm ?? "MD5"}, response or uri missing)";
            return SipAuthVerdict.Rejected;
        }

        var qop = credentials.Qop;
        if (qop is not null && (!string.Equals(qop, "auth", StringComparison.OrdinalIgnoreCase) || credentials.NonceCount is null || credentials.CNonce is null))
        {
            why = $"qop={qop} not supported (auth only, with nc and cnonce)";
            return SipAuthVerdict.Rejected;
        }

        var expected = SipDigestMath.Response(credentials.Algorithm, _username, Realm, _password, request.Method, credentials.Uri, nonce, qop,
            credentials.NonceCount, credentials.CNonce);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(credentials.Response.ToLowerInvariant())))
        {
            why = "wrong password (digest response does not match)";
            return SipAuthVerdict.Rejected;
        }

        // Replay protection (RFC 7616 §3.3, RFC 2617 §3.2.2): with qop, each nonce count may be used once.
        if (qop is not null && !_used.TryUse(nonce, credentials.NonceCount!, issued, _time.GetUtcNow() - _nonceLifetime))
        {
            why = $"replayed credentials (nonce count {credentials.NonceCount} already used with this nonce)";
            return SipAuthVerdict.Rejected;
        }

        why = "";
        return SipAuthVerdict.Accepted;
    }

    private string NewNonce()
    {
        Span<byte> raw = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(raw, _time.GetUtcNow().ToUnixTimeMilliseconds());
        HMACSHA256.HashData(_key, raw[..8])[..16].CopyTo(raw[8..]);
        return Convert.ToHexStringLower(raw);
    }

    private bool TryReadNonce(string nonce, out DateTimeOffset issued)
    {
        issued = default;
        if (nonce.Length != 48)
        {
            return false;
        }

        byte[] raw;
        try
        {
            raw = Convert.FromHexString(nonce);
        }
        catch (FormatException)
        {
            return false;
        }

        var mac = HMACSHA256.HashData(_key, raw.AsSpan(0, 8))[..16];
        if (!CryptographicOperations.FixedTimeEquals(mac, raw.AsSpan(8)))
        {
            return false;
        }

        issued = DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64BigEndian(raw));
        return true;
    }
}

/// <summary>
/// The nonce counts (nc) already accepted per nonce, so that a captured Authorization cannot be replayed while its
/// nonce lives. Counts may arrive out of order (parallel requests): each is accepted once. Bounded: a nonce keeps at
/// most <see cref="MaxCountsPerNonce"/> counts (beyond that only counts above the highest are taken), and nonces past
/// their lifetime are forgotten (they are refused as stale anyway).
/// </summary>
internal sealed class NonceCounts
{
    private const int MaxCountsPerNonce = 256;
    private readonly object _gate = new();
    private readonly Dictionary<string, (DateTimeOffset Issued, HashSet<ulong> Counts, ulong Highest)> _byNonce = new(StringComparer.Ordinal);

    /// <summary>True the first time <paramref name="nc"/> (8 hex digits) is used with <paramref name="nonce"/>.</summary>
    public bool TryUse(string nonce, string nc, DateTimeOffset issued, DateTimeOffset forgetIssuedBefore)
    {
        if (!ulong.TryParse(nc, System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture, out var count))
        {
            return false;
        }

        lock (_gate)
        {
            if (_byNonce.Count > 1000)
            {
                foreach (var old in _byNonce.Where(e => e.Value.Issued < forgetIssuedBefore).Select(e => e.Key).ToArray())
                {
                    _byNonce.Remove(old);
                }
            }

            if (!_byNonce.TryGetValue(nonce, out var entry))
            {
                entry = (issued, [], 0);
            }

            var full = entry.Counts.Count >= MaxCountsPerNonce;
            if (entry.Counts.Contains(count) || (full && count <= entry.Highest))
            {
                return false;
            }

            if (full)
            {
                entry.Counts.Clear();
            }

            entry.Counts.Add(count);
            _byNonce[nonce] = (entry.Issued, entry.Counts, Math.Max(entry.Highest, count));
            return true;
        }
    }
}

/// <summary>
/// Client side of digest authentication (AudioFlow registering to a trunk, or answering a challenge to its own
/// requests): builds the Authorization for a challenge. Counts nonce uses (nc) per nonce; picks qop=auth when offered.
/// </summary>
public sealed class SipDigestClient(string username, string password)
{
    private string? _nonce;
    private uint _count;

    public string Username { get; } = username;

    /// <summary>Credentials answering <paramref name="challenge"/> for <paramref name="method"/> on <paramref name="digestUri"/>, or null when it cannot be answered (not digest, unknown algorithm, auth-int only).</summary>
    public SipDigestCredentials? Answer(SipDigestChallenge challenge, string method, string digestUri)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        if (!challenge.IsDigest || challenge.Nonce is not { } nonce || challenge.Realm is not { } realm || !SipDigestMath.IsSupported(challenge.Algorithm))
        {
            return null;
        }

        var options = challenge.QopOptions;
        string? qop = null;
        if (options.Count > 0)
        {
            if (!options.Contains("auth", StringComparer.OrdinalIgnoreCase))
            {
                return null;
            }

            qop = "auth";
        }

        if (!string.Equals(_nonce, nonce, StringComparison.Ordinal))
        {
            _nonce = nonce;
            _count = 0;
        }

        var nc = (++_count).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
        var cnonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        var response = SipDigestMath.Response(challenge.Algorithm, Username, realm, password, method, digestUri, nonce, qop, nc, cnonce);
        var credentials = new SipDigestCredentials();
        credentials.Parameters.Add("username", Username, quoted: true);
        credentials.Parameters.Add("realm", realm, quoted: true);
        credentials.Parameters.Add("nonce", nonce, quoted: true);
        credentials.Parameters.Add("uri", digestUri, quoted: true);
        credentials.Parameters.Add("response", response, quoted: true);
        credentials.Parameters.Add("algorithm", challenge.Algorithm ?? "MD5");
        if (qop is not null)
        {
            credentials.Parameters.Add("qop", qop);
            credentials.Parameters.Add("nc", nc);
            credentials.Parameters.Add("cnonce", cnonce, quoted: true);
        }

        if (challenge.Opaque is { } opaque)
        {
            credentials.Parameters.Add("opaque", opaque, quoted: true);
        }

        return credentials;
    }
}
