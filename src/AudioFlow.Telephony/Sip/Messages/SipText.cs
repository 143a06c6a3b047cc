using System.Text;

namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>
/// Character classes and small lexical helpers of the RFC 3261 grammar (§25.1). Table driven, no regex:
/// this sits on the path of every OPTIONS ping and call setup.
/// </summary>
internal static class SipText
{
    [Flags]
    internal enum CharClass : ushort
    {
        None = 0,
        /// <summary>token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")</summary>
        Token = 1,
        /// <summary>word: token characters plus ( ) &lt; &gt; : \ " / [ ] ? { }</summary>
        Word = 2,
        /// <summary>unreserved = alphanum / mark</summary>
        Unreserved = 4,
        /// <summary>characters allowed unescaped in a SIP URI user part</summary>
        User = 8,
        /// <summary>characters allowed unescaped in a SIP URI password</summary>
        Password = 16,
        /// <summary>characters allowed unescaped in a SIP URI parameter name or value</summary>
        Param = 32,
        /// <summary>characters allowed unescaped in a SIP URI header name or value</summary>
        UriHeader = 64,
        /// <summary>hostname characters (alphanum, "-", "." and, leniently, "_")</summary>
        Host = 128,
    }

    private static readonly CharClass[] Classes = BuildClasses();

    private static CharClass[] BuildClasses()
    {
        var t = new CharClass[128];
        for (var c = 'a'; c <= 'z'; c++)
        {
            t[c] = CharClass.Token | CharClass.Word | CharClass.Unreserved | CharClass.User | CharClass.Password
                | CharClass.Param | CharClass.UriHeader | CharClass.Host;
            t[char.ToUpperInvariant(c)] = t[c];
        }

        for (var c = '0'; c <= '9'; c++)
        {
            t[c] = t['a'];
        }

        Add("-.!%*_+`'~", CharClass.Token | CharClass.Word);
        Add("()<>:\\\"/[]?{}", CharClass.Word);
        Add("-_.!~*'()", CharClass.Unreserved | CharClass.User | CharClass.Password | CharClass.Param | CharClass.UriHeader);
        Add("&=+$,;?/", CharClass.User);
        Add("&=+$,", CharClass.Password);
        Add("[]/:&+$", CharClass.Param);
        Add("[]/?:+$", CharClass.UriHeader);
        Add("-._", CharClass.Host);
        return t;

        void Add(string chars, CharClass cls)
        {
            foreach (var ch in chars)
            {
                t[ch] |= cls;
            }
        }
    }

    public static bool Is(char c, CharClass cls) => c < 128 && (Classes[c] & cls) != 0;

    public static bool IsTokenChar(char c) => Is(c, CharClass.Token);

