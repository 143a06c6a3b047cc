namespace AudioFlow.Engines.Tts.Flite;

/// <summary>
/// Speech synthesis with CMU Flite through <c>libflite.so.1</c> and the voice libraries of Debian's
/// libflite1; PCM16 mono at the voice's rate (16 kHz, or 8 kHz for kal).
/// <para>
/// Flite is initialised and each voice registered once per process (voices are never unloaded). All
/// syntheses of all instances and voices are serialised by one process-wide lock — see
/// <see cref="FliteEngine"/> for why a per-voice lock isn't enough. Thread-safe; <see cref="Synthesize"/>
/// blocks for the synthesis. Text is folded to ASCII first (Flite's front end is English/ASCII only).
/// </para>
/// </summary>
public sealed class FliteSynthesizer : ISpeechSynthesizer
{
    private readonly FliteOptions _options;
    private readonly FliteVoice _voice;
    private volatile bool _disposed;

    /// <exception cref="SpeechSynthesisException">The library or voice library is missing, or the voice is unknown.</exception>
    public FliteSynthesizer(FliteOptions? options = null)
    {
        _options = options ?? new FliteOptions();
        _options.Validate();
        _voice = FliteEngine.GetVoice(_options.Voice);
    }

    /// <summary>Voice names <see cref="FliteOptions.Voice"/> accepts.</summary>
    public static IReadOnlyList<string> Voices => FliteEngine.VoiceNames;

    public string Name => $"flite/{_voice.Name}";

    public int SampleRate => _voice.SampleRate;

    public FliteOptions Options => _options;

    /// <summary>
    /// Synthesises one sentence. Empty, whitespace-only or unspeakable text gives an empty array.
    /// Cancellation is observed while waiting for the engine and every 256 samples of waveform generation
    /// (Flite's text analysis before that — a small fraction of a sentence's synthesis time — can't be interrupted).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public short[] Synthesize(string sentence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        ObjectDisposedException.ThrowIf(_disposed, this);
        cancellationToken.ThrowIfCancellationRequested();

        string text = FliteText.ToAscii(sentence);
        if (text.Length == 0)
        {
            return [];
        }

        short[] samples = FliteEngine.Synthesize(_voice, text, _options.DurationStretch, _options.Deterministic, cancellationToken);
        return _options.TrimSilence is { } trimming ? SilenceTrimmer.Trim(samples, SampleRate, trimming) : samples;
    }

    /// <summary>Marks this synthesiser unusable. The voice stays registered for the process (see class remarks).</summary>
    public void Dispose() => _disposed = true;
}
