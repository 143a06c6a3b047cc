using System.Diagnostics.Metrics;

namespace AudioFlow.Telephony.Rtp.Session;

/// <summary>Settings of the RTP sessions of a node (one instance shared by every call).</summary>
public sealed record RtpSessionOptions
{
    /// <summary>No RTP for this long while RTP is expected (not on hold) ends the call. Zero: never.</summary>
    public TimeSpan MediaTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Jitter buffer settings (the format is set per call).</summary>
    public TimeSpan JitterMinDelay { get; init; } = TimeSpan.FromMilliseconds(40);

    public TimeSpan JitterMaxDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Agent frames held at most (a paced call graph keeps ~3: its playout lead); beyond, the oldest is dropped.</summary>
    public int MaxQueuedFrames { get; init; } = 25;

    /// <summary>RFC 4733 digits we send: tone length and the pause after each.</summary>
    public TimeSpan DtmfToneDuration { get; init; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan DtmfGap { get; init; } = TimeSpan.FromMilliseconds(60);

    /// <summary>After an RTCP BYE, how long a new source has to appear before the peer counts as gone.</summary>
    public TimeSpan RemoteByeGrace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Packets from a new source address are latched onto (symmetric RTP) once the latched one has been silent this
    /// long (the peer moved: NAT rebinding, a media server switch). Before the first packet any source is latched.
    /// </summary>
    public TimeSpan RelatchAfter { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The RTCP CNAME (RFC 3550 §6.5.1); one per node is fine.</summary>
    public string Cname { get; init; } = "audioflow@" + Environment.MachineName;

    /// <summary>The clock that ticks the sessions; the process-wide one by default.</summary>
    public RtpMediaClock? Clock { get; init; }

    internal RtpMediaClock EffectiveClock => Clock ?? RtpMediaClock.Shared;
}

/// <summary>RTP counters (meter "AudioFlow"), tagged by nothing call-specific: what the network did to the node's calls.</summary>
public static class RtpSessionMetrics
{
    private static readonly Meter Meter = new("AudioFlow", "1.0");

    public static readonly Counter<long> PacketsReceived = Meter.CreateCounter<long>("audioflow.rtp.packets_received");

    public static readonly Counter<long> PacketsSent = Meter.CreateCounter<long>("audioflow.rtp.packets_sent");

    /// <summary>Frames the jitter buffer reported lost (packets missing at their playout time): delivered as codec silence.</summary>
    public static readonly Counter<long> FramesLost = Meter.CreateCounter<long>("audioflow.rtp.frames_lost");

    /// <summary>Packets that arrived after their playout time and were dropped.</summary>
    public static readonly Counter<long> LatePackets = Meter.CreateCounter<long>("audioflow.rtp.late_packets");

    /// <summary>Datagrams on an RTP/RTCP port that did not parse.</summary>
    public static readonly Counter<long> Malformed = Meter.CreateCounter<long>("audioflow.rtp.malformed");

    /// <summary>Calls ended because no RTP arrived (media timeout).</summary>
    public static readonly Counter<long> MediaTimeouts = Meter.CreateCounter<long>("audioflow.rtp.media_timeouts");

    /// <summary>Agent frames dropped: cleared by barge-in, on hold, or over the queue bound.</summary>
    public static readonly Counter<long> OutboundDropped = Meter.CreateCounter<long>("audioflow.rtp.outbound_dropped");

    /// <summary>Ticks that delivered a session's frame more than 60 ms after it was due (frames then catch up).</summary>
    public static readonly Counter<long> LateTicks = Meter.CreateCounter<long>("audioflow.rtp.late_ticks");

    internal static KeyValuePair<string, object?> Tag(string name, object? value) => new(name, value);
}
