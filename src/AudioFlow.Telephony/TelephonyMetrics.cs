using System.Diagnostics.Metrics;

namespace AudioFlow.Telephony;

/// <summary>Transport counters (meter "AudioFlow", like the pipeline's): what the network did to calls.</summary>
public static class TelephonyMetrics
{
    private static readonly Meter Meter = new("AudioFlow", "1.0");

    /// <summary>Stream messages that could not be used, by reason (malformed, unknown-event, oversize, binary, ...).</summary>
    public static readonly Counter<long> StreamProtocolErrors = Meter.CreateCounter<long>("audioflow.stream.protocol_errors");

    /// <summary>Stream connections refused before any audio, by reason (auth, format, ...).</summary>
    public static readonly Counter<long> StreamsRefused = Meter.CreateCounter<long>("audioflow.stream.refused");

    /// <summary>Streams that ended abnormally (connection lost, client stopped reading, ...).</summary>
    public static readonly Counter<long> StreamsAborted = Meter.CreateCounter<long>("audioflow.stream.aborted");

    /// <summary>Caller media chunks that arrived out of order and were put back in order.</summary>
    public static readonly Counter<long> MediaReordered = Meter.CreateCounter<long>("audioflow.stream.media_reordered");

    /// <summary>Provider REST calls (transfer, hang-up) that failed.</summary>
    public static readonly Counter<long> ProviderApiFailures = Meter.CreateCounter<long>("audioflow.provider.api_failures");

    public static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
