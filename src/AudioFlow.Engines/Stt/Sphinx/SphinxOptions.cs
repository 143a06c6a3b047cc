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
    /// Rate of the audio given to <see cref="SphinxRecognizer.Recognize"/>: 8000 or 16000. The en-us model
    /// is trained on 16 kHz wide-band speech; at 8000 the front end runs with a 256-point FFT and its
    /// filter bank cut at <see cref="UpperFrequency8k"/> Hz. 8000 is the default because it measured more
    /// accurate on 8 kHz µ-law telephone audio than the same audio upsampled to 16 kHz (see the README of
    /// this folder / the test report).
    /// </summary>
    public int SampleRate { get; init; } = 8000;

    /// <summary>Upper edge of the mel filter bank at 8 kHz (<c>-upperf</c>); must stay below 4000.</summary>
    public float UpperFrequency8k { get; init; } = 3500f;

    /// <summary>Number of decoders (each holds its own copy of the acoustic model, ~0.5 s to load). Default: processor count.</summary>
    public int PoolSize { get; init; } = Environment.ProcessorCount;

    /// <summary>Audio fed to the decoder per <c>ps_process_raw</c> call; cancellation is checked between chunks.</summary>
    public int ChunkMilliseconds { get; init; } = 100;

    /// <summary>
    /// Grammar results whose confidence (see <see cref="Transcript.Confidence"/> as documented on
    /// <see cref="SphinxRecognizer"/>) is below this value are rejected: <see cref="Transcript.Empty"/> is
    /// returned. 0 disables rejection.
    /// </summary>
    public float RejectionThreshold { get; init; } = 0.5f;

    /// <summary>Distinct grammars (phrase sets) each decoder keeps compiled; the least recently used is dropped beyond it.</summary>
    public int MaxGrammarsPerDecoder { get; init; } = 32;

    /// <summary>
    /// Extra pocketsphinx arguments, name (with its leading '-') to value, e.g. <c>["-beam"] = "1e-60"</c>.
    /// They override the settings above.
    /// </summary>
    public IReadOnlyDictionary<string, string> ExtraArguments { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Receives diagnostics: grammar words missing from the dictionary, pocketsphinx warnings, rejections.
    /// Called on the decoding thread; must not throw.
    /// </summary>
    public Action<string>? Log { get; init; }
}
