using System.Security.Cryptography;
using System.Text;

namespace AudioFlow.Engines.Stt.Sphinx;

/// <summary>
/// A JSGF grammar built from the phrases a dialogue state expects: one public rule whose alternatives are
/// the normalised phrases. Normalisation: lower case, punctuation removed (apostrophes inside words kept:
/// "don't" is a dictionary word), hyphens and other separators become spaces, and words missing from the
/// pronunciation dictionary are dropped and reported (<see cref="UnknownWords"/>), since pocketsphinx
/// cannot recognise a word it cannot pronounce. A phrase left without words is dropped
/// (<see cref="DroppedPhrases"/>).
/// <para>
/// No garbage words: pocketsphinx's FSG search already allows silence and noise fillers between words
/// (<c>-fsgusefiller</c>). A garbage word loop inside the grammar would compete with the short phrases ("no",
/// "yes") and is a poor model of arbitrary speech; out-of-grammar speech is instead rejected by comparing the
/// grammar path's acoustic score against an unconstrained phone loop (see <see cref="SphinxRecognizer"/>).
/// Two small, closed extensions make natural answers fit: optional politeness words around a phrase
/// ("opening hours please", "I'd like support"; <see cref="LeadWords"/>, <see cref="TailWords"/>),
/// stripped again by <see cref="MapToPhrase"/>; and, when the phrases contain all ten digit words (a state
/// capturing a number), any sequence of digit words ("four oh seven one"), returned as spoken.
/// </para>
/// </summary>
internal sealed class SphinxGrammar
{
    /// <summary>Optional words a caller puts before a phrase.</summary>
    public static readonly IReadOnlyList<string> LeadWords = ["please", "i want", "i'd like", "i would like", "i need", "can i", "could i"];

    /// <summary>Optional words a caller puts after a phrase.</summary>
    public static readonly IReadOnlyList<string> TailWords = ["please", "thanks", "thank you"];

