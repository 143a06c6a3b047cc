namespace AudioFlow.Engines.Tts;

/// <summary>
/// Text-to-speech for one sentence at a time, so the first sentence of a reply can play while the
/// next is synthesised. The voice is shared by all calls; implementations are thread-safe and may block.
/// </summary>
public interface ISpeechSynthesizer : IDisposable
{
    string Name { get; }

    /// <summary>Sample rate of the PCM16 mono audio <see cref="Synthesize"/> returns.</summary>
    int SampleRate { get; }

    short[] Synthesize(string sentence, CancellationToken cancellationToken);
}
