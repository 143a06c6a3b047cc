namespace AudioFlow.Audio.Wav;

/// <summary>The bytes are not a WAV file AudioFlow can read; the message says why (for logs and operators).</summary>
public sealed class WavFormatException : FormatException
{
    public WavFormatException(string message)
        : base(message)
    {
    }

    public WavFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
