namespace AudioFlow.Engines.Agents.Flow;

/// <summary>The intent a caller's words were mapped to.</summary>
/// <param name="Intent">The matched intent.</param>
/// <param name="Phrase">The intent phrase that matched best.</param>
/// <param name="Score">1 for an exact or contained phrase, otherwise the share of the phrase's keywords heard.</param>
/// <param name="Exact">The whole utterance was the phrase (ignoring case, punctuation and hesitations).</param>
public sealed record IntentMatch(FlowIntent Intent, string Phrase, double Score, bool Exact);

/// <summary>
/// Maps transcripts and keys to the intents of one state. Matching, in order:
/// <list type="number">
/// <item>exact: the utterance equals a phrase after normalisation (case, punctuation, "uh"/"um" ignored);</item>
/// <item>contained: a phrase occurs word for word inside the utterance ("uh what are the opening hours") — score 1;</item>
/// <item>keywords: the share of a phrase's keywords (stop words dropped, light stemming: "opening" ~ "open",
/// "hours" ~ "hour") found in the utterance.</item>
/// </list>
/// The best score wins if it reaches the threshold; ties go to the longer match, then to the state's own/included
/// intents over global ones; a remaining tie between different intents is ambiguous and matches nothing.
/// </summary>
public sealed class IntentMatcher
{
    private static readonly HashSet<string> Hesitations = new(StringComparer.Ordinal)
    {
        "uh", "uhm", "um", "umm", "er", "erm", "ah", "hmm", "mm", "mhm",
    };

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "the", "to", "of", "for", "in", "on", "at", "by", "with", "and", "or", "from",
        "i", "im", "id", "ive", "ill", "me", "my", "you", "your", "youre", "we", "our", "us", "it", "its",
        "is", "are", "am", "be", "was", "were", "do", "does", "did", "can", "could", "would", "will", "should",
        "like", "want", "wanna", "need", "please", "just", "so", "well", "hi", "hello", "hey", "what", "whats",
        "when", "where", "how", "this", "that", "there", "some", "about", "get", "have", "has", "know", "tell",
        "let", "lets", "thanks", "thank", "oh",
    };

    private readonly IReadOnlyList<FlowIntent> intents;
    private readonly int localIntentCount;
    private readonly List<CompiledPhrase> phrases = [];

    /// <param name="intents">The intents in priority order (own, included, then global).</param>
    /// <param name="localIntentCount">How many of the first <paramref name="intents"/> belong to the state (own or included).</param>
    public IntentMatcher(IReadOnlyList<FlowIntent> intents, int localIntentCount)
    {
        this.intents = intents;
        this.localIntentCount = localIntentCount;
        for (var index = 0; index < intents.Count; index++)
        {
            foreach (var phrase in intents[index].Phrases)
            {
                var tokens = Clean(PhraseText.Tokenize(phrase));
                if (tokens.Length == 0)
                {
                    continue;
                }

                var keywords = tokens.Where(t => !StopWords.Contains(t)).Select(Stem).ToHashSet(StringComparer.Ordinal);
                if (keywords.Count == 0)
                {
                    keywords = tokens.Select(Stem).ToHashSet(StringComparer.Ordinal);
                }

                phrases.Add(new CompiledPhrase(index, phrase, tokens, keywords));
            }
        }
    }

    public IReadOnlyList<FlowIntent> Intents => intents;

    /// <summary>The intent for a key press, or null. The state's own intents come before global ones.</summary>
    public FlowIntent? MatchDtmf(char key)
    {
        key = char.ToUpperInvariant(key);
        return intents.FirstOrDefault(i => i.Dtmf.Contains(key));
    }

    /// <summary>The best intent for <paramref name="text"/>, or null if nothing scores at least <paramref name="threshold"/>.</summary>
    public IntentMatch? Match(string text, double threshold = 0.5)
    {
        var tokens = Clean(PhraseText.Tokenize(text));
        if (tokens.Length == 0)
        {
            return null;
        }

        foreach (var phrase in phrases)
        {
            if (phrase.Tokens.AsSpan().SequenceEqual(tokens))
            {
                return new IntentMatch(intents[phrase.IntentIndex], phrase.Text, 1, Exact: true);
            }
        }

        var stems = tokens.Select(Stem).ToHashSet(StringComparer.Ordinal);
        var best = new Candidate[intents.Count];
        foreach (var phrase in phrases)
        {
            Candidate candidate;
            if (Contains(tokens, phrase.Tokens))
            {
                candidate = new Candidate(phrase, 1, phrase.Tokens.Length);
            }
            else
            {
                var hits = phrase.Keywords.Count(stems.Contains);
                if (hits == 0)
                {
                    continue;
                }

                candidate = new Candidate(phrase, (double)hits / phrase.Keywords.Count, hits);
            }

            if (best[phrase.IntentIndex].Phrase is null || candidate.IsBetterThan(best[phrase.IntentIndex]))
            {
                best[phrase.IntentIndex] = candidate;
            }
        }

        Candidate winner = default;
        var winnerIndex = -1;
        var ambiguous = false;
        for (var index = 0; index < best.Length; index++)
        {
            var candidate = best[index];
            if (candidate.Phrase is null || candidate.Score < threshold)
            {
                continue;
            }

            if (winnerIndex < 0 || candidate.IsBetterThan(winner))
            {
                winner = candidate;
                winnerIndex = index;
                ambiguous = false;
            }
            else if (!winner.IsBetterThan(candidate))
            {
                // Equal score and length: the state's own/included intents win over global ones.
                var winnerLocal = winnerIndex < localIntentCount;
                var candidateLocal = index < localIntentCount;
                if (candidateLocal && !winnerLocal)
                {
                    winner = candidate;
                    winnerIndex = index;
                    ambiguous = false;
                }
                else if (candidateLocal == winnerLocal)
                {
                    ambiguous = true;
                }
            }
        }

        return winnerIndex < 0 || ambiguous
            ? null
            : new IntentMatch(intents[winnerIndex], winner.Phrase!.Text, winner.Score, Exact: false);
    }

    /// <summary>Words that carry no meaning for matching ("the", "please", "uh", …).</summary>
    internal static bool IsFiller(string token) => StopWords.Contains(token) || Hesitations.Contains(token);

    private static string[] Clean(IReadOnlyList<string> tokens) => tokens.Where(t => !Hesitations.Contains(t)).ToArray();

    private static bool Contains(string[] haystack, string[] needle)
    {
        for (var start = 0; start + needle.Length <= haystack.Length; start++)
        {
            if (haystack.AsSpan(start, needle.Length).SequenceEqual(needle))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A deliberately light stemmer: "opening" → "open", "hours" → "hour", "prices" → "price".</summary>
    internal static string Stem(string token)
    {
        if (token.Length > 5 && token.EndsWith("ing", StringComparison.Ordinal))
        {
            return token[..^3];
        }

        if (token.Length > 4 && token.EndsWith("ies", StringComparison.Ordinal))
        {
            return token[..^3] + "y";
        }

        if (token.Length > 3 && token.EndsWith('s') && !token.EndsWith("ss", StringComparison.Ordinal) && !token.EndsWith("us", StringComparison.Ordinal))
        {
            return token[..^1];
        }

        return token;
    }

    private sealed record CompiledPhrase(int IntentIndex, string Text, string[] Tokens, HashSet<string> Keywords);

    private readonly record struct Candidate(CompiledPhrase? Phrase, double Score, int Length)
    {
        public bool IsBetterThan(Candidate other) =>
            Score > other.Score + 1e-9 || (Math.Abs(Score - other.Score) <= 1e-9 && Length > other.Length);
    }
}
