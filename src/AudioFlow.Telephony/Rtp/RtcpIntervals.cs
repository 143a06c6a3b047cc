namespace AudioFlow.Telephony.Rtp;

/// <summary>
/// When to send the next RTCP report (RFC 3550 §6.2, §6.3.1, A.7), simplified for what AudioFlow is: a point-to-point
/// call with two members that are both senders.
/// <list type="bullet">
/// <item><see cref="DeterministicInterval"/> is A.7's computation (RTCP bandwidth share, average compound size, the
/// 5 s minimum, halved before the first report).</item>
/// <item><see cref="Next"/> randomises it uniformly over [0.5, 1.5]× and divides by e − 3/2 (the compensation for timer
/// reconsideration), so with the defaults a report goes out every 2.05 – 6.16 s, 4.1 s on average.</item>
/// <item>Not implemented (harmless for two members): timer reconsideration (§6.3.3, §6.3.6), reverse reconsideration
/// on BYE, member timeouts, the BYE back-off for large sessions.</item>
/// </list>
/// Not thread-safe; the random source is per instance (seed it in tests).
/// </summary>
public sealed class RtcpIntervals
{
    /// <summary>RFC 3550's recommended minimum interval.</summary>
    public static readonly TimeSpan MinimumInterval = TimeSpan.FromSeconds(5);

    /// <summary>e − 3/2: the compensation factor of A.7.</summary>
    public const double Compensation = 2.71828 - 1.5;

    private readonly Random _random;

    /// <summary>Intervals for a session of <paramref name="sessionBandwidthBitsPerSecond"/> (RTCP gets 5% of it).</summary>
    public RtcpIntervals(Random? random = null, double sessionBandwidthBitsPerSecond = 80_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sessionBandwidthBitsPerSecond);
        _random = random ?? new Random();
        RtcpBandwidthBytesPerSecond = sessionBandwidthBitsPerSecond * 0.05 / 8;
    }

    /// <summary>RTCP's share of the session bandwidth, in octets per second.</summary>
    public double RtcpBandwidthBytesPerSecond { get; }

    /// <summary>Running average of compound packet sizes including UDP/IP headers (A.7's avg_rtcp_size), octets.</summary>
    public double AverageRtcpSize { get; private set; } = 128;

    /// <summary>Whether the first report has been scheduled.</summary>
    public bool Initial { get; private set; } = true;

    /// <summary>Records the size of a compound packet sent or received (payload bytes; 28 bytes of UDP/IPv4 are added).</summary>
    public void OnPacket(int rtcpBytes) => AverageRtcpSize = (rtcpBytes + 28) / 16.0 + AverageRtcpSize * 15.0 / 16.0;

    /// <summary>The randomised interval until the next report (the first call gives the shorter initial interval).</summary>
    public TimeSpan Next(bool weSent = true)
    {
        TimeSpan t = DeterministicInterval(2, weSent ? 2 : 1, RtcpBandwidthBytesPerSecond, weSent, AverageRtcpSize, Initial);
        Initial = false;
        return Randomize(t);
    }

    /// <summary>A.7's randomisation: × U[0.5, 1.5) / (e − 3/2).</summary>
    public TimeSpan Randomize(TimeSpan deterministic) =>
        TimeSpan.FromTicks((long)(deterministic.Ticks * (_random.NextDouble() + 0.5) / Compensation));

    /// <summary>
    /// A.7's deterministic interval: members share RTCP bandwidth (senders get 25% when they are at most a quarter of the
    /// members), at least <see cref="MinimumInterval"/> (half of it before the first report).
    /// </summary>
    public static TimeSpan DeterministicInterval(
        int members, int senders, double rtcpBandwidthBytesPerSecond, bool weSent, double averageRtcpSize, bool initial)
    {
        double minimum = MinimumInterval.TotalSeconds * (initial ? 0.5 : 1);
        double bandwidth = rtcpBandwidthBytesPerSecond;
        double n = Math.Max(1, members);
        if (senders <= members * 0.25)
        {
            if (weSent)
            {
                bandwidth *= 0.25;
                n = Math.Max(1, senders);
            }
            else
            {
                bandwidth *= 0.75;
                n = Math.Max(1, members - senders);
            }
        }

        double t = bandwidth > 0 ? averageRtcpSize * n / bandwidth : minimum;
        return TimeSpan.FromSeconds(Math.Max(t, minimum));
    }
}
