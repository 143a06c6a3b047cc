namespace AudioFlow.Engines.Tts.Espeak;

/// <summary>Settings of an <see cref="EspeakSynthesizer"/>.</summary>
public sealed record EspeakOptions
{
    /// <summary>Voice name as <c>espeak-ng --voices</c> lists it, optionally with a variant ("en-us", "en-gb", "en-us+f3").</summary>
    public string Voice { get; init; } = "en-us";

    /// <summary>Speaking rate in words per minute, 80..450 (eSpeak's default 175).</summary>
    public int RateWordsPerMinute { get; init; } = 175;

    /// <summary>Base pitch, 0..100 (50 normal).</summary>
    public int Pitch { get; init; } = 50;

    /// <summary>
    /// The espeak-ng-data directory or its parent; null uses the library's built-in location
    /// (/usr/lib/x86_64-linux-gnu/espeak-ng-data on Debian) or ESPEAK_DATA_PATH. The engine is
    /// process-global: the first synthesiser created fixes the data directory for the whole process.
    /// </summary>
    public string? DataPath { get; init; }

    /// <summary>Leading/trailing silence trimming of each sentence; null keeps the audio as eSpeak produces it.</summary>
    public SilenceTrimming? TrimSilence { get; init; } = SilenceTrimming.Default;

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Voice) || Voice.Contains('\0'))
        {
            throw new ArgumentException("An espeak-ng voice name is required.", nameof(Voice));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(RateWordsPerMinute, 80, nameof(RateWordsPerMinute));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(RateWordsPerMinute, 450, nameof(RateWordsPerMinute));
        ArgumentOutOfRangeException.ThrowIfLessThan(Pitch, 0, nameof(Pitch));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Pitch, 100, nameof(Pitch));
        TrimSilence?.Validate();
    }
}
