using System.Collections.ObjectModel;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace AudioFlow.Engines.Stt.Whisper;

/// <summary>
/// Whisper's tokenizer: GPT-2 style byte-level BPE (Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>
/// with <c>ByteLevel</c> and GPT-2's pre-tokenisation pattern) plus Whisper's special tokens, loaded from
/// a Hugging Face model folder: <c>vocab.json</c> + <c>merges.txt</c> + <c>added_tokens.json</c>, or
/// <c>tokenizer.json</c> alone. Special tokens: <c>&lt;|endoftext|&gt;</c> (end of text),
/// <c>&lt;|startoftranscript|&gt;</c>, the language tokens (<c>&lt;|en|&gt;</c> ...),
/// <c>&lt;|transcribe|&gt;</c>, <c>&lt;|translate|&gt;</c>, <c>&lt;|startoflm|&gt;</c>,
/// <c>&lt;|startofprev|&gt;</c>, <c>&lt;|nospeech|&gt;</c> (called <c>&lt;|nocaptions|&gt;</c> in older
/// vocabularies), <c>&lt;|notimestamps|&gt;</c>, then the timestamp tokens (<c>&lt;|0.00|&gt;</c> ...
/// <c>&lt;|30.00|&gt;</c>; older exports do not list them: they are the ids after
/// <c>&lt;|notimestamps|&gt;</c>). Every id from <see cref="EndOfText"/> up is special. Thread-safe.
/// </summary>
public sealed class WhisperTokenizer
{
    /// <summary>GPT-2's pre-tokenisation: contractions, letters, digits, other symbols, each with an optional leading space; whitespace runs.</summary>
    private static readonly Regex Gpt2Pattern = new(
        @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
        RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private static readonly Regex LanguageTokenPattern = new(@"^<\|([a-z]{2,3}|haw|yue)\|>$", RegexOptions.CultureInvariant);

    private readonly BpeTokenizer _bpe;

    /// <summary>Serialises calls into the BPE tokenizer (its word cache is not documented as thread-safe); they take microseconds.</summary>
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _special;
    private readonly Dictionary<int, string> _specialById;

    private WhisperTokenizer(BpeTokenizer bpe, Dictionary<string, int> special, string source)
    {
        _bpe = bpe;
        _special = special;
        _specialById = new Dictionary<int, string>();
        foreach (var (token, id) in special)
        {
            _specialById.TryAdd(id, token);
        }

        Source = source;

        EndOfText = Require("<|endoftext|>");
        StartOfTranscript = Require("<|startoftranscript|>");
        NoTimestamps = Require("<|notimestamps|>");
        Transcribe = Find("<|transcribe|>");
        Translate = Find("<|translate|>");
        StartOfLm = Find("<|startoflm|>");
        StartOfPrev = Find("<|startofprev|>");
        NoSpeech = Find("<|nospeech|>") is var noSpeech and >= 0 ? noSpeech : Find("<|nocaptions|>");
        TimestampBegin = Find("<|0.00|>") is var ts and >= 0 ? ts : NoTimestamps + 1;

        var languages = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in special)
        {
            var match = LanguageTokenPattern.Match(token);
            if (match.Success && id > StartOfTranscript && (Translate < 0 || id < Translate))
            {
                languages[match.Groups[1].Value] = id;
            }
        }

        LanguageTokens = new ReadOnlyDictionary<string, int>(languages);
    }

    /// <summary>The file(s) the vocabulary was read from.</summary>
    public string Source { get; }

    public int EndOfText { get; }

    public int StartOfTranscript { get; }

    /// <summary>&lt;|transcribe|&gt;, or -1 when the vocabulary has none.</summary>
    public int Transcribe { get; }

    /// <summary>&lt;|translate|&gt;, or -1.</summary>
    public int Translate { get; }

    /// <summary>&lt;|startoflm|&gt;, or -1.</summary>
    public int StartOfLm { get; }

    /// <summary>&lt;|startofprev|&gt; (introduces a text prompt), or -1.</summary>
    public int StartOfPrev { get; }

