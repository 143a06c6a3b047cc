using System.Collections;
using System.Text;

namespace AudioFlow.Telephony.Sip.Messages;

/// <summary>
/// One parameter: <c>name</c> or <c>name=value</c>. <see cref="Value"/> is null for a flag parameter (<c>;lr</c>,
/// <c>;rport</c>). Values are held unquoted and unescaped; <see cref="IsQuoted"/> remembers a quoted-string so it is
/// written back quoted.
/// </summary>
public sealed record SipParameter(string Name, string? Value, bool IsQuoted = false);

/// <summary>
/// An ordered parameter list with case-insensitive names, used for URI parameters and header parameters alike.
/// </summary>
public sealed class SipParameters : IReadOnlyList<SipParameter>
{
    private readonly List<SipParameter> _items = [];

    public int Count => _items.Count;

    public SipParameter this[int index] => _items[index];

    public IEnumerator<SipParameter> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value of the first parameter named <paramref name="name"/>; null when absent or a flag.</summary>
    public string? Get(string name)
    {
        var i = IndexOf(name);
        return i < 0 ? null : _items[i].Value;
    }

    /// <summary>True when the parameter is present; <paramref name="value"/> is null for a flag.</summary>
    public bool TryGet(string name, out string? value)
    {
        var i = IndexOf(name);
        value = i < 0 ? null : _items[i].Value;
        return i >= 0;
    }

    public void Add(string name, string? value = null, bool quoted = false) => _items.Add(new SipParameter(name, value, quoted));

    /// <summary>Replaces the first parameter of that name (keeping its position) or appends one.</summary>
    public void Set(string name, string? value = null, bool quoted = false)
    {
        var i = IndexOf(name);
        if (i < 0)
        {
            _items.Add(new SipParameter(name, value, quoted));
        }
        else
        {
            _items[i] = new SipParameter(_items[i].Name, value, quoted);
        }
    }

    /// <summary>Removes every parameter of that name; returns how many were removed.</summary>
    public int Remove(string name) => _items.RemoveAll(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));

    public void Clear() => _items.Clear();

    private int IndexOf(string name)
    {
        for (var i = 0; i < _items.Count; i++)
        {
            if (string.Equals(_items[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Header-parameter form: <c>;name=value</c>, quoted values re-quoted.</summary>
    internal void AppendHeaderParams(StringBuilder sb)
    {
        foreach (var p in _items)
        {
            sb.Append(';').Append(p.Name);
            if (p.Value is not null)
            {
                sb.Append('=');
                if (p.IsQuoted)
                {
                    SipText.AppendQuoted(sb, p.Value);
                }
                else
                {
                    sb.Append(p.Value);
                }
            }
        }
    }

    /// <summary>
    /// Parses <c>*( SWS ";" SWS generic-param )</c> starting at <paramref name="i"/> up to the end of
    /// <paramref name="s"/>. generic-param = token [ EQUAL ( token / host / quoted-string ) ]. Strict: empty
    /// parameters (<c>;;</c>), empty values and trailing garbage fail; lenient skips what it cannot read.
    /// </summary>
    internal static bool TryParseHeaderParams(string s, ref int i, SipParameters into, bool lenient = false)
    {
        while (true)
        {
            i = SipText.SkipWs(s, i);
            if (i >= s.Length)
            {
                return true;
            }

            if (s[i] != ';')
            {
                return lenient;
            }

            i = SipText.SkipWs(s, i + 1);
            var name = SipText.ReadToken(s, ref i);
            if (name.IsEmpty)
            {
                if (lenient)
                {
                    continue;
                }

                return false;
            }

            var nameText = name.ToString();
            var j = SipText.SkipWs(s, i);
            if (j < s.Length && s[j] == '=')
            {
                j = SipText.SkipWs(s, j + 1);
                if (j < s.Length && s[j] == '"')
                {
                    if (!SipText.TryReadQuoted(s, ref j, out var quoted))
                    {
                        return lenient;
                    }

                    into.Add(nameText, quoted, quoted: true);
                    i = j;
                    continue;
                }

                var start = j;
                while (j < s.Length && (SipText.IsTokenChar(s[j]) || s[j] is ':' or '[' or ']'))
                {
                    j++;
                }

                if (j == start)
                {
                    if (lenient)
                    {
                        i = j;
                        continue;
                    }

                    return false;
                }

                into.Add(nameText, s[start..j]);
                i = j;
            }
            else
            {
                into.Add(nameText);
            }
        }
    }
}
