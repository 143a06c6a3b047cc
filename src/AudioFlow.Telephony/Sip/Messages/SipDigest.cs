using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>
/// Common shape of WWW-Authenticate / Proxy-Authenticate / Authorization / Proxy-Authorization values:
/// <c>scheme auth-param *("," auth-param)</c> (RFC 3261 §25.1, RFC 7616). Unknown schemes parse too (RFC 4475
/// regaut01); a scheme followed by a single blob without "=" keeps it in <see cref="Token68"/>.
/// </summary>
public abstract class SipAuthHeader
{
    protected SipAuthHeader(string scheme)
    {
        Scheme = scheme;
    }

    public string Scheme { get; }

    public bool IsDigest => string.Equals(Scheme, "Digest", StringComparison.OrdinalIgnoreCase);

    /// <summary>auth-params in order; quoted values are held unquoted with <see cref="SipParameter.IsQuoted"/> set.</summary>
    public SipParameters Parameters { get; } = new();

    public string? Token68 { get; private set; }

    public string? Realm => Parameters.Get("realm");

    public string? Nonce => Parameters.Get("nonce");

    public string? Opaque => Parameters.Get("opaque");

    public string? Algorithm => Parameters.Get("algorithm");

    private protected static bool TryParseCore(string? text, Func<string, SipAuthHeader> create, [NotNullWhen(true)] out SipAuthHeader? header)
    {
        header = null;
        if (text is null)
        {
            return false;
        }

        var i = SipText.SkipWs(text, 0);
        var scheme = SipText.ReadToken(text, ref i);
        if (scheme.IsEmpty)
        {
            return false;
        }

        var result = create(scheme.ToString());
        var afterScheme = i;
        i = SipText.SkipWs(text, i);
        if (i >= text.Length)
        {
            header = result;
            return true;
        }

        if (i == afterScheme)
        {
            return false;
        }

        // token68 (e.g. Negotiate/NTLM blobs): a single run with no "=" except as trailing padding.
        var rest = text.AsSpan(i).TrimEnd(" \t");
        var eq = rest.IndexOf('=');
        if (rest.IndexOfAny(", \t\"") < 0 && (eq < 0 || rest[eq..].TrimStart('=').IsEmpty))
        {
            result.Token68 = rest.ToString();
            header = result;
            return true;
        }

        while (true)
        {
            i = SipText.SkipWs(text, i);
            var name = SipText.ReadToken(text, ref i);
            i = SipText.SkipWs(text, i);
            if (name.IsEmpty || i >= text.Length || text[i] != '=')
            {
                return false;
            }

            i = SipText.SkipWs(text, i + 1);
            if (i < text.Length && text[i] == '"')
            {
                if (!SipText.TryReadQuoted(text, ref i, out var quoted))
                {
                    return false;
                }

                result.Parameters.Add(name.ToString(), quoted, quoted: true);
            }
            else
            {
                var value = SipText.ReadToken(text, ref i);
                if (value.IsEmpty)
                {
                    return false;
                }

                result.Parameters.Add(name.ToString(), value.ToString());
            }

            i = SipText.SkipWs(text, i);
            if (i >= text.Length)
            {
                header = result;
                return true;
            }

            if (text[i] != ',')
            {
                return false;
            }

            i++;
        }
    }

    public override string ToString()
    {
        var sb = new StringBuilder(Scheme);
        if (Token68 is not null)
        {
            return sb.Append(' ').Append(Token68).ToString();
        }

        for (var k = 0; k < Parameters.Count; k++)
        {
            var p = Parameters[k];
            sb.Append(k == 0 ? " " : ", ").Append(p.Name).Append('=');
            if (p.IsQuoted)
            {
                SipText.AppendQuoted(sb, p.Value ?? "");
            }
            else
            {
                sb.Append(p.Value);
            }
        }

        return sb.ToString();
    }
}

/// <summary>A challenge from WWW-Authenticate or Proxy-Authenticate.</summary>
public sealed class SipDigestChallenge : SipAuthHeader
{
    public SipDigestChallenge(string scheme = "Digest")
        : base(scheme)
    {
    }

    public string? Domain => Parameters.Get("domain");

    /// <summary>The raw qop-options value, e.g. "auth,auth-int".</summary>
    public string? Qop => Parameters.Get("qop");

    public IReadOnlyList<string> QopOptions =>
        Qop is { } q ? q.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];

    public bool Stale => string.Equals(Parameters.Get("stale"), "true", StringComparison.OrdinalIgnoreCase);

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out SipDigestChallenge? challenge)
    {
        var ok = TryParseCore(text, s => new SipDigestChallenge(s), out var header);
        challenge = ok ? (SipDigestChallenge)header! : null;
        return ok;
    }
}

/// <summary>Credentials from Authorization or Proxy-Authorization.</summary>
public sealed class SipDigestCredentials : SipAuthHeader
{
    public SipDigestCredentials(string scheme = "Digest")
        : base(scheme)
    {
    }

    public string? Username => Parameters.Get("username");

    public string? Uri => Parameters.Get("uri");

    public string? Response => Parameters.Get("response");

    public string? CNonce => Parameters.Get("cnonce");

    /// <summary>nonce-count, 8 hex digits.</summary>
    public string? NonceCount => Parameters.Get("nc");

    public string? Qop => Parameters.Get("qop");

    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out SipDigestCredentials? credentials)
    {
        var ok = TryParseCore(text, s => new SipDigestCredentials(s), out var header);
        credentials = ok ? (SipDigestCredentials)header! : null;
        return ok;
    }
}
