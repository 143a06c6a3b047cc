namespace AudioFlow.Engines.Tts.Espeak;

/// <summary>
/// Speech synthesis with eSpeak NG (formant synthesis: robotic but tiny and hundreds of times faster than
/// real time) through <c>libespeak-ng.so.1</c>, 22050 Hz PCM16 mono.
/// <para>
/// eSpeak NG is process-global (see <see cref="EspeakEngine"/>): the library is initialised once per
/// process by the first synthesiser and never shut down, and all syntheses of all instances are
/// serialised by one lock. Instances may use different voices/rates/pitches; each synthesis re-applies its
/// own. Thread-safe; <see cref="Synthesize"/> blocks for the synthesis (a few ms per sentence).
/// </para>
/// </summary>
public sealed class EspeakSynthesizer : ISpeechSynthesizer
{
    private readonly EspeakOptions _options;
    private volatile bool _disposed;

    /// <exception cref="SpeechSynthesisException">The library or its data is missing, or the voice is unknown.</exception>
    public EspeakSynthesizer(EspeakOptions? options = null)
    {
        _options = options ?? new EspeakOptions();
        _options.Validate();
        SampleRate = EspeakEngine.EnsureInitialized(_options.DataPath);
        EspeakEngine.ValidateVoice(_options.Voice);
    }

    public string Name => $"espeak-ng/{_options.Voice}";

    /// <summary>The rate eSpeak NG reported at initialisation (22050 Hz).</summary>
    public int SampleRate { get; }

    public EspeakOptions Options => _options;

    /// <summary>
    /// Synthesises one sentence. Empty or whitespace-only text gives an empty array; characters eSpeak
    /// can't pronounce are skipped or spelled by eSpeak, control characters are dropped. Cancellation is
    /// observed while waiting for the engine and every ~50 ms of generated audio.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public short[] Synthesize(string sentence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();

        string text = TtsText.CleanControlCharacters(sentence);
        if (text.Length == 0)
        {
            return [];
        }

        short[] samples = EspeakEngine.Synthesize(
            text, _options.Voice, _options.RateWordsPerMinute, _options.Pitch, cancellationToken);
        return _options.TrimSilence is { } trimming ? SilenceTrimmer.Trim(samples, SampleRate, trimming) : samples;
    }

    /// <summary>Marks this synthesiser unusable. The process-global engine stays initialised (see class remarks).</summary>
    public void Dispose() => _disposed = true;
}
