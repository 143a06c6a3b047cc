using System.Globalization;
using System.Text;

namespace AudioFlow.Engines.Agents.Flow;

/// <summary>
/// Text helpers shared by the loader, the matcher and the session: normalisation of phrases and transcripts,
/// checks that a phrase can go into a recogniser grammar, and spoken-digit handling.
/// </summary>
public static class PhraseText
{
    private static readonly string[] DigitWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    private static readonly string[] Teens =
        ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"];

    private static readonly string[] Tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

    /// <summary>The spoken forms of single digits the recogniser listens for while a digit capture is active.</summary>
    public static IReadOnlyList<string> SpokenDigitWords { get; } =
        ["zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    /// <summary>
    /// Lower-cases, drops apostrophes inside words ("what's" → "whats"), turns every other character that is not a
    /// letter or a digit into a space and collapses whitespace. Used on both phrases and transcripts.
    /// </summary>
    public static string Normalize(string text) => string.Join(' ', Tokenize(text));

    /// <summary>The normalised tokens of <paramref name="text"/> (see <see cref="Normalize"/>).</summary>
    public static IReadOnlyList<string> Tokenize(string text)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var raw in text)
        {
            var c = char.ToLowerInvariant(raw);
            if (char.IsLetterOrDigit(c))
            {
                current.Append(c);
            }
            else if (c is '\'' or '\u2019' && current.Length > 0)
            {
                // Apostrophe inside or at the end of a word: dropped, the word continues.
            }
            else if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }

        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }

        return tokens;
    }

    /// <summary>
    /// The text as it goes into the recogniser's grammar: lower case, single spaces, apostrophes kept
    /// (the pronunciation dictionary spells "what's" with its apostrophe).
    /// </summary>
    public static string ToGrammarPhrase(string phrase) =>
        string.Join(' ', phrase.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();

    /// <summary>
    /// Checks that <paramref name="phrase"/> is plain spoken words (letters a–z, apostrophes inside words, spaces).
    /// Returns null when it is, otherwise a message explaining what to change.
    /// </summary>
    public static string? CheckSpeakable(string phrase)
    {
        if (string.IsNullOrWhiteSpace(phrase))
        {
            return "phrase is empty";
        }

        var problems = new List<string>();
        var digitRuns = new List<string>();
        var symbols = new SortedSet<char>();
        var nonAscii = new SortedSet<char>();
        var run = new StringBuilder();
        for (var i = 0; i < phrase.Length; i++)
        {
            var c = phrase[i];
            if (char.IsAsciiDigit(c))
            {
                run.Append(c);
                continue;
            }

            if (run.Length > 0)
            {
                digitRuns.Add(run.ToString());
                run.Clear();
            }

            if (char.IsAsciiLetter(c) || c == ' ')
            {
                continue;
            }

            if (c == '\'')
            {
                var inWord = i > 0 && char.IsAsciiLetter(phrase[i - 1]) && i + 1 < phrase.Length && char.IsAsciiLetter(phrase[i + 1]);
                if (!inWord)
                {
                    symbols.Add(c);
                }

                continue;
            }

            if (char.IsLetter(c))
            {
                nonAscii.Add(c);
            }
            else
            {
                symbols.Add(c);
            }
        }

        if (run.Length > 0)
        {
            digitRuns.Add(run.ToString());
        }

        if (digitRuns.Count > 0)
        {
            var suggestion = phrase;
            foreach (var digits in digitRuns.Distinct())
            {
                suggestion = suggestion.Replace(digits, SpellNumber(digits), StringComparison.Ordinal);
            }

            problems.Add($"contains digits ({string.Join(", ", digitRuns.Distinct().Select(d => $"'{d}'"))}); spell numbers out as words, e.g. '{suggestion}'");
        }

        foreach (var s in symbols)
        {
            problems.Add(s switch
            {
                '&' => "contains '&'; write 'and'",
                '%' => "contains '%'; write 'percent'",
                '@' => "contains '@'; write 'at'",
                '+' => "contains '+'; write 'plus'",
                '$' => "contains '$'; write 'dollars'",
                '#' => "contains '#'; write 'pound' or 'hash'",
                '-' => "contains '-'; use a space instead of the hyphen",
                '\'' => "contains an apostrophe that is not inside a word",
                '\t' or '\r' or '\n' => "contains a tab or line break; use single spaces",
                _ => $"contains '{s}', which cannot be spoken; use plain words without punctuation",
            });
        }

        if (nonAscii.Count > 0)
        {
            problems.Add($"contains '{string.Concat(nonAscii)}'; only the letters a to z can go into the recogniser grammar");
        }

        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>Spells a digit string as words: "24" → "twenty four", "007" → "zero zero seven", "2025" → "two thousand twenty five".</summary>
    public static string SpellNumber(string digits)
    {
        if (digits.Length == 0 || !digits.All(char.IsAsciiDigit))
        {
            return digits;
        }

        if ((digits.Length > 1 && digits[0] == '0') || digits.Length > 6)
        {
            return SpellDigits(digits);
        }

        var value = int.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        if (value == 0)
        {
            return "zero";
        }

        var words = new List<string>();
        if (value >= 1000)
        {
            words.Add(SpellBelowThousand(value / 1000));
            words.Add("thousand");
            value %= 1000;
        }

        if (value > 0)
        {
            words.Add(SpellBelowThousand(value));
        }

        return string.Join(' ', words);
    }

    /// <summary>Spells each digit as a word: "0451" → "zero four five one".</summary>
    public static string SpellDigits(string digits) =>
        string.Join(' ', digits.Where(char.IsAsciiDigit).Select(d => DigitWords[d - '0']));

    private static string SpellBelowThousand(int value)
    {
        var words = new List<string>();
        if (value >= 100)
        {
            words.Add(DigitWords[value / 100]);
            words.Add("hundred");
            value %= 100;
        }

        if (value >= 20)
        {
            words.Add(Tens[value / 10]);
            if (value % 10 != 0)
            {
                words.Add(DigitWords[value % 10]);
            }
        }
        else if (value >= 10)
        {
            words.Add(Teens[value - 10]);
        }
        else if (value > 0)
        {
            words.Add(DigitWords[value]);
        }

        return string.Join(' ', words);
    }

    /// <summary>
    /// Reads the digits a caller spoke: digit words ("one", "oh", "zero"), digit characters ("123 456" from a
    /// free-form recogniser) and "double"/"triple" ("double four" → "44"). Other words are ignored.
    /// Returns the digits and the tokens that were not digits (such as "my number is").
    /// </summary>
    public static (string Digits, IReadOnlyList<string> OtherWords) ExtractSpokenDigits(IReadOnlyList<string> tokens)
    {
        var digits = new StringBuilder();
        var other = new List<string>();
        var repeat = 1;
        foreach (var token in tokens)
        {
            if (token is "double")
            {
                repeat = 2;
                continue;
            }

            if (token is "triple")
            {
                repeat = 3;
                continue;
            }

            var digit = DigitOf(token);
            if (digit is not null)
            {
                digits.Append(digit.Value, repeat);
            }
            else if (token.All(char.IsAsciiDigit))
            {
                if (repeat > 1)
                {
                    digits.Append(token[0], repeat - 1);
                }

                digits.Append(token);
            }
            else
            {
                if (repeat > 1)
                {
                    other.Add(repeat == 2 ? "double" : "triple"); // not followed by a digit
                }

                other.Add(token);
            }

            repeat = 1;
        }

        return (digits.ToString(), other);
    }

    private static char? DigitOf(string token) => token switch
    {
        "zero" or "oh" or "o" => '0',
        "one" => '1',
        "two" => '2',
        "three" => '3',
        "four" => '4',
        "five" => '5',
        "six" => '6',
        "seven" => '7',
        "eight" => '8',
        "nine" => '9',
        _ => null,
    };
}
