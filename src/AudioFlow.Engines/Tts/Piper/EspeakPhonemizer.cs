using System.Runtime.InteropServices;
using System.Text;
using AudioFlow.Engines.Tts.Espeak;

namespace AudioFlow.Engines.Tts.Piper;

/// <summary>
/// Text → IPA phonemes with eSpeak NG, as Piper's espeak voices were trained (piper-phonemize's
/// <c>phonemize_eSpeak</c>): <c>espeak_TextToPhonemes</c> in IPA mode clause by clause; the punctuation that
/// ended each clause (found by looking back from where eSpeak stopped reading) is appended as a phoneme
/// ('.', '?', '!'; ',', ':' and ';' followed by a space); '.', '?' and '!' end a sentence. Phonemes are
/// decomposed to NFD, passed through the voice's <c>phoneme_map</c>, and eSpeak's language-switch flags
/// such as "(fr)" are removed.
/// <para>
/// This reuses the process-global engine of <see cref="EspeakEngine"/> (its initialisation, voice selection
/// and its lock); the only addition is the <c>espeak_TextToPhonemes</c> entry point of the same library.
/// </para>
/// </summary>
internal static unsafe class EspeakPhonemizer
{
    /// <summary>phonememode bit 1: IPA (UTF-8) instead of eSpeak's ASCII phoneme mnemonics.</summary>
    private const int PhonemesIpa = 0x02;

    /// <summary>Initialises eSpeak NG if needed and checks the voice; <paramref name="dataPath"/> as in <see cref="EspeakOptions.DataPath"/>.</summary>
    public static void Prepare(string voice, string? dataPath)
    {
        EspeakEngine.EnsureInitialized(dataPath);
        EspeakEngine.ValidateVoice(voice);
        try
        {
            Phonemize("a", voice, null, CancellationToken.None);
        }
        catch (EntryPointNotFoundException e)
        {
            throw NativeLibraryCheck.BindingFailed("espeak-ng", EspeakNative.Library, EspeakNative.AptPackages, e);
        }
    }

    /// <summary>The phonemes of <paramref name="text"/>, one list per sentence eSpeak found.</summary>
    public static List<List<Rune>> Phonemize(
        string text, string voice, IReadOnlyDictionary<Rune, Rune[]>? phonemeMap, CancellationToken cancellationToken)
    {
        var sentences = new List<List<Rune>>();
        string clean = TtsText.CleanControlCharacters(text);
        if (clean.Length == 0)
        {
            return sentences;
        }

        byte[] utf8 = TtsText.ToNullTerminatedUtf8(clean);
        var clauses = new List<(string Phonemes, byte Terminator)>();
        CancellableLock.Enter(EspeakEngine.Gate, cancellationToken);
        try
        {
            // Selects the voice inside the lock we hold (the gate is re-entrant), so no synthesis can
            // switch it between here and the phonemisation.
            EspeakEngine.ValidateVoice(voice);
            fixed (byte* start = utf8)
            {
                byte* position = start;
                while (position is not null)
                {
                    byte* phonemes = TextToPhonemes(&position, (int)EspeakNative.CharsUtf8, PhonemesIpa);
                    string clause = phonemes is null ? string.Empty : Marshal.PtrToStringUTF8((IntPtr)phonemes) ?? string.Empty;

                    // Where eSpeak stopped: it reads one character past the clause (so look back from two
                    // before), or NULL at the end of the text (then "two before" is the last character).
                    long stop = position is null ? utf8.Length : position - start;
                    byte terminator = 0;
                    for (long i = stop - 2; i > 0; i--)
                    {
                        if (utf8[i] != (byte)' ')
                        {
                            terminator = utf8[i];
                            break;
                        }
                    }

                    clauses.Add((clause, terminator));
                }
            }
        }
        finally
        {
            EspeakEngine.Gate.Exit();
        }

        List<Rune>? sentence = null;
        foreach (var (clausePhonemes, terminator) in clauses)
        {
            sentence ??= [];
            bool inLanguageFlag = false;
            foreach (Rune phoneme in Map(PiperText.Decompose(clausePhonemes), phonemeMap))
            {
                if (inLanguageFlag)
                {
                    inLanguageFlag = phoneme.Value != ')';
                }
                else if (phoneme.Value == '(')
                {
                    inLanguageFlag = true;
                }
                else if (phoneme.Value is not ('\n' or '\r'))
                {
                    sentence.Add(phoneme);
                }
            }

            switch ((char)terminator)
            {
                case '.' or '?' or '!':
                    sentence.Add(new Rune(terminator));
                    sentences.Add(sentence);
                    sentence = null;
                    break;
                case ',' or ':' or ';':
                    sentence.Add(new Rune(terminator));
                    sentence.Add(new Rune(' '));
                    break;
            }
        }

        if (sentence is { Count: > 0 })
        {
            sentences.Add(sentence);
        }

        sentences.RemoveAll(s => s.Count == 0);
        return sentences;
    }

    /// <summary>Code points of <paramref name="phonemes"/> with the voice's <c>phoneme_map</c> substitutions applied.</summary>
    internal static IEnumerable<Rune> Map(string phonemes, IReadOnlyDictionary<Rune, Rune[]>? phonemeMap)
    {
        foreach (Rune rune in phonemes.EnumerateRunes())
        {
            if (phonemeMap is not null && phonemeMap.TryGetValue(rune, out Rune[]? mapped))
            {
                foreach (Rune to in mapped)
                {
                    yield return to;
                }
            }
            else
            {
                yield return rune;
            }
        }
    }

    /// <summary>
    /// const char *espeak_TextToPhonemes(const void **textptr, int textmode, int phonememode) — phonemes of
    /// the next clause; advances *textptr past it (NULL at the end). Must hold <see cref="EspeakEngine.Gate"/>.
    /// </summary>
    [DllImport(EspeakNative.Library, EntryPoint = "espeak_TextToPhonemes")]
    private static extern byte* TextToPhonemes(byte** textPointer, int textMode, int phonemeMode);
}
