using System.Collections.Frozen;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AudioFlow.Engines.Tts.Piper;

/// <summary>How a Piper voice turns text into phonemes (<c>phoneme_type</c> in its config).</summary>
public enum PiperPhonemeType
{
    /// <summary>"espeak": IPA phonemes from eSpeak NG for <see cref="PiperVoiceConfig.EspeakVoice"/> (almost every Piper voice).</summary>
    Espeak,

    /// <summary>"text": the (lower-cased, decomposed) characters of the text itself.</summary>
    Text,
}

/// <summary>
/// A Piper voice's <c>&lt;name&gt;.onnx.json</c>: what the model was trained with. Only the fields synthesis
/// needs are read: <c>audio.sample_rate</c>, <c>espeak.voice</c>, <c>phoneme_type</c>, <c>phoneme_id_map</c>
/// (phoneme → ids, each phoneme one Unicode code point), <c>phoneme_map</c> (optional phoneme → phonemes
/// substitutions), <c>inference.noise_scale / length_scale / noise_w</c>, <c>num_speakers</c> and
/// <c>speaker_id_map</c>. Missing optional fields take Piper's defaults (22050 Hz, "en-us", espeak,
/// 0.667 / 1.0 / 0.8, one speaker).
/// </summary>
public sealed class PiperVoiceConfig
{
    /// <summary>Padding phoneme, placed after the start marker and after every phoneme.</summary>
    public static readonly Rune Pad = new('_');

    /// <summary>Beginning-of-sentence phoneme.</summary>
    public static readonly Rune Bos = new('^');

    /// <summary>End-of-sentence phoneme.</summary>
    public static readonly Rune Eos = new('$');

    private PiperVoiceConfig(
        string source,
        int sampleRate,
        string espeakVoice,
        PiperPhonemeType phonemeType,
        FrozenDictionary<Rune, long[]> phonemeIdMap,
        FrozenDictionary<Rune, Rune[]>? phonemeMap,
        float noiseScale,
        float lengthScale,
        float noiseW,
        int numSpeakers,
        FrozenDictionary<string, long> speakerIdMap)
    {
        Source = source;
        SampleRate = sampleRate;
        EspeakVoice = espeakVoice;
        PhonemeType = phonemeType;
        PhonemeIdMap = phonemeIdMap;
        PhonemeMap = phonemeMap;
        NoiseScale = noiseScale;
        LengthScale = lengthScale;
        NoiseW = noiseW;
        NumSpeakers = numSpeakers;
        SpeakerIdMap = speakerIdMap;
    }

    /// <summary>The file (or name) the config was read from, for messages.</summary>
    public string Source { get; }

    /// <summary><c>audio.sample_rate</c>: the rate of the model's output (22050 for most voices, 16000 for "low" ones).</summary>
    public int SampleRate { get; }

    /// <summary><c>espeak.voice</c>: the eSpeak NG voice used to phonemise ("en-us", "de", "fr-fr", ...).</summary>
    public string EspeakVoice { get; }

    public PiperPhonemeType PhonemeType { get; }

    /// <summary><c>phoneme_id_map</c>: phoneme (one code point) → model input ids.</summary>
    public IReadOnlyDictionary<Rune, long[]> PhonemeIdMap { get; }

    /// <summary><c>phoneme_map</c>: optional substitutions applied before the id lookup; null when absent.</summary>
    public IReadOnlyDictionary<Rune, Rune[]>? PhonemeMap { get; }

    public float NoiseScale { get; }

    public float LengthScale { get; }

    public float NoiseW { get; }

    /// <summary><c>num_speakers</c>: above 1, the model takes a speaker id (<c>sid</c>).</summary>
    public int NumSpeakers { get; }

    /// <summary><c>speaker_id_map</c>: speaker name → id (empty for single-speaker voices).</summary>
    public IReadOnlyDictionary<string, long> SpeakerIdMap { get; }

    public bool IsMultiSpeaker => NumSpeakers > 1;