    /// <summary>&lt;|nospeech|&gt; or &lt;|nocaptions|&gt;, or -1.</summary>
    public int NoSpeech { get; }

    public int NoTimestamps { get; }

    /// <summary>&lt;|0.00|&gt;: this id and every id above it are timestamps.</summary>
    public int TimestampBegin { get; }

    /// <summary>Language code (e.g. "en", "de") to its token id.</summary>
    public IReadOnlyDictionary<string, int> LanguageTokens { get; }

    /// <summary>Special tokens by content (from added_tokens.json / tokenizer.json).</summary>
    public IReadOnlyDictionary<string, int> SpecialTokens => _special;

    /// <summary>True for every id from &lt;|endoftext|&gt; up (specials and timestamps).</summary>
    public bool IsSpecial(int id) => id >= EndOfText;

    public bool IsTimestamp(int id) => id >= TimestampBegin;

    /// <summary>
    /// Loads the tokenizer from a model folder: <c>vocab.json</c> + <c>merges.txt</c> (with
    /// <c>added_tokens.json</c> and, when present, <c>tokenizer.json</c>'s added tokens), or else
    /// <c>tokenizer.json</c>'s BPE model.
    /// </summary>
    /// <exception cref="SpeechEngineException">No usable vocabulary, or a required special token is missing.</exception>
    public static WhisperTokenizer FromDirectory(string modelDirectory)
    {
        var vocab = Path.Combine(modelDirectory, "vocab.json");
        var merges = Path.Combine(modelDirectory, "merges.txt");
        var added = Path.Combine(modelDirectory, "added_tokens.json");
        var tokenizerJson = Path.Combine(modelDirectory, "tokenizer.json");
        try
        {
            if (File.Exists(vocab) && File.Exists(merges))
            {
                var special = new Dictionary<string, int>(StringComparer.Ordinal);
                if (File.Exists(added))
                {
                    foreach (var (token, id) in JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(added))
                        ?? throw new InvalidDataException("added_tokens.json is empty."))
                    {
                        special[token] = id;
                    }
                }
                else if (File.Exists(tokenizerJson))
                {
                    ReadAddedTokens(tokenizerJson, special);
                }
                else
                {
                    throw new SpeechEngineException(
                        $"Whisper tokenizer in '{modelDirectory}': added_tokens.json (or tokenizer.json) is missing; it defines the special tokens.");
                }

                // <|endoftext|> is in GPT-2's vocab.json itself.
                AddFromVocabulary(vocab, special, "<|endoftext|>");
                var options = new BpeOptions(vocab, merges) { ByteLevel = true };
                return Create(options, special, $"{vocab}, {merges}");
            }

            if (File.Exists(tokenizerJson))
            {
                return FromTokenizerJson(tokenizerJson);
            }
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidDataException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            throw new SpeechEngineException($"Could not load the Whisper tokenizer from '{modelDirectory}': {e.Message}", e);
        }

