namespace AudioFlow.Engines.Tts;

/// <summary>
/// A speech synthesiser could not be created or could not synthesise: its native library or data is
/// missing, the voice is unknown, or the engine reported an error. The message names the library or
/// voice and, where there is one, the Debian package that fixes it.
/// </summary>
public sealed class SpeechSynthesisException : Exception
{
    public SpeechSynthesisException(string message)
        : base(message)
    {
    }

    public SpeechSynthesisException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