    /// <summary>Reads and validates a voice config file.</summary>
    /// <exception cref="SpeechSynthesisException">The file is missing, not JSON, or not a usable Piper config; the message names the file.</exception>
    public static PiperVoiceConfig Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new SpeechSynthesisException(
                $"piper: the voice config '{full}' was not found. A Piper voice is two files, <name>.onnx and " +
                "<name>.onnx.json, downloaded together.");
        }

        string json;
        try
        {
            json = File.ReadAllText(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SpeechSynthesisException($"piper: the voice config '{full}' could not be read: {e.Message}", e);
        }

        return Parse(json, full);
    }

    /// <summary>Parses a voice config from JSON text; <paramref name="source"/> names it in messages.</summary>
    /// <exception cref="SpeechSynthesisException">Not JSON or not a usable Piper config.</exception>
    public static PiperVoiceConfig Parse(string json, string source = "voice config")
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions
            {
                AllowTrailingCommas = true,
                CommentHandling = JsonCommentHandling.Skip,
            });
            return Read(document.RootElement, source);
        }
        catch (JsonException e)
        {
            throw new SpeechSynthesisException($"piper: the voice config '{source}' is not valid JSON: {e.Message}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException)
        {
            throw new SpeechSynthesisException($"piper: the voice config '{source}' has a field of the wrong type: {e.Message}", e);
        }
    }

    private static PiperVoiceConfig Read(JsonElement root, string source)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, "the top level is not a JSON object");
        }

        int sampleRate = 22050;
        if (Child(root, "audio") is { } audio && Child(audio, "sample_rate") is { } rate)
        {
            sampleRate = rate.GetInt32();
        }

        if (sampleRate is < 4000 or > 192000)
        {
            throw Invalid(source, $"audio.sample_rate {sampleRate} is not a plausible sample rate");
        }

        string espeakVoice = "en-us";
        if (Child(root, "espeak") is { } espeak && Child(espeak, "voice") is { } voice)
        {
            espeakVoice = voice.GetString() ?? espeakVoice;
        }

        var phonemeType = PiperPhonemeType.Espeak;
        if (Child(root, "phoneme_type") is { } type)
        {
            phonemeType = type.GetString() switch
            {
                "espeak" or null => PiperPhonemeType.Espeak,
                "text" => PiperPhonemeType.Text,
                string other => throw Invalid(source,
                    $"phoneme_type \"{other}\" is not supported (only \"espeak\" and \"text\" voices are)"),
            };
        }

        if (Child(root, "phoneme_id_map") is not { ValueKind: JsonValueKind.Object } idMapElement)
        {
            throw Invalid(source, "it has no phoneme_id_map object (phoneme → list of ids)");
        }

        var idMap = new Dictionary<Rune, long[]>();
        foreach (JsonProperty entry in idMapElement.EnumerateObject())
        {
            Rune phoneme = SingleCodePoint(entry.Name, source, "phoneme_id_map");
            if (entry.Value.ValueKind != JsonValueKind.Array || entry.Value.GetArrayLength() == 0)
            {
                throw Invalid(source, $"phoneme_id_map[\"{entry.Name}\"] is not a non-empty list of ids");
            }

            long[] ids = entry.Value.EnumerateArray().Select(id => id.GetInt64()).ToArray();
            if (ids.Any(id => id < 0))
            {
                throw Invalid(source, $"phoneme_id_map[\"{entry.Name}\"] has a negative id");
            }

            idMap[phoneme] = ids;
        }

        foreach (Rune required in new[] { Pad, Bos, Eos })
        {
            if (!idMap.ContainsKey(required))
            {
                throw Invalid(source, $"phoneme_id_map has no \"{required}\" (Piper's pad \"_\", start \"^\" and end \"$\" are required)");
            }
        }

        Dictionary<Rune, Rune[]>? phonemeMap = null;
        if (Child(root, "phoneme_map") is { ValueKind: JsonValueKind.Object } mapElement)
        {
            phonemeMap = new Dictionary<Rune, Rune[]>();
            foreach (JsonProperty entry in mapElement.EnumerateObject())
            {
                Rune from = SingleCodePoint(entry.Name, source, "phoneme_map");
                phonemeMap[from] = entry.Value.EnumerateArray()
                    .Select(to => SingleCodePoint(to.GetString() ?? string.Empty, source, "phoneme_map"))
                    .ToArray();
            }
        }

        float noiseScale = 0.667f, lengthScale = 1f, noiseW = 0.8f;
        if (Child(root, "inference") is { ValueKind: JsonValueKind.Object } inference)
        {
            noiseScale = Child(inference, "noise_scale")?.GetSingle() ?? noiseScale;
            lengthScale = Child(inference, "length_scale")?.GetSingle() ?? lengthScale;
            noiseW = Child(inference, "noise_w")?.GetSingle() ?? noiseW;
        }

        if (!(lengthScale > 0) || float.IsInfinity(lengthScale) || !float.IsFinite(noiseScale) || !float.IsFinite(noiseW))
        {
            throw Invalid(source, "inference.length_scale must be positive and the scales finite");
        }

        int numSpeakers = Child(root, "num_speakers")?.GetInt32() ?? 1;
        if (numSpeakers < 1)
        {
            throw Invalid(source, $"num_speakers is {numSpeakers}");
        }

        var speakers = new Dictionary<string, long>(StringComparer.Ordinal);
        if (Child(root, "speaker_id_map") is { ValueKind: JsonValueKind.Object } speakerMap)
        {
            foreach (JsonProperty entry in speakerMap.EnumerateObject())
            {
                long id = entry.Value.GetInt64();
                if (id < 0 || id >= numSpeakers)
                {
                    throw Invalid(source, $"speaker_id_map[\"{entry.Name}\"] = {id} is outside 0..num_speakers-1 ({numSpeakers - 1})");
                }

                speakers[entry.Name] = id;
            }
        }

        return new PiperVoiceConfig(
            source, sampleRate, espeakVoice, phonemeType, idMap.ToFrozenDictionary(), phonemeMap?.ToFrozenDictionary(),
            noiseScale, lengthScale, noiseW, numSpeakers, speakers.ToFrozenDictionary(StringComparer.Ordinal));
    }

    /// <summary>
    /// The speaker id for <paramref name="speaker"/>: a name from <see cref="SpeakerIdMap"/> or a number below
    /// <see cref="NumSpeakers"/>; null (no <c>sid</c> input) for single-speaker voices. Multi-speaker voices
    /// default to speaker 0, as Piper does.
    /// </summary>
    /// <exception cref="SpeechSynthesisException">Unknown speaker, or a speaker asked of a single-speaker voice.</exception>
    public long? ResolveSpeaker(string? speaker)
    {
        if (!IsMultiSpeaker)
        {
            if (!string.IsNullOrEmpty(speaker) && speaker != "0")
            {
                throw new SpeechSynthesisException(
                    $"piper: speaker '{speaker}' was requested but the voice '{Source}' has a single speaker.");
            }

            return null;
        }

        if (string.IsNullOrEmpty(speaker))
        {
            return 0;
        }

        if (SpeakerIdMap.TryGetValue(speaker, out long byName))
        {
            return byName;
        }

        if (long.TryParse(speaker, NumberStyles.None, CultureInfo.InvariantCulture, out long id) && id < NumSpeakers)
        {
            return id;
        }

        string known = SpeakerIdMap.Count == 0
            ? $"ids 0..{NumSpeakers - 1}"
            : string.Join(", ", SpeakerIdMap.Keys.Order(StringComparer.Ordinal).Take(20)) + (SpeakerIdMap.Count > 20 ? ", ..." : string.Empty);
        throw new SpeechSynthesisException($"piper: the voice '{Source}' has no speaker '{speaker}' (known: {known}).");
    }

    private static JsonElement? Child(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement child) &&
        child.ValueKind != JsonValueKind.Null
            ? child
            : null;

    private static Rune SingleCodePoint(string text, string source, string field)
    {
        if (Rune.DecodeFromUtf16(text, out Rune rune, out int consumed) != System.Buffers.OperationStatus.Done || consumed != text.Length)
        {
            throw Invalid(source, $"{field} key \"{text}\" is not a single Unicode code point (Piper phonemes are one code point each)");
        }

        return rune;
    }

    private static SpeechSynthesisException Invalid(string source, string why) =>
        new($"piper: the voice config '{source}' is not a usable Piper config: {why}.");
}