        throw new SpeechEngineException(
            $"Whisper tokenizer files are missing in '{modelDirectory}': need vocab.json + merges.txt + added_tokens.json, or tokenizer.json.");
    }

    /// <summary>
    /// Encodes plain text into text tokens. Special-token markup in the text (e.g. "&lt;|en|&gt;") is
    /// encoded as ordinary text, never as a special token, so prompts built from user data cannot inject
    /// control tokens.
    /// </summary>
    public IReadOnlyList<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        lock (_gate)
        {
            return _bpe.EncodeToIds(text);
        }
    }

    /// <summary>Decodes text tokens; special and timestamp tokens are skipped.</summary>
    public string Decode(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        return DecodeText(ids.Where(id => id >= 0 && id < EndOfText));
    }

    /// <summary>Decodes with special tokens written as their markup and timestamps as <c>&lt;|t.tt|&gt;</c>.</summary>
    public string DecodeWithSpecialTokens(IEnumerable<int> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var text = new System.Text.StringBuilder();
        var run = new List<int>();
        foreach (var id in ids)
        {
            if (id >= 0 && id < EndOfText)
            {
                run.Add(id);
                continue;
            }

            text.Append(DecodeText(run));
            run.Clear();
            text.Append(TokenText(id));
        }

        text.Append(DecodeText(run));
        return text.ToString();
    }

    private string DecodeText(IEnumerable<int> textIds)
    {
        var ids = textIds.ToArray();
        if (ids.Length == 0)
        {
            return string.Empty;
        }

        lock (_gate)
        {
            return _bpe.Decode(ids, considerSpecialTokens: false) ?? string.Empty;
        }
    }

    /// <summary>The id of a special token's markup (e.g. "&lt;|en|&gt;"), or null.</summary>
    public int? SpecialTokenId(string token) => _special.TryGetValue(token, out var id) ? id : null;

    /// <summary>The language token for a code such as "en", or null.</summary>
    public int? LanguageToken(string language) =>
        LanguageTokens.TryGetValue(language.Trim().ToLowerInvariant(), out var id) ? id : null;

    private string TokenText(int id)
    {
        if (IsTimestamp(id))
        {
            return FormattableString.Invariant($"<|{(id - TimestampBegin) * 0.02:0.00}|>");
        }

        return _specialById.TryGetValue(id, out var token) ? token : $"<|{id}|>";
    }

    private int Require(string token) =>
        _special.TryGetValue(token, out var id)
            ? id
            : throw new SpeechEngineException($"Whisper tokenizer ({Source}): the special token {token} is missing.");

    private int Find(string token) => _special.TryGetValue(token, out var id) ? id : -1;

    /// <summary>
    /// The BPE tokenizer knows no special tokens: it only ever sees text (<see cref="Decode"/> filters the
    /// special ids out first), and this class maps the special tokens itself.
    /// </summary>
    private static WhisperTokenizer Create(BpeOptions options, Dictionary<string, int> special, string source)
    {
        options.PreTokenizer = new RegexPreTokenizer(Gpt2Pattern, null);
        return new WhisperTokenizer(BpeTokenizer.Create(options), special, source);
    }

    private static WhisperTokenizer FromTokenizerJson(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = document.RootElement;
        if (!root.TryGetProperty("model", out var model) || model.GetProperty("type").GetString() != "BPE")
        {
            throw new InvalidDataException($"{path}: model.type is not BPE.");
        }

        var vocabulary = new List<KeyValuePair<string, int>>();
        foreach (var entry in model.GetProperty("vocab").EnumerateObject())
        {
            vocabulary.Add(new(entry.Name, entry.Value.GetInt32()));
        }

        var merges = new List<string>();
        foreach (var merge in model.GetProperty("merges").EnumerateArray())
        {
            // Older files store "a b"; newer ones ["a", "b"].
            merges.Add(merge.ValueKind == JsonValueKind.Array
                ? merge[0].GetString() + " " + merge[1].GetString()
                : merge.GetString() ?? string.Empty);
        }

        var special = new Dictionary<string, int>(StringComparer.Ordinal);
        ReadAddedTokens(path, special);
        foreach (var pair in vocabulary)
        {
            if (pair.Key == "<|endoftext|>")
            {
                special.TryAdd(pair.Key, pair.Value);
            }
        }

        var options = new BpeOptions(vocabulary)
        {
            Merges = merges,
            ByteLevel = true,
        };
        return Create(options, special, path);
    }

    private static void ReadAddedTokens(string tokenizerJson, Dictionary<string, int> special)
    {
        using var document = JsonDocument.Parse(File.ReadAllBytes(tokenizerJson));
        if (document.RootElement.TryGetProperty("added_tokens", out var added))
        {
            foreach (var token in added.EnumerateArray())
            {
                special[token.GetProperty("content").GetString() ?? string.Empty] = token.GetProperty("id").GetInt32();
            }
        }
    }

    private static void AddFromVocabulary(string vocabPath, Dictionary<string, int> special, string token)
    {
        if (special.ContainsKey(token))
        {
            return;
        }

        using var document = JsonDocument.Parse(File.ReadAllBytes(vocabPath));
        if (document.RootElement.TryGetProperty(token, out var id))
        {
            special[token] = id.GetInt32();
        }
    }
}
