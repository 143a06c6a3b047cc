namespace AudioFlow.Engines.Stt;

/// <summary>
/// What the recogniser should listen for. With <see cref="ExpectedPhrases"/> the recogniser may restrict
/// itself to them (a grammar built from the dialogue state); with null it decodes free-form speech.
/// </summary>
public sealed record RecognitionContext(IReadOnlyList<string>? ExpectedPhrases)
{
    public static readonly RecognitionContext FreeForm = new((IReadOnlyList<string>?)null);

    public bool HasGrammar => ExpectedPhrases is { Count: > 0 };
}

/// <summary>The result of decoding one caller utterance. Empty text means nothing was recognised.</summary>
public sealed record Transcript(string Text, float Confidence, bool FromGrammar)
{
    public static readonly Transcript Empty = new(string.Empty, 0f, false);

    public bool IsEmpty => string.IsNullOrWhiteSpace(Text);
}

/// <summary>
/// Speech-to-text for whole utterances (decoded when the caller's turn ends). The model is shared by
/// all calls; implementations are thread-safe and may block (native inference): callers run them off
/// the stream's thread.
/// </summary>
public interface ISpeechRecognizer : IDisposable
{
    string Name { get; }

    /// <summary>Sample rate the recogniser expects (16000 for the embedded engines).</summary>
    int SampleRate { get; }

    Transcript Recognize(ReadOnlySpan<short> utterance, RecognitionContext context, CancellationToken cancellationToken);
}
