namespace AudioFlow.Audio.Channel;

/// <summary>
/// Something a transport (SIP/RTP, a provider WebSocket, the loopback channel) tells the call.
/// Transports turn their wire protocol into these; the call graph never sees the wire.
/// </summary>
public abstract record InboundEvent;

/// <summary>
/// Caller audio, still encoded in the channel's <see cref="ICallChannel.InboundFormat"/> (normally one 20 ms frame;
/// the pipeline re-frames other sizes). <see cref="ReceivedAt"/> is the <see cref="System.Diagnostics.Stopwatch"/>
/// timestamp of arrival, taken when the transport creates the event: latency is measured from it.
/// </summary>
public sealed record InboundMedia(ReadOnlyMemory<byte> Payload) : InboundEvent
{
    public long ReceivedAt { get; init; } = System.Diagnostics.Stopwatch.GetTimestamp();
}

/// <summary>A DTMF digit pressed by the caller (0-9, *, #, A-D), whatever the signalling (RFC 4733, SIP INFO, provider event, in-band tone).</summary>
public sealed record InboundDtmf(char Digit, string Source) : InboundEvent;

/// <summary>The transport confirmed that audio up to the named mark was played to the caller.</summary>
public sealed record PlayoutMarkReached(string Name) : InboundEvent;

/// <summary>
/// The call is over from the transport's side (the caller hung up, the provider closed the stream, the connection
/// died); no more inbound events follow. <see cref="Reason"/> is the end reason as operators read it
/// ("caller hung up", "stream closed by the provider", "protocol error: ...").
/// </summary>
public sealed record CallerHungUp(string Reason) : InboundEvent;

/// <summary>
/// The transport met a problem it survived (a malformed message, an unknown event, a provider error report); the
/// call goes on. Journaled and counted; the transport has already logged it.
/// </summary>
public sealed record TransportProblem(string Kind, string Detail) : InboundEvent;

/// <summary>A transfer the call asked for finished (successfully or not).</summary>
public sealed record TransferResult(string Target, bool Succeeded, string Detail) : InboundEvent;

/// <summary>What the call tells its transport.</summary>
public abstract record OutboundCommand;

/// <summary>One 20 ms frame of agent audio, encoded in the channel's <see cref="ICallChannel.OutboundFormat"/>. Sent already paced.</summary>
public sealed record OutboundMedia(ReadOnlyMemory<byte> Payload) : OutboundCommand;

/// <summary>Drop whatever agent audio the transport or provider still holds (barge-in). Sent ahead of any queued audio.</summary>
public sealed record ClearPlayout : OutboundCommand;

/// <summary>Ask to be told (by <see cref="PlayoutMarkReached"/>) when the audio sent so far has been played.</summary>
public sealed record PlayoutMark(string Name) : OutboundCommand;

/// <summary>Blind-transfer the caller to <paramref name="Target"/> (a SIP URI or phone number).</summary>
public sealed record TransferCall(string Target) : OutboundCommand;

/// <summary>Send DTMF digits to the far end.</summary>
public sealed record SendDtmf(string Digits) : OutboundCommand;

/// <summary>End the call.</summary>
public sealed record HangUp(string Reason) : OutboundCommand;
