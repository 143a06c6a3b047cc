using System.Text;

namespace AudioFlow.Engines.Tts.Piper;

/// <summary>
/// Phonemes → model input ids, the way Piper (piper-phonemize's <c>phonemes_to_ids</c>) does it:
/// the ids of "^" (start), the ids of "_" (pad), then for each phoneme its ids followed by the pad ids,
/// and finally the ids of "$" (end) — no pad after the end marker. A phoneme missing from the map is
/// skipped (no ids, no pad) and counted in <c>missing</c>.
/// </summary>
public static class PiperPhonemeIds
{
    /// <summary>Converts one sentence's phonemes into ids.</summary>
    /// <param name="phonemes">The phonemes, one code point each.</param>
    /// <param name="idMap">The voice's <c>phoneme_id_map</c> (must contain "_", "^" and "$").</param>
    /// <param name="missing">If given, receives each phoneme that was not in the map, with its count.</param>
    public static long[] ToIds(IEnumerable<Rune> phonemes, IReadOnlyDictionary<Rune, long[]> idMap, IDictionary<Rune, int>? missing = null)
    {
        ArgumentNullException.ThrowIfNull(phonemes);
        ArgumentNullException.ThrowIfNull(idMap);
        long[] pad = Required(idMap, PiperVoiceConfig.Pad);
        long[] bos = Required(idMap, PiperVoiceConfig.Bos);
        long[] eos = Required(idMap, PiperVoiceConfig.Eos);

        var ids = new List<long>(64);
        ids.AddRange(bos);
        ids.AddRange(pad);
        foreach (Rune phoneme in phonemes)
        {
            if (!idMap.TryGetValue(phoneme, out long[]? mapped))
            {
                if (missing is not null)
                {
                    missing[phoneme] = missing.TryGetValue(phoneme, out int count) ? count + 1 : 1;
                }

                continue;
            }

            ids.AddRange(mapped);
            ids.AddRange(pad);
        }

        ids.AddRange(eos);
        return ids.ToArray();
    }

    /// <summary><see cref="ToIds(IEnumerable{Rune}, IReadOnlyDictionary{Rune, long[]}, IDictionary{Rune, int}?)"/> for a phoneme string.</summary>
    public static long[] ToIds(string phonemes, IReadOnlyDictionary<Rune, long[]> idMap, IDictionary<Rune, int>? missing = null)
    {
        ArgumentNullException.ThrowIfNull(phonemes);
        return ToIds(phonemes.EnumerateRunes().ToArray(), idMap, missing);
    }

    private static long[] Required(IReadOnlyDictionary<Rune, long[]> idMap, Rune phoneme) =>
        idMap.TryGetValue(phoneme, out long[]? ids)
            ? ids
            : throw new ArgumentException($"The phoneme id map has no \"{phoneme}\".", nameof(idMap));
}
