using System.Text;

namespace AudioFlow.Engines.Tts.Flite;

/// <summary>
/// Flite's US English front end reads bytes as ASCII: this folds text to printable ASCII before it is
/// handed over — typographic quotes, dashes and ellipses become their ASCII forms, Latin letters lose
/// their diacritics ("café" → "cafe"), anything else (emoji, other scripts, control characters) becomes
/// a space.
/// </summary>
internal static class FliteText
{
    // Base letters for U+00C0..U+017F; '#' marks the few that need two letters (see Expand), ' ' drops.
    private const string LatinBase =
        "AAAAAA#CEEEEIIIIDNOOOOO OUUUUY##aaaaaa#ceeeeiiiidnooooo ouuuuy#y" +
        "AaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIi##JjKkkLlLlLlLlLl" +
        "NnNnNnnNnOoOoOo##RrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";

    public static string ToAscii(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is >= ' ' and < '\x7f')
            {
                builder.Append(c);
            }
            else if (c is >= '\u00C0' and <= '\u017F')
            {
                char letter = LatinBase[c - '\u00C0'];
                if (letter == '#')
                {
                    builder.Append(Expand(c));
                }
                else
                {
                    builder.Append(letter);
                }
            }
            else
            {
                builder.Append(c switch
                {
                    '\u2018' or '\u2019' or '\u201A' or '\u201B' or '\u2032' or '\u00B4' => "'",
                    '\u201C' or '\u201D' or '\u201E' or '\u201F' or '\u2033' or '\u00AB' or '\u00BB' => "\"",
                    '\u2010' or '\u2011' or '\u2012' or '\u2212' => "-",
                    '\u2013' or '\u2014' or '\u2015' => " - ",
                    '\u2026' => "...",
                    '\u00A1' => "!",
                    '\u00BF' => "?",
                    _ => " ",
                });
            }
        }

        return TtsText.CleanControlCharacters(builder.ToString());
    }

    private static string Expand(char c) => c switch
    {
        '\u00C6' => "AE",
        '\u00E6' => "ae",
        '\u00DE' => "Th",
        '\u00FE' => "th",
        '\u00DF' => "ss",
        '\u0132' => "IJ",
        '\u0133' => "ij",
        '\u0152' => "OE",
        '\u0153' => "oe",
        _ => " ",
    };
}
