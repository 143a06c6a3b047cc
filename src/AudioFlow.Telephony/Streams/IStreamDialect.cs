using AudioFlow.Audio.Channel;

namespace AudioFlow.Telephony.Streams;

/// <summary>
/// One provider's media-stream wire protocol, AudioFlow's side: parse what the provider sends, build what AudioFlow
/// sends. Pure functions between JSON text and messages: no sockets, no state. Thread-safe.
/// </summary>
public interface IStreamDialect
{
    /// <summary>"vobiz", "plivo", "twilio" or "telnyx".</summary>
    string Name { get; }

    /// <summary>Whether the provider echoes pending marks when it clears (Twilio, Telnyx): an echo then does not mean "played".</summary>
    bool EchoesMarksOnClear { get; }

    /// <summary>Parses one text message. Throws <see cref="StreamProtocolException"/> for an invalid one.</summary>
    StreamMessage Parse(string json);

    /// <summary>One chunk of agent audio (Plivo <c>playAudio</c>, Twilio/Telnyx <c>media</c>); L16 given little-endian.</summary>
    string Media(string streamId, ReadOnlySpan<byte> payload, MediaFormat format);

    /// <summary>A playout mark (Plivo <c>checkpoint</c>, Twilio/Telnyx <c>mark</c>).</summary>
    string Mark(string streamId, string name);

    /// <summary>Drop buffered agent audio (Plivo <c>clearAudio</c>, Twilio/Telnyx <c>clear</c>).</summary>
    string Clear(string streamId);

    /// <summary>Send DTMF to the caller; null where the dialect cannot (then the channel ignores the command with a log line).</summary>
    string? SendDtmf(string streamId, string digits);

    /// <summary>End the stream from AudioFlow's side (Plivo/Vobiz <c>stop</c>); null where the dialect has no such message (close the socket).</summary>
    string? Stop(string streamId);
}
