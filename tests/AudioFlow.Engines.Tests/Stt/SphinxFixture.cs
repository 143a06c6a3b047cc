using System.Collections.Concurrent;
using AudioFlow.Engines.Stt;
using AudioFlow.Engines.Stt.Sphinx;

namespace AudioFlow.Engines.Tests.Stt;

/// <summary>
/// One recogniser (pool of 2 decoders) and one temp directory of generated telephone audio shared by the
/// pocketsphinx tests; audio and grammar results are memoised so the accuracy theory and the report fact
/// decode each utterance once.
/// </summary>
public sealed class SphinxFixture : IDisposable
{
    /// <summary>The front-desk phrases of the grammar tests.</summary>
    public static readonly string[] FrontDeskPhrases =
    [
        "sales", "support", "opening hours", "opening hours please", "what are your opening hours",
        "speak to a person", "an operator", "goodbye", "yes", "no", "repeat that",
    ];

    /// <summary>Speech that is not in the front-desk grammar (short phrases and longer sentences).</summary>
    public static readonly string[] OutOfGrammarPhrases =
    [
        "hello there", "cancel my order", "i want a refund", "what is the weather like today", "pizza",
        "thank you very much", "my account number is wrong", "billing question", "maybe later",
        "the quick brown fox jumps over the lazy dog",
    ];

    public static readonly string[] Voices = [.. TelephonyAudio.FliteVoices, "espeak"];

    private readonly Lazy<SphinxRecognizer> _recognizer;
    private readonly ConcurrentDictionary<string, Lazy<short[]>> _audio = new();
    private readonly ConcurrentDictionary<string, Lazy<SphinxRecognition>> _results = new();

    public SphinxFixture()
    {
        WorkDirectory = Path.Combine(Path.GetTempPath(), "audioflow-stt-tests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(WorkDirectory);
        _recognizer = new Lazy<SphinxRecognizer>(() => new SphinxRecognizer(new SphinxOptions
        {
            PoolSize = 2,
            Log = message => LogMessages.Enqueue(message),
        }));
    }

    public string WorkDirectory { get; }

    public SphinxRecognizer Recognizer => _recognizer.Value;

    public ConcurrentQueue<string> LogMessages { get; } = new();

    public RecognitionContext FrontDesk { get; } = new(FrontDeskPhrases);

    /// <summary>Telephone-quality speech of <paramref name="text"/> by <paramref name="voice"/>, at the recogniser's rate.</summary>
    public short[] Speech(string text, string voice) =>
        _audio.GetOrAdd(voice + "|" + text, _ => new Lazy<short[]>(
            () => TelephonyAudio.Speak(text, voice, Recognizer.SampleRate, WorkDirectory))).Value;

    /// <summary>Memoised front-desk grammar recognition of <paramref name="text"/> spoken by <paramref name="voice"/>.</summary>
    public SphinxRecognition FrontDeskResult(string text, string voice) =>
        _results.GetOrAdd(voice + "|" + text, _ => new Lazy<SphinxRecognition>(
            () => Recognizer.RecognizeDetailed(Speech(text, voice), FrontDesk, CancellationToken.None))).Value;

    public void Dispose()
    {
        if (_recognizer.IsValueCreated)
        {
            _recognizer.Value.Dispose();
        }

        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