    private static readonly HashSet<string> DigitWords = ["zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    private readonly Dictionary<string, string> _originalByNormalized;

    private SphinxGrammar(
        string searchName,
        string jsgf,
        Dictionary<string, string> originalByNormalized,
        IReadOnlyList<string> unknownWords,
        IReadOnlyList<string> droppedPhrases)
    {
        SearchName = searchName;
        Jsgf = jsgf;
        _originalByNormalized = originalByNormalized;
        UnknownWords = unknownWords;
        DroppedPhrases = droppedPhrases;
    }

    /// <summary>Name of the pocketsphinx search (stable for the same set of normalised phrases).</summary>
    public string SearchName { get; }

    /// <summary>The JSGF text given to <c>ps_set_jsgf_string</c>.</summary>
    public string Jsgf { get; }

    /// <summary>The normalised phrases the grammar accepts.</summary>
    public IReadOnlyCollection<string> Phrases => _originalByNormalized.Keys;

    /// <summary>Words removed because the dictionary has no pronunciation for them.</summary>
    public IReadOnlyList<string> UnknownWords { get; }

    /// <summary>Expected phrases that could not be used at all (no known word left).</summary>
    public IReadOnlyList<string> DroppedPhrases { get; }

    /// <summary>A one-line description of what normalisation removed ("" when nothing).</summary>
    public string Problems
    {
        get
        {
            if (UnknownWords.Count == 0 && DroppedPhrases.Count == 0)
            {
                return string.Empty;
            }

            var sb = new StringBuilder();
            if (UnknownWords.Count > 0)
            {
                sb.Append("words not in the pronunciation dictionary (ignored): ").Append(string.Join(", ", UnknownWords.Select(w => "'" + w + "'")));
            }

            if (DroppedPhrases.Count > 0)
            {
                if (sb.Length > 0)
                {
                    sb.Append("; ");
                }

                sb.Append("phrases that cannot be recognised: ").Append(string.Join(", ", DroppedPhrases.Select(p => "\"" + p + "\"")));
            }

            return sb.ToString();
        }
    }

    /// <summary>Builds the grammar; throws <see cref="SpeechEngineException"/> when no phrase is usable.</summary>
    public static SphinxGrammar Build(IReadOnlyList<string> expectedPhrases, Func<string, bool> isInDictionary)
    {
        var originalByNormalized = new Dictionary<string, string>(StringComparer.Ordinal);
        var unknown = new List<string>();
        var dropped = new List<string>();
        foreach (var phrase in expectedPhrases)
        {
            var kept = new List<string>();
            foreach (var word in Tokenize(phrase))
            {
                if (isInDictionary(word))
                {
                    kept.Add(word);
                }
                else if (!unknown.Contains(word))
                {
                    unknown.Add(word);
                }
            }

            if (kept.Count == 0)
            {
                dropped.Add(phrase);
                continue;
            }

            // Two phrases normalising to the same words are indistinguishable; the first one wins.
            originalByNormalized.TryAdd(string.Join(' ', kept), phrase);
        }

        if (originalByNormalized.Count == 0)
        {
            throw new SpeechEngineException(
                "None of the expected phrases [" + string.Join(", ", expectedPhrases.Select(p => "\"" + p + "\""))
                + "] can be recognised: their words are not in the pronunciation dictionary ("
                + string.Join(", ", unknown.Select(w => "'" + w + "'")) + ").");
        }

        var sorted = originalByNormalized.Keys.Order(StringComparer.Ordinal).ToList();
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', sorted)));
        var searchName = "af_g_" + Convert.ToHexStringLower(hash, 0, 8);

        var acceptsDigitRuns = DigitWords.Count(d => d != "oh" && originalByNormalized.ContainsKey(d)) == 10;
        var lead = LeadWords.Where(w => w.Split(' ').All(isInDictionary)).ToArray();
        var tail = TailWords.Where(w => w.Split(' ').All(isInDictionary)).ToArray();
        var jsgf = new StringBuilder();
        jsgf.Append("#JSGF V1.0;\ngrammar audioflow;\n");
        jsgf.Append("<phrase> = ").AppendJoin(" | ", sorted).Append(";\n");
        var body = "<phrase>";
        if (acceptsDigitRuns)
        {
            jsgf.Append("<digit> = ").AppendJoin(" | ", DigitWords.Where(isInDictionary)).Append(";\n");
            body = "<phrase> | <digit> <digit>+";
        }

        jsgf.Append("public <utterance> = ");
        jsgf.Append(lead.Length > 0 ? "[" + string.Join(" | ", lead) + "] " : string.Empty);
        jsgf.Append('(').Append(body).Append(')');
        jsgf.Append(tail.Length > 0 ? " [" + string.Join(" | ", tail) + "]" : string.Empty);
        jsgf.Append(";\n");

        return new SphinxGrammar(searchName, jsgf.ToString(), originalByNormalized, unknown, dropped);
    }

    /// <summary>Removes one lead and one tail carrier phrase (longest first) from a normalised hypothesis.</summary>
    private static string StripCarrierWords(string normalized)
    {
        foreach (var lead in LeadWords.OrderByDescending(w => w.Length))
        {
            if (normalized.StartsWith(lead + " ", StringComparison.Ordinal))
            {
                normalized = normalized[(lead.Length + 1)..];
                break;
            }
        }

        foreach (var tail in TailWords.OrderByDescending(w => w.Length))
        {
            if (normalized.EndsWith(" " + tail, StringComparison.Ordinal))
            {
                normalized = normalized[..^(tail.Length + 1)];
                break;
            }
        }

        return normalized;
    }

    /// <summary>Lower-case words of <paramref name="text"/>: letters/digits/inner apostrophes; everything else separates.</summary>
    public static IEnumerable<string> Tokenize(string text)
    {
        var sb = new StringBuilder();
        foreach (var raw in text.Normalize(NormalizationForm.FormKC))
        {
            var c = raw is '\u2019' or '\u2018' ? '\'' : char.ToLowerInvariant(raw);
            if (char.IsAsciiLetterOrDigit(c) || (c == '\'' && sb.Length > 0))
            {
                sb.Append(c);
                continue;
            }

            if (sb.Length > 0)
            {
                yield return sb.ToString().TrimEnd('\'');
                sb.Clear();
            }
        }

        if (sb.Length > 0)
        {
            yield return sb.ToString().TrimEnd('\'');
        }
    }

    /// <summary>
    /// The expected phrase (as the caller wrote it) for a hypothesis. The FSG search can only produce
    /// grammar phrases, optionally wrapped in lead/tail words, or a run of digit words (returned as spoken),
    /// so this is normally an exact lookup; otherwise the phrase with the smallest word edit distance is
    /// returned (null for an empty hypothesis).
    /// </summary>
    public string? MapToPhrase(string hypothesis)
    {
        var normalized = string.Join(' ', Tokenize(hypothesis));
        if (normalized.Length == 0)
        {
            return null;
        }

        if (_originalByNormalized.TryGetValue(normalized, out var exact))
        {
            return exact;
        }

        var core = StripCarrierWords(normalized);
        if (_originalByNormalized.TryGetValue(core, out var wrapped))
        {
            return wrapped;
        }

        if (core.Split(' ').All(DigitWords.Contains))
        {
            return core;
        }

        var hypWords = normalized.Split(' ');
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var (candidate, original) in _originalByNormalized)
        {
            var distance = WordDistance.Levenshtein(hypWords, candidate.Split(' '));
            if (distance < bestDistance)
            {
                bestDistance = distance;
                best = original;
            }
        }

        return best;
    }
}

/// <summary>Word-level edit distance (also used for WER).</summary>
internal static class WordDistance
{
    public static int Levenshtein(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        var previous = new int[b.Count + 1];
        var current = new int[b.Count + 1];
        for (var j = 0; j <= b.Count; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Count; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Count; j++)
            {
                var substitution = previous[j - 1] + (string.Equals(a[i - 1], b[j - 1], StringComparison.Ordinal) ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Count];
    }
}
