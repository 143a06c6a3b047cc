using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>
/// A name-addr or addr-spec with header parameters: the value of From, To, Contact, Route, Record-Route,
/// Refer-To, Referred-By... (<c>"Alice" &lt;sip:alice@example.com&gt;;tag=1928301774</c>).
/// </summary>
public sealed class SipNameAddr
{
    public SipNameAddr(SipUri uri, string? displayName = null)
    {
        Uri = uri;
        DisplayName = displayName;
    }

    private SipNameAddr()
    {
        Uri = null!;
        IsWildcard = true;
    }

    /// <summary>A new Contact wildcard <c>*</c> (REGISTER removal of all bindings).</summary>
    public static SipNameAddr Wildcard => new();

    /// <summary>Display name, unquoted with quoted-pairs resolved; null when absent.</summary>
    public string? DisplayName { get; set; }

    /// <summary>The URI; null only for <see cref="Wildcard"/>.</summary>
    public SipUri Uri { get; set; }

    /// <summary>Header parameters (tag, expires, q, unknown ones...), in order.</summary>
    public SipParameters Parameters { get; } = new();

    public bool IsWildcard { get; }

    public string? Tag
    {
        get => Parameters.Get("tag");
        set
        {
            if (value is null)
            {
                Parameters.Remove("tag");
            }
            else
            {
                Parameters.Set("tag", value);
            }
        }
    }

    /// <summary>Contact <c>expires</c> parameter; null when absent or out of the 32-bit range (RFC 4475 scalar02).</summary>
    public uint? Expires =>
        SipText.TryParseDigits(Parameters.Get("expires"), out var v) && v <= uint.MaxValue ? (uint)v : null;

    /// <summary>Contact <c>q</c> parameter (0 to 1); null when absent or malformed.</summary>
    public double? Q =>
        double.TryParse(Parameters.Get("q"), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q)
        && q is >= 0 and <= 1 ? q : null;

    public static SipNameAddr Parse(string text) =>
        TryParse(text, out var value) ? value : throw new FormatException($"Invalid name-addr: '{text}'");

    /// <summary>Parses one value (already split from a comma-separated list).</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, [NotNullWhen(true)] out SipNameAddr? value)
    {
        value = null;
        if (text is null)
        {
            return false;
        }

        var s = text;
        var i = SipText.SkipWs(s, 0);
        if (i >= s.Length)
        {
            return false;
        }

        if (s[i] == '*' && s.AsSpan(i + 1).Trim(" \t").IsEmpty)
        {
            value = Wildcard;
            return true;
        }

        string? display = null;
        SipUri? uri;
        var lt = -1;
        if (s[i] == '"')
        {
            if (!SipText.TryReadQuoted(s, ref i, out var quoted))
            {
                return false;
            }

            display = quoted;
            i = SipText.SkipWs(s, i);
            if (i >= s.Length || s[i] != '<')
            {
                return false;
            }

            lt = i;
        }
        else
        {
            var candidate = s.IndexOf('<', i);
            if (candidate >= 0 && IsUnquotedDisplayName(s.AsSpan(i, candidate - i)))
            {
                var name = s.AsSpan(i, candidate - i).Trim(" \t");
                display = name.IsEmpty ? null : name.ToString();
                lt = candidate;
            }
        }

        if (lt >= 0)
        {
            var gt = s.IndexOf('>', lt + 1);
            if (gt < 0)
            {
                return false;
            }

            // No LWS inside the brackets (RFC 4475 badaspec).
            if (!SipUri.TryParse(s.Substring(lt + 1, gt - lt - 1), out uri))
            {
                return false;
            }

            i = gt + 1;
        }
        else
        {
            // addr-spec: the URI ends at the first ';' (what follows are header parameters). A URI with '?' or ','
            // would have to be in <> (RFC 3261 §20; RFC 4475 regbadct).
            var end = s.IndexOf(';', i);
            if (end < 0)
            {
                end = s.Length;
            }

            var uriText = s.AsSpan(i, end - i).TrimEnd(" \t");
            if (uriText.IndexOfAny('?', ',') >= 0 || uriText.IndexOfAny('<', '>', '"') >= 0
                || !SipUri.TryParse(uriText.ToString(), out uri))
            {
                return false;
            }

            i = end;
        }

        var result = new SipNameAddr(uri, display);
        if (!SipParameters.TryParseHeaderParams(s, ref i, result.Parameters))
        {
            return false;
        }

        value = result;
        return true;
    }

    /// <summary>
    /// display-name = *(token LWS) / quoted-string. Unquoted names are tokens separated by whitespace; non-ASCII
    /// (UTF-8) characters are tolerated, separators such as ',' or '"' are not (RFC 4475 baddn).
    /// </summary>
    private static bool IsUnquotedDisplayName(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!SipText.IsTokenChar(c) && !SipText.IsWsp(c) && c < '\u0080')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Always the name-addr form: <c>"Display" &lt;uri&gt;;params</c>.</summary>
    public override string ToString()
    {
        if (IsWildcard)
        {
            return "*";
        }

        var sb = new StringBuilder(64);
        if (!string.IsNullOrEmpty(DisplayName))
        {
            SipText.AppendQuoted(sb, DisplayName);
            sb.Append(' ');
        }

        sb.Append('<').Append(Uri.ToString()).Append('>');
        Parameters.AppendHeaderParams(sb);
        return sb.ToString();
    }
}
