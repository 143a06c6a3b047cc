using System.Text;

namespace AudioFlow.Engines.Tts;

/// <summary>
/// Splits reply text into sentences so the first one can be synthesised and played while the rest is
/// still being synthesised (or, with an LLM, still being generated).
/// <para>
/// A sentence ends at '.', '!', '?', '…' or ';' (with any closing quotes/brackets after them) followed by
/// whitespace, and at every line break. A period is not an end in "9.30", "e.g.", "example.com" (no space
/// after it), after a title or abbreviation in <see cref="SentenceSplitterOptions.Abbreviations"/> ("Mr.
/// Smith"), after "No."-like words before a number, after a list number at the start ("1. Open"), nor
/// when the next word starts in lower case ("approx. five", "Why? because") — except ';', which always
/// ends one. Fragments shorter than <see cref="SentenceSplitterOptions.MinimumWords"/> are merged with the
/// next sentence, fragments without a letter or digit are dropped, whitespace is collapsed and trimmed.
/// </para>
/// <para>
/// <see cref="Split"/> handles a whole text. An instance is the incremental form for streamed text: give it
/// the chunks (tokens) with <see cref="Append(string)"/>, which returns the sentences completed so far —
/// a sentence is released as soon as the text after it decides that it has ended (usually the next
/// token) — and call <see cref="Flush"/> at the end of the stream. However the text is chunked, the
/// sentences are exactly those <see cref="Split"/> returns for the whole text. Instances are not thread-safe.
/// </para>
/// </summary>
public sealed class SentenceSplitter
{
    private readonly SentenceSplitterOptions _options;
    private readonly StringBuilder _buffer = new();
    private int _scan;
    private string? _pendingShort;

    public SentenceSplitter(SentenceSplitterOptions? options = null)
    {
        _options = options ?? SentenceSplitterOptions.Default;
        _options.Validate();
    }

    /// <summary>True when text has been appended that is not yet part of a returned sentence.</summary>
    public bool HasPendingText => _buffer.Length > 0 || _pendingShort is not null;

    /// <summary>Splits a whole text into sentences.</summary>
    public static IReadOnlyList<string> Split(string text, SentenceSplitterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var splitter = new SentenceSplitter(options);
        var sentences = new List<string>(splitter.Append(text));
        sentences.AddRange(splitter.Flush());
        return sentences;
    }

    /// <summary>Adds a chunk of streamed text; returns the sentences it completed (often none).</summary>
    public IReadOnlyList<string> Append(string chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return Append(chunk.AsSpan());
    }

    /// <inheritdoc cref="Append(string)"/>
    public IReadOnlyList<string> Append(ReadOnlySpan<char> chunk)
    {
        if (chunk.IsEmpty)
        {
            return [];
        }

        _buffer.Append(chunk);
        var sentences = new List<string>();
        Cut(final: false, sentences);
        return sentences;
    }

    /// <summary>Ends the text: returns the remaining sentences and makes the splitter ready for a new text.</summary>
    public IReadOnlyList<string> Flush()
    {
        var sentences = new List<string>();
        Cut(final: true, sentences);
        if (_pendingShort is not null)
        {
            sentences.Add(_pendingShort);
        }

        Reset();
        return sentences;
    }

    /// <summary>Discards pending text.</summary>
    public void Reset()
    {
        _buffer.Clear();
        _scan = 0;
        _pendingShort = null;
    }

    private enum Decision
    {
        Boundary,
        NotBoundary,
        NeedMore,
    }

    private void Cut(bool final, List<string> sentences)
    {
        while (true)
        {
            SkipLeadingWhitespace();
            int i = _scan;
            int cutEnd = -1;
            int consumed = -1;
            for (; i < _buffer.Length; i++)
            {
                if (_options.MaximumLength > 0 && i >= _options.MaximumLength)
                {
                    cutEnd = consumed = SoftBreak();
                    break;
                }

                char c = _buffer[i];
                if (IsLineBreak(c))
                {
                    cutEnd = i;
                    consumed = i + 1;
                    break;
                }

                if (!IsTerminator(c))
                {
                    continue;
                }

                Decision decision = Decide(i, final, out int end);
                if (decision == Decision.Boundary)
                {
                    cutEnd = consumed = end;
                    break;
                }

                if (decision == Decision.NeedMore)
                {
                    _scan = i;
                    return;
                }

                i = end - 1; // NotBoundary: continue after the terminator run
            }

            if (cutEnd < 0)
            {
                _scan = _buffer.Length;
                if (final && _buffer.Length > 0)
                {
                    Emit(_buffer.ToString(), sentences);
                    _buffer.Clear();
                    _scan = 0;
                }

                return;
            }

            Emit(_buffer.ToString(0, cutEnd), sentences);
            _buffer.Remove(0, consumed);
            _scan = 0;
        }
    }

