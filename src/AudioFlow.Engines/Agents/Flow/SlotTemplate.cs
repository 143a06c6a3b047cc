using System.Text;

namespace AudioFlow.Engines.Agents.Flow;

/// <summary>
/// Slot references in spoken texts: <c>{slot}</c> is replaced by the slot's value, <c>{slot:digits}</c> by the
/// value spoken digit by digit ("123" → "one two three"); <c>{{</c> and <c>}}</c> are literal braces.
/// </summary>
public static class SlotTemplate
{
    /// <summary>Formats accepted after the colon.</summary>
    public static IReadOnlyList<string> Formats { get; } = ["digits"];

    /// <summary>The slot references in <paramref name="template"/>, or a syntax error message.</summary>
    public static (IReadOnlyList<(string Slot, string? Format)> References, string? Error) Parse(string template)
    {
        var refs = new List<(string, string?)>();
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if (c == '{' && i + 1 < template.Length && template[i + 1] == '{')
            {
                i += 2;
                continue;
            }

            if (c == '}' && i + 1 < template.Length && template[i + 1] == '}')
            {
                i += 2;
                continue;
            }

            if (c == '}')
            {
                return (refs, "'}' without a matching '{' (write '}}' for a literal brace)");
            }

            if (c == '{')
            {
                var close = template.IndexOf('}', i + 1);
                if (close < 0)
                {
                    return (refs, "'{' is not closed (write '{{' for a literal brace)");
                }

                var inner = template[(i + 1)..close];
                var colon = inner.IndexOf(':');
                var slot = (colon < 0 ? inner : inner[..colon]).Trim();
                var format = colon < 0 ? null : inner[(colon + 1)..].Trim();
                if (!IsSlotName(slot))
                {
                    return (refs, $"'{{{inner}}}' is not a slot reference (slot names are letters, digits and '_')");
                }

                refs.Add((slot, format));
                i = close + 1;
                continue;
            }

            i++;
        }

        return (refs, null);
    }

    /// <summary>Replaces slot references by their values; unknown slots become empty text.</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> slots)
    {
        if (template.IndexOf('{') < 0 && template.IndexOf('}') < 0)
        {
            return template;
        }

        var text = new StringBuilder(template.Length + 16);
        var i = 0;
        while (i < template.Length)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                text.Append(c);
                i += 2;
                continue;
            }

            if (c == '{')
            {
                var close = template.IndexOf('}', i + 1);
                if (close > i)
                {
                    var inner = template[(i + 1)..close];
                    var colon = inner.IndexOf(':');
                    var slot = (colon < 0 ? inner : inner[..colon]).Trim();
                    var format = colon < 0 ? null : inner[(colon + 1)..].Trim();
                    var value = slots.TryGetValue(slot, out var v) ? v : string.Empty;
                    text.Append(format == "digits" ? PhraseText.SpellDigits(value) : value);
                    i = close + 1;
                    continue;
                }
            }

            text.Append(c);
            i++;
        }

        return text.ToString();
    }

    public static bool IsSlotName(string name) =>
        name.Length > 0 && (char.IsAsciiLetter(name[0]) || name[0] == '_') && name.All(ch => char.IsAsciiLetterOrDigit(ch) || ch == '_');
}
