namespace AudioFlow.Engines.Vad;

/// <summary>
/// A VAD model file could not be used: it is missing, unreadable, or its inputs/outputs are not the ones
/// the engine was written for. The message names the file and what is wrong.
/// </summary>
public sealed class VadModelException : Exception
{
    public VadModelException(string modelPath, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ModelPath = modelPath;
    }

    /// <summary>The model file the engine tried to load.</summary>
    public string ModelPath { get; }
}