    public static bool IsWsp(char c) => c == ' ' || c == '\t';

    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    public static int SkipWs(string s, int i)
    {
        while (i < s.Length && IsWsp(s[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>Reads a token starting at <paramref name="i"/>; returns an empty span when there is none.</summary>
    public static ReadOnlySpan<char> ReadToken(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && IsTokenChar(s[i]))
        {
            i++;
        }

        return s.AsSpan(start, i - start);
    }

    public static bool ContainsWhitespaceOrControl(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (c <= ' ' || c == '\u007f')
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Reads a quoted-string whose opening quote is at <paramref name="i"/>. On success <paramref name="i"/> is just after
    /// the closing quote and <paramref name="value"/> holds the content with quoted-pairs resolved.
    /// </summary>
    public static bool TryReadQuoted(string s, ref int i, out string value)
    {
        value = "";
        if (i >= s.Length || s[i] != '"')
        {
            return false;
        }

        StringBuilder? sb = null;
        var runStart = i + 1;
        for (var j = i + 1; j < s.Length; j++)
        {
            var c = s[j];
            if (c == '"')
            {
                if (sb is null)
                {
                    value = s.Substring(runStart, j - runStart);
                }
                else
                {
                    sb.Append(s, runStart, j - runStart);
                    value = sb.ToString();
                }

                i = j + 1;
                return true;
            }

            if (c == '\\')
            {
                if (j + 1 >= s.Length)
                {
                    return false;
                }

                sb ??= new StringBuilder(s.Length);
                sb.Append(s, runStart, j - runStart);
                sb.Append(s[j + 1]);
                j++;
                runStart = j + 1;
            }
        }

        return false;
    }

    /// <summary>Writes <paramref name="value"/> as a quoted-string; CR and LF (not representable) become spaces.</summary>
    public static void AppendQuoted(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                case '\\':
                    sb.Append('\\').Append(c);
                    break;
                case '\r':
                case '\n':
                    sb.Append(' ');
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }

        sb.Append('"');
    }

    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        AppendQuoted(sb, value);
        return sb.ToString();
    }

    /// <summary>
    /// Checks that every character of <paramref name="s"/> is in <paramref name="allowed"/> or part of a valid
    /// %HH escape, and returns the unescaped text (escaped octets decoded as UTF-8).
    /// </summary>
    public static bool TryUnescape(ReadOnlySpan<char> s, CharClass allowed, out string result)
    {
        result = "";
        var hasEscape = false;
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '%')
            {
                if (i + 2 >= s.Length || !IsHex(s[i + 1]) || !IsHex(s[i + 2]))
                {
                    return false;
                }

                hasEscape = true;
                i += 2;
            }
            else if (!Is(c, allowed))
            {
                return false;
            }
        }

        if (!hasEscape)
        {
            result = s.ToString();
            return true;
        }

        var bytes = new byte[s.Length];
        var n = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '%')
            {
                bytes[n++] = (byte)((HexValue(s[i + 1]) << 4) | HexValue(s[i + 2]));
                i += 2;
            }
            else
            {
                bytes[n++] = (byte)s[i];
            }
        }

        result = Encoding.UTF8.GetString(bytes, 0, n);
        return true;
    }

    /// <summary>Appends <paramref name="value"/>, %-escaping every octet of its UTF-8 form not in <paramref name="allowed"/>.</summary>
    public static void AppendEscaped(StringBuilder sb, string value, CharClass allowed)
    {
        var plain = true;
        foreach (var c in value)
        {
            if (!Is(c, allowed))
            {
                plain = false;
                break;
            }
        }

        if (plain)
        {
            sb.Append(value);
            return;
        }

        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b < 128 && Is((char)b, allowed))
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(HexDigits[b >> 4]).Append(HexDigits[b & 15]);
            }
        }
    }

    private const string HexDigits = "0123456789ABCDEF";

    public static bool IsHex(char c) => c is >= '0' and <= '9' or >= 'a' and <= 'f' or >= 'A' and <= 'F';

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Parses 1*DIGIT into an unsigned 64-bit value; false on anything else or on overflow.</summary>
    public static bool TryParseDigits(ReadOnlySpan<char> s, out ulong value)
    {
        value = 0;
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            var d = (ulong)(c - '0');
            if (value > (ulong.MaxValue - d) / 10)
            {
                return false;
            }

            value = value * 10 + d;
        }

        return true;
    }

    /// <summary>
    /// Splits a comma-separated header value into its elements, ignoring commas inside quoted strings and angle
    /// brackets. Elements are trimmed; empty elements are kept (a caller validating syntax needs to see them).
    /// </summary>
    public static List<string> SplitList(string value)
    {
        var items = new List<string>(2);
        var start = 0;
        var inQuotes = false;
        var inAngle = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (inQuotes)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
            }
            else if (c == '"')
            {
                inQuotes = true;
            }
            else if (inAngle)
            {
                if (c == '>')
                {
                    inAngle = false;
                }
            }
            else if (c == '<')
            {
                inAngle = true;
            }
            else if (c == ',')
            {
                items.Add(value[start..i].Trim(' ', '\t'));
                start = i + 1;
            }
        }

        items.Add(value[start..].Trim(' ', '\t'));
        return items;
    }
}
