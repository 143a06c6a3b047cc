using AudioFlow.Audio.Channel;

namespace AudioFlow.Telephony.Streams.Simulation;

/// <summary>
/// A command AudioFlow sent a (simulated) provider over the media-stream WebSocket, parsed out of its dialect's JSON
/// by an <see cref="IProviderStreamDialect"/>.
/// </summary>
public abstract record ProviderCommand;

/// <summary>
/// Play this audio (Plivo <c>playAudio</c>, Twilio/Telnyx <c>media</c>), base64-decoded; L16 little-endian.
/// <see cref="Format"/> is what the message names (Plivo's <c>contentType</c>/<c>sampleRate</c>; µ-law 8 kHz for
/// Twilio), null where the dialect does not carry it (Telnyx: the stream's codec).
/// </summary>
public sealed record PlayAudio(byte[] Payload, MediaFormat? Format = null) : ProviderCommand;

/// <summary>A playout mark to acknowledge once the audio before it has played (Plivo <c>checkpoint</c>, Twilio/Telnyx <c>mark</c>).</summary>
public sealed record MarkRequested(string Name) : ProviderCommand;

/// <summary>Drop the buffered audio (Plivo <c>clearAudio</c>, Twilio/Telnyx <c>clear</c>).</summary>
public sealed record ClearRequested : ProviderCommand;

/// <summary>Send these DTMF digits to the caller (Plivo <c>sendDTMF</c>).</summary>
public sealed record DtmfRequested(string Digits) : ProviderCommand;

/// <summary>End the stream (Plivo/Vobiz <c>stop</c>).</summary>
public sealed record StopRequested : ProviderCommand;

/// <summary>A well-formed message with an event the dialect does not define (a real provider would reject or ignore it).</summary>
public sealed record UnknownCommand(string Event) : ProviderCommand;
