namespace AudioFlow.Telephony.Streams;

/// <summary>
/// A dialect that also parses a received WebSocket text frame straight from its UTF-8 bytes, skipping the string
/// (every dialect in this folder implements it). Same results and exceptions as <see cref="IStreamDialect.Parse"/>.
/// </summary>
public interface IUtf8StreamDialect : IStreamDialect
{
    /// <summary>Parses one UTF-8 text message. The bytes are not kept. Throws <see cref="StreamProtocolException"/> for an invalid one.</summary>
    StreamMessage Parse(ReadOnlyMemory<byte> utf8);
}
