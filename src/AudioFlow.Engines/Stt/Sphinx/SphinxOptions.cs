namespace AudioFlow.Engines.Stt.Sphinx;

/// <summary>
/// Configuration of <see cref="SphinxRecognizer"/>. The defaults are the paths of Debian's
/// <c>pocketsphinx-en-us</c> package and the settings measured best for telephony audio (see
/// <see cref="SampleRate"/> and <see cref="RejectionThreshold"/>).
/// </summary>
public sealed record SphinxOptions
{
    public const string DebianModelRoot = "/usr/share/pocketsphinx/model/en-us";

    /// <summary>Acoustic model directory (<c>-hmm</c>: mdef, means, variances, feat.params, ...).</summary>
    public string AcousticModelDirectory { get; init; } = Path.Combine(DebianModelRoot, "en-us");

    /// <summary>Pronunciation dictionary (<c>-dict</c>). Grammar words must be in it.</summary>
    public string DictionaryPath { get; init; } = Path.Combine(DebianModelRoot, "cmudict-en-us.dict");

    /// <summary>
    /// N-gram language model for free-form decoding (<c>-lm</c>, ARPA or binary). Null disables free-form
    /// recognition: a call without expected phrases then throws <see cref="SpeechEngineException"/>.
    /// </summary>
    public string? LanguageModelPath { get; init; } = Path.Combine(DebianModelRoot, "en-us.lm.bin");

    /// <summary>
    /// Phone language model for the phone-loop pass that rejects out-of-grammar speech (see
    /// <see cref="RejectionThreshold"/>). Null: no rejection pass, grammar results always carry confidence 1.
    /// </summary>
    public string? PhoneLanguageModelPath { get; init; } = Path.Combine(DebianModelRoot, "en-us-phone.lm.bin");

    /// <summary>
    /// Rate of the audio given to <see cref="SphinxRecognizer.Recognize"/>: 16000 (default) or 8000. The
    /// en-us model is trained on 16 kHz speech with a mel filter bank up to 6800 Hz. Measured on 8 kHz µ-law
    /// telephone audio (11 front-desk phrases × 5 synthetic voices, grammar mode): upsampled to 16 kHz and
    /// decoded with the model's own front end 54/55 correct; decoded at 8000 (256-point FFT, filter bank cut
    /// at <see cref="UpperFrequency8k"/>) 37/55 at 4000 Hz and 29/55 at 3500 Hz, because moving the filter
    /// bank mismatches every cepstral coefficient, while an empty 4-8 kHz band only affects the top
    /// filters. Keep 16000 unless you supply a model trained on 8 kHz audio.
    /// </summary>
    public int SampleRate { get; init; } = 16000;

    /// <summary>Upper edge of the mel filter bank when <see cref="SampleRate"/> is 8000 (<c>-upperf</c>); at most 4000.</summary>
    public float UpperFrequency8k { get; init; } = 4000f;

    /// <summary>
    /// Maximum number of decoders, i.e. of concurrent recognitions (each decoder holds its own copy of the
    /// models: measured ~0.3 s to load and ~95 MB resident each, mostly the 27 MB trigram model and the
    /// dictionary). Created on demand. Default: processor count.
    /// </summary>
    public int PoolSize { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Peak amplitude of a triangular noise floor added to every utterance before decoding (about -68 dBFS
    /// at 32; 0 disables). Telephone audio upsampled to 16 kHz has an empty 4-8 kHz band and often runs of
    /// exact zeros (µ-law silence, espeak-ng lead-ins, trunks without comfort noise); the log energies of
    /// such bands and frames are floored at extreme values that drag the utterance's cepstral mean and the
    /// top filters around. Measured on synthetic 8 kHz µ-law speech (two grammars, 139 in-grammar and 126
    /// out-of-grammar utterances): grammar accuracy 121/139 without the floor, 132/139 with ±1 LSB, 136/139
    /// with this one, and better out-of-grammar rejection; amplitudes 16-64 were equivalent. Free-form WER
    /// on telephone sentences was unchanged, but on the original 16 kHz jfk.wav it went from 18% to 45%:
    /// set 0 for clean wide-band input.
    /// </summary>
    public int NoiseFloor { get; init; } = 32;

    /// <summary>Audio fed to the decoder per <c>ps_process_raw</c> call; cancellation is checked between chunks.</summary>
    public int ChunkMilliseconds { get; init; } = 100;

    /// <summary>
    /// Grammar results whose confidence (see <see cref="SphinxRecognizer"/>) is below this value are
    /// rejected as out-of-grammar: <see cref="Transcript.Empty"/> is returned. 0.5 is the measured operating
    /// point; raise it to reject more (fewer wrong intents, more re-prompts), 0 disables rejection.
    /// Free-form results are never rejected (their confidence is reported as is).
    /// </summary>
    public float RejectionThreshold { get; init; } = 0.5f;

    /// <summary>Distinct grammars (phrase sets) each decoder keeps compiled; the least recently used is dropped beyond it.</summary>
    public int MaxGrammarsPerDecoder { get; init; } = 32;

    /// <summary>
    /// Extra pocketsphinx arguments, name (with its leading '-') to value, e.g. <c>["-beam"] = "1e-60"</c>.
    /// They override the settings above and the acoustic model's feat.params.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExtraArguments { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Receives diagnostics: grammar words missing from the dictionary, pocketsphinx warnings, rejections.
    /// Called on the decoding thread; must not throw.
    /// </summary>
    public Action<string>? Log { get; init; }
}
