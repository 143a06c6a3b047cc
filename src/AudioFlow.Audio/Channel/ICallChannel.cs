using System.Threading.Channels;

namespace AudioFlow.Audio.Channel;

/// <summary>
/// The transport-neutral contract between a transport and one call's graph.
/// Inbound events arrive in order on <see cref="Inbound"/>; the call writes paced audio and commands with
/// <see cref="SendAsync"/>. A transport completes <see cref="Inbound"/> after <see cref="CallerHungUp"/>.
/// Implementations must be safe for one reader and one writer running concurrently.
/// </summary>
public interface ICallChannel
{
    /// <summary>Globally unique id of the call (logs, metrics, journal).</summary>
    string CallId { get; }

    /// <summary>Transport name for logs and the journal ("loopback", "sip", "twilio", ...).</summary>
    string Transport { get; }

    MediaFormat InboundFormat { get; }

    MediaFormat OutboundFormat { get; }

    ChannelReader<InboundEvent> Inbound { get; }

    /// <summary>The caller's number as the transport knows it (journal only; never logged), null if unknown.</summary>
    string? From => null;

    /// <summary>The number called, null if unknown.</summary>
    string? To => null;

    /// <summary>The provider's or trunk's own id of the call (Twilio CallSid, SIP Call-ID), null if none.</summary>
    string? ProviderCallId => null;

    /// <summary>Sends one command. <see cref="ClearPlayout"/> must overtake media the transport still queues.</summary>
    ValueTask SendAsync(OutboundCommand command, CancellationToken cancellationToken = default);
}
