namespace AudioFlow.Engines.Tts;

/// <summary>Settings of a <see cref="SentenceSplitter"/>.</summary>
public sealed record SentenceSplitterOptions
{
    public static SentenceSplitterOptions Default { get; } = new();

    /// <summary>
    /// A fragment with fewer words than this ("Yes.", "Hi!", "Okay;") is not spoken alone but merged with
    /// the sentence after it (or emitted as it is at the end of the text). 0 or 1 disables merging.
    /// </summary>
    public int MinimumWords { get; init; } = 2;

    /// <summary>
    /// A run of text this long (characters) without a sentence end is cut at its last comma, colon or dash
    /// (else its last space), so a run-on sentence doesn't delay the first audio. 0 disables.
    /// </summary>
    public int MaximumLength { get; init; } = 250;

    /// <summary>Words that a period never ends a sentence after (compared case-insensitively, without the final period).</summary>
    public IReadOnlySet<string> Abbreviations { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "mr", "mrs", "ms", "mx", "dr", "prof", "sr", "jr", "st", "mt", "messrs", "mme", "mlle", "rev", "hon",
        "gen", "col", "capt", "lt", "sgt", "gov", "sen", "rep", "pres", "e.g", "i.e", "cf", "vs", "viz", "al",
    };

    /// <summary>Words that a period doesn't end a sentence after when a number follows ("No. 5", "approx. 20").</summary>
    public IReadOnlySet<string> NumberAbbreviations { get; init; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "no", "nos", "nr", "num", "approx", "ca", "tel", "ext", "vol", "p", "pp", "ch", "fig", "art", "sec", "op", "ref",
    };

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MinimumWords, nameof(MinimumWords));
        ArgumentOutOfRangeException.ThrowIfNegative(MaximumLength, nameof(MaximumLength));
        if (MaximumLength is > 0 and < 20)
        {
            throw new ArgumentOutOfRangeException(nameof(MaximumLength), MaximumLength, "Use 0 (no limit) or at least 20 characters.");
        }

        ArgumentNullException.ThrowIfNull(Abbreviations, nameof(Abbreviations));
        ArgumentNullException.ThrowIfNull(NumberAbbreviations, nameof(NumberAbbreviations));
    }
}
