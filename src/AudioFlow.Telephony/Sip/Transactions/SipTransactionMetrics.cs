using System.Diagnostics.Metrics;

namespace AudioFlow.Telephony.Sip.Transactions;

/// <summary>SIP transaction counters (meter "AudioFlow").</summary>
public static class SipTransactionMetrics
{
    private static readonly Meter Meter = new("AudioFlow", "1.0");

    /// <summary>Transactions created, tagged side (server/client) and method.</summary>
    public static readonly Counter<long> Created = Meter.CreateCounter<long>("audioflow.sip.transactions");

    /// <summary>Messages retransmitted by the stack, tagged what (request/response/2xx/ack) and method.</summary>
    public static readonly Counter<long> Retransmissions = Meter.CreateCounter<long>("audioflow.sip.retransmissions");

    /// <summary>Request or response retransmissions received and absorbed, tagged what and method.</summary>
    public static readonly Counter<long> Absorbed = Meter.CreateCounter<long>("audioflow.sip.retransmissions_absorbed");

    /// <summary>Transactions that timed out, tagged timer (B, F, H) and method; and 2xx never ACKed (timer "2xx").</summary>
    public static readonly Counter<long> Timeouts = Meter.CreateCounter<long>("audioflow.sip.transaction_timeouts");

    /// <summary>CANCELs received, tagged result (cancelled, too-late, no-transaction).</summary>
    public static readonly Counter<long> Cancels = Meter.CreateCounter<long>("audioflow.sip.cancels");

    /// <summary>Responses that matched no client transaction, tagged handling (to-tu/dropped).</summary>
    public static readonly Counter<long> StrayResponses = Meter.CreateCounter<long>("audioflow.sip.stray_responses");

    internal static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
