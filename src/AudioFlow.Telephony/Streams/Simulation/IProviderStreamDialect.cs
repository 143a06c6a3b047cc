using AudioFlow.Audio.Channel;

namespace AudioFlow.Telephony.Streams.Simulation;

/// <summary>
/// One provider's media-stream wire protocol from the PROVIDER's side, for the simulator (<c>audioflow dial</c>):
/// build what the provider sends, parse what AudioFlow sends. The mirror of <see cref="IStreamDialect"/>: what one
/// builds the other parses. Pure functions, thread-safe; sequence numbers are the caller's to count.
/// </summary>
public interface IProviderStreamDialect
{
    /// <summary>"vobiz", "plivo", "twilio" or "telnyx".</summary>
    string Name { get; }

    /// <summary>The <c>connected</c> message (Twilio, Telnyx); null where the dialect opens with <c>start</c> (Plivo/Vobiz).</summary>
    string? Connected();

    /// <summary>The <c>start</c> message.</summary>
    /// <exception cref="ArgumentException">A format the provider does not stream (e.g. anything but µ-law 8 kHz on Twilio).</exception>
    string Start(ProviderStreamStart start);

    /// <summary>One chunk of caller audio (<c>media</c>), payload L16 little-endian when L16.</summary>
    string Media(string streamId, ReadOnlySpan<byte> payload, long sequenceNumber, long chunk, long timestampMs);

    /// <summary>A key the caller pressed (<c>dtmf</c>).</summary>
    /// <exception cref="ArgumentException">Not one of 0-9 * # A-D.</exception>
    string Dtmf(string streamId, char digit, long? sequenceNumber = null);

    /// <summary>The acknowledgement of a mark (Plivo/Vobiz <c>playedStream</c>, Twilio/Telnyx <c>mark</c>).</summary>
    string MarkAcknowledged(string streamId, string name, long? sequenceNumber = null);

    /// <summary>The acknowledgement of a clear (Plivo/Vobiz <c>clearedAudio</c>); null where the provider sends none.</summary>
    string? Cleared(string streamId, long? sequenceNumber = null);

    /// <summary>The <c>stop</c> message (the stream or call is over).</summary>
    string Stop(string streamId, string callId, long? sequenceNumber = null);

    /// <summary>Parses one message AudioFlow sent. Throws <see cref="StreamProtocolException"/> for an invalid one.</summary>
    ProviderCommand Parse(string json);
}

/// <summary>What a simulated provider puts in its <c>start</c> message.</summary>
/// <param name="CallId">Plivo <c>callId</c>, Twilio <c>callSid</c>, Telnyx <c>call_control_id</c>.</param>
/// <param name="StreamId">Plivo <c>streamId</c>, Twilio <c>streamSid</c>, Telnyx <c>stream_id</c>.</param>
/// <param name="Format">The stream's media format.</param>
public sealed record ProviderStreamStart(string CallId, string StreamId, MediaFormat Format)
{
    /// <summary>Custom parameters (Twilio <c>customParameters</c>, Telnyx <c>custom_parameters</c>, Plivo <c>extra_headers</c>).</summary>
    public IReadOnlyDictionary<string, string>? Parameters { get; init; }

    /// <summary>The caller's number (Telnyx only carries it).</summary>
    public string? From { get; init; }

    /// <summary>The called number (Telnyx only carries it).</summary>
    public string? To { get; init; }

    /// <summary>Plivo <c>accountId</c>, Twilio <c>accountSid</c>, Telnyx <c>user_id</c>; left out when null.</summary>
    public string? AccountId { get; init; }

    /// <summary>The message's sequence number (Plivo/Twilio <c>sequenceNumber</c>, Telnyx <c>sequence_number</c>).</summary>
    public long SequenceNumber { get; init; } = 1;

    /// <summary>Plivo/Vobiz only: the older flat shape (<c>streamId</c>, <c>callId</c>, <c>contentType</c> at the root).</summary>
    public bool FlatShape { get; init; }
}
