namespace AudioFlow.Engines.Stt;

/// <summary>
/// A speech recogniser could not be created or could not decode: a native library or a model file is
/// missing or unreadable, the engine rejected its configuration or a grammar. The message names what
/// is wrong and, where there is one, how to fix it (e.g. which Debian package to install).
/// </summary>
public sealed class SpeechEngineException : Exception
{
    public SpeechEngineException(string message)
        : base(message)
    {
    }

    public SpeechEngineException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
