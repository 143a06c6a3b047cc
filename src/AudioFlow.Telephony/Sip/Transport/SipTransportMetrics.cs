using System.Diagnostics.Metrics;

namespace AudioFlow.Telephony.Sip.Transport;

/// <summary>SIP transport counters (meter "AudioFlow", like the rest of AudioFlow's metrics).</summary>
public static class SipTransportMetrics
{
    public const string MeterName = "AudioFlow";

    private static readonly Meter Meter = new(MeterName, "1.0");

    /// <summary>Messages parsed and handed up, tagged transport and type (request/response).</summary>
    public static readonly Counter<long> MessagesReceived = Meter.CreateCounter<long>("audioflow.sip.messages_received");

    /// <summary>Messages sent, tagged transport and type.</summary>
    public static readonly Counter<long> MessagesSent = Meter.CreateCounter<long>("audioflow.sip.messages_sent");

    /// <summary>Input that did not parse, tagged transport, kind (SipParseErrorKind) and answered (true when a 400/505/513 went back).</summary>
    public static readonly Counter<long> Malformed = Meter.CreateCounter<long>("audioflow.sip.malformed");

    /// <summary>Well-formed messages thrown away, tagged transport and reason (via-mismatch, connection-limit...).</summary>
    public static readonly Counter<long> Dropped = Meter.CreateCounter<long>("audioflow.sip.dropped");

    /// <summary>Sends that failed, tagged transport.</summary>
    public static readonly Counter<long> SendFailures = Meter.CreateCounter<long>("audioflow.sip.send_failures");

    /// <summary>RFC 5626 CRLF keep-alive pings answered, tagged transport.</summary>
    public static readonly Counter<long> KeepAlives = Meter.CreateCounter<long>("audioflow.sip.keepalives");

    /// <summary>Open TCP connections, tagged direction (inbound/outbound).</summary>
    public static readonly UpDownCounter<long> TcpConnections = Meter.CreateUpDownCounter<long>("audioflow.sip.tcp.connections");

    internal static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}

/// <summary>Counters of one <see cref="SipTransport"/> instance (the meter aggregates all of them).</summary>
public sealed class SipTransportStatistics
{
    private long _received;
    private long _sent;
    private long _malformed;
    private long _malformedAnswered;
    private long _dropped;
    private long _sendFailures;
    private long _keepAlives;

    public long MessagesReceived => Interlocked.Read(ref _received);

    public long MessagesSent => Interlocked.Read(ref _sent);

    /// <summary>Malformed input, answered or not.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>Malformed requests that got a 400/505/513.</summary>
    public long MalformedAnswered => Interlocked.Read(ref _malformedAnswered);

    public long Dropped => Interlocked.Read(ref _dropped);

    public long SendFailures => Interlocked.Read(ref _sendFailures);

    public long KeepAlives => Interlocked.Read(ref _keepAlives);

    internal void OnReceived() => Interlocked.Increment(ref _received);

    internal void OnSent() => Interlocked.Increment(ref _sent);

    internal void OnMalformed(bool answered)
    {
        Interlocked.Increment(ref _malformed);
        if (answered)
        {
            Interlocked.Increment(ref _malformedAnswered);
        }
    }

    internal void OnDropped() => Interlocked.Increment(ref _dropped);

    internal void OnSendFailure() => Interlocked.Increment(ref _sendFailures);

    internal void OnKeepAlive() => Interlocked.Increment(ref _keepAlives);

    public override string ToString() =>
        $"received {MessagesReceived}, sent {MessagesSent}, malformed {Malformed} ({MalformedAnswered} answered), " +
        $"dropped {Dropped}, send failures {SendFailures}, keep-alives {KeepAlives}";
}
