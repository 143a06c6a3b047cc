using AudioFlow.Audio.Channel;

namespace AudioFlow.Telephony.Streams;

/// <summary>
/// A message a provider sends AudioFlow over a media-stream WebSocket, parsed out of its dialect's JSON.
/// Every dialect (Vobiz/Plivo, Twilio, Telnyx) maps onto these.
/// </summary>
public abstract record StreamMessage;

/// <summary>Twilio/Telnyx <c>connected</c>: the socket is up, <c>start</c> follows.</summary>
public sealed record StreamConnected : StreamMessage;

/// <summary>
/// <c>start</c>: the provider's call and stream ids, the media format of the audio it sends (and expects back),
/// custom parameters (Twilio <c>customParameters</c>, Telnyx <c>custom_parameters</c>, Plivo <c>extra_headers</c>),
/// and the numbers when the dialect carries them.
/// </summary>
public sealed record StreamStarted(
    string CallId,
    string StreamId,
    MediaFormat Format,
    IReadOnlyDictionary<string, string> Parameters,
    string? From,
    string? To) : StreamMessage;

/// <summary>
/// <c>media</c>: one chunk of caller audio, base64-decoded, in the stream's format (L16 as little-endian PCM).
/// <see cref="Sequence"/>, <see cref="Chunk"/> and <see cref="TimestampMs"/> are what the dialect carries (numbers
/// arrive as strings on Twilio/Telnyx), null where absent; Telnyx does not guarantee order, so the channel
/// reorders by them.
/// </summary>
public sealed record StreamMedia(byte[] Payload, long? Sequence, long? Chunk, long? TimestampMs, string? Track) : StreamMessage;

/// <summary><c>dtmf</c>: a key the caller pressed.</summary>
public sealed record StreamDtmf(char Digit) : StreamMessage;

/// <summary>A playout mark came back (Plivo/Vobiz <c>playedStream</c> or older <c>played</c>, Twilio/Telnyx <c>mark</c>).</summary>
public sealed record StreamMarkAcknowledged(string Name) : StreamMessage;

/// <summary>Plivo/Vobiz <c>clearedAudio</c>: the provider dropped the audio it held.</summary>
public sealed record StreamCleared : StreamMessage;

/// <summary><c>stop</c>: the stream (call) is over.</summary>
public sealed record StreamStopped(string? Reason) : StreamMessage;

/// <summary>An <c>error</c> event the provider reported (Telnyx, Plivo <c>playFailed</c>/<c>error</c>).</summary>
public sealed record StreamProviderError(string Message) : StreamMessage;

/// <summary>A well-formed message with an event AudioFlow does not use; logged and counted, never fatal.</summary>
public sealed record StreamUnknownEvent(string Event) : StreamMessage;

/// <summary>
/// A message that is not valid for its dialect: not JSON, no <c>event</c>, a required field missing or of the wrong
/// type, invalid base64. The message says which and where; the channel logs it with the call id and counts it.
/// </summary>
public sealed class StreamProtocolException(string message, Exception? inner = null) : Exception(message, inner);
