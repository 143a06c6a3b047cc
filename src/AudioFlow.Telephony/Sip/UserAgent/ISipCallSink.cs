using System.Diagnostics.Metrics;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Rtp.Session;

namespace AudioFlow.Telephony.Sip.UserAgent;

/// <summary>
/// Where answered SIP calls go: the host starts the call graph on the channel (AudioFlow's node sends a StartCall to
/// its calls supervisor). Keeps the telephony layer free of Akka.
/// </summary>
public interface ISipCallSink
{
    /// <summary>Starts the call; completes when the node took it, throws when it could not (the call is then ended with a BYE).</summary>
    Task StartCallAsync(ICallChannel channel, CancellationToken cancellationToken);
}

/// <summary>An <see cref="ISipCallSink"/> from a delegate.</summary>
public sealed class DelegateSipCallSink(Func<ICallChannel, CancellationToken, Task> start) : ISipCallSink
{
    public Task StartCallAsync(ICallChannel channel, CancellationToken cancellationToken) => start(channel, cancellationToken);
}

/// <summary>What the user agent knows about one call (active or finished), for operators and tests.</summary>
public sealed record SipCallInfo(
    string CallId,
    string SipCallId,
    string? From,
    string? To,
    string Transport,
    string RemoteSignaling,
    string? Format,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string State,
    string? EndReason,
    string? AnswerSdp,
    RtpSessionStatistics? Media);

/// <summary>SIP call counters (meter "AudioFlow").</summary>
public static class SipCallMetrics
{
    private static readonly Meter Meter = new("AudioFlow", "1.0");

    /// <summary>INVITEs that started a new call attempt, by outcome (answered, forbidden, unauthorized, not-acceptable, busy, cancelled, error).</summary>
    public static readonly Counter<long> Invites = Meter.CreateCounter<long>("audioflow.sip.invites");

    /// <summary>Calls ended, by kind (caller, agent, transferred, media-timeout, ack-timeout, rtcp-bye, shutdown, error).</summary>
    public static readonly Counter<long> CallsEnded = Meter.CreateCounter<long>("audioflow.sip.calls_ended");

    /// <summary>Calls up now.</summary>
    public static readonly UpDownCounter<long> ActiveCalls = Meter.CreateUpDownCounter<long>("audioflow.sip.active_calls");

    /// <summary>Blind transfers, by result (succeeded, refused, failed, timeout).</summary>
    public static readonly Counter<long> Transfers = Meter.CreateCounter<long>("audioflow.sip.transfers");

    /// <summary>DTMF digits received, by source (rfc4733, info, inband).</summary>
    public static readonly Counter<long> Digits = Meter.CreateCounter<long>("audioflow.sip.dtmf");

    /// <summary>Requests refused before any dialog (403 allow-list, 401/403 auth, 420, 481, 405, 501...), by status.</summary>
    public static readonly Counter<long> Refused = Meter.CreateCounter<long>("audioflow.sip.refused");

    internal static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