    /// <summary>
    /// Whether the terminator at <paramref name="index"/> ends the sentence. <paramref name="end"/> is the
    /// end of the sentence (after the terminator run and closing quotes) for a boundary, and where to
    /// resume scanning otherwise. Decisions look only at the current sentence and up to the first
    /// non-whitespace character after the terminator, so they don't depend on how the text was chunked.
    /// </summary>
    private Decision Decide(int index, bool final, out int end)
    {
        int length = _buffer.Length;
        int runEnd = index;
        bool strong = false; // '!', '?' or ';' in the run
        bool semicolon = false;
        while (runEnd < length && IsTerminator(_buffer[runEnd]))
        {
            strong |= _buffer[runEnd] is '!' or '?' or ';';
            semicolon |= _buffer[runEnd] == ';';
            runEnd++;
        }

        int closeEnd = runEnd;
        while (closeEnd < length && IsCloser(_buffer[closeEnd]))
        {
            closeEnd++;
        }

        end = closeEnd;
        if (closeEnd == length)
        {
            return final ? Decision.Boundary : Decision.NeedMore;
        }

        if (!char.IsWhiteSpace(_buffer[closeEnd]))
        {
            return Decision.NotBoundary; // "9.30", "e.g", "example.com", "?!x"
        }

        if (semicolon)
        {
            return Decision.Boundary;
        }

        bool singlePeriod = !strong && runEnd - index == 1 && _buffer[index] == '.';
        string word = singlePeriod ? WordBefore(index) : string.Empty;
        if (singlePeriod && (Contains(_options.Abbreviations, word) || IsListMarker(index)))
        {
            return Decision.NotBoundary;
        }

        int next = closeEnd;
        while (next < length && char.IsWhiteSpace(_buffer[next]))
        {
            if (IsLineBreak(_buffer[next]))
            {
                return Decision.Boundary;
            }

            next++;
        }

        if (next == length)
        {
            return final ? Decision.Boundary : Decision.NeedMore;
        }

        char following = _buffer[next];
        if (char.IsLower(following))
        {
            return Decision.NotBoundary; // "approx. five", "etc. and", "Why? because"
        }

        if (singlePeriod && char.IsDigit(following) && Contains(_options.NumberAbbreviations, word))
        {
            return Decision.NotBoundary; // "No. 5"
        }

        return Decision.Boundary;
    }

    /// <summary>Cut position for a run-on sentence: after the last comma/colon/dash, else at the last space.</summary>
    private int SoftBreak()
    {
        int max = _options.MaximumLength;
        int floor = max / 2;
        for (int j = max - 1; j > floor; j--)
        {
            if (_buffer[j] is ',' or ':' or '\u2013' or '\u2014' or '-' && char.IsWhiteSpace(_buffer[j + 1]) &&
                (_buffer[j] is ',' or ':' || char.IsWhiteSpace(_buffer[j - 1])))
            {
                return j + 1;
            }
        }

        for (int j = max - 1; j > floor; j--)
        {
            if (char.IsWhiteSpace(_buffer[j]))
            {
                return j;
            }
        }

        return max;
    }

    private void Emit(string raw, List<string> sentences)
    {
        string sentence = Normalize(raw);
        if (!sentence.Any(char.IsLetterOrDigit))
        {
            return;
        }

        if (_pendingShort is not null)
        {
            sentence = _pendingShort + " " + sentence;
            _pendingShort = null;
        }

        if (CountWords(sentence) < _options.MinimumWords)
        {
            _pendingShort = sentence;
            return;
        }

        sentences.Add(sentence);
    }

    private void SkipLeadingWhitespace()
    {
        int n = 0;
        while (n < _buffer.Length && char.IsWhiteSpace(_buffer[n]))
        {
            n++;
        }

        if (n > 0)
        {
            _buffer.Remove(0, n);
            _scan = Math.Max(0, _scan - n);
        }
    }

    /// <summary>The letters (and inner periods, as in "e.g") just before <paramref name="index"/>.</summary>
    private string WordBefore(int index)
    {
        int start = index;
        while (start > 0 && (char.IsLetter(_buffer[start - 1]) || _buffer[start - 1] == '.'))
        {
            start--;
        }

        return _buffer.ToString(start, index - start).TrimStart('.');
    }

    /// <summary>"1." or "a." as the whole sentence so far: a list item number, not a sentence.</summary>
    private bool IsListMarker(int index)
    {
        if (index == 0 || index > 3)
        {
            return false;
        }

        bool digits = true;
        for (int k = 0; k < index; k++)
        {
            digits &= char.IsAsciiDigit(_buffer[k]);
        }

        return digits || (index == 1 && char.IsLetter(_buffer[0]));
    }

    private static bool Contains(IReadOnlySet<string> set, string word) =>
        word.Length > 0 && (set.Contains(word) || set.Contains(word.ToLowerInvariant()));

    private static bool IsTerminator(char c) => c is '.' or '!' or '?' or ';' or '\u2026';

    private static bool IsCloser(char c) => c is '"' or '\'' or ')' or ']' or '}' or '\u00BB' or '\u201D' or '\u2019';

    private static bool IsLineBreak(char c) => c is '\n' or '\r' or '\u2028' or '\u2029' or '\u0085';

    private static string Normalize(string raw)
    {
        var builder = new StringBuilder(raw.Length);
        bool space = false;
        foreach (char c in raw)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    private static int CountWords(string sentence)
    {
        int words = 0;
        bool inWord = false;
        bool wordHasContent = false;
        foreach (char c in sentence)
        {
            if (c == ' ')
            {
                words += inWord && wordHasContent ? 1 : 0;
                inWord = wordHasContent = false;
                continue;
            }

            inWord = true;
            wordHasContent |= char.IsLetterOrDigit(c);
        }

        return words + (inWord && wordHasContent ? 1 : 0);
    }
}
