namespace AudioFlow.Telephony.Rtp;

/// <summary>
/// 64-bit NTP timestamps as RTCP uses them (RFC 3550 §4): seconds since 1900-01-01 UTC in the high 32 bits, the
/// fraction of a second in the low 32 bits. The "middle 32 bits" are what LSR echoes back.
/// </summary>
public static class NtpTimestamp
{
    private static readonly DateTimeOffset Epoch = new(1900, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The NTP timestamp of <paramref name="time"/> (resolution: .NET ticks, 100 ns).</summary>
    public static ulong FromDateTime(DateTimeOffset time)
    {
        long ticks = (time - Epoch).Ticks;
        ulong seconds = (ulong)(ticks / TimeSpan.TicksPerSecond);
        ulong remainder = (ulong)(ticks % TimeSpan.TicksPerSecond);
        ulong fraction = (remainder << 32) / TimeSpan.TicksPerSecond;
        return (seconds << 32) | fraction;
    }

    /// <summary>The instant an NTP timestamp denotes (era 0: 1900-2036).</summary>
    public static DateTimeOffset ToDateTime(ulong ntp)
    {
        long seconds = (long)(ntp >> 32);
        long fractionTicks = (long)(((ntp & 0xFFFF_FFFF) * (ulong)TimeSpan.TicksPerSecond) >> 32);
        return Epoch.AddTicks(seconds * TimeSpan.TicksPerSecond + fractionTicks);
    }

    /// <summary>The middle 32 bits (low 16 of the seconds, high 16 of the fraction): LSR's format.</summary>
    public static uint Middle32(ulong ntp) => (uint)(ntp >> 16);

    /// <summary>
    /// Round-trip time from a report block we received (RFC 3550 §6.4.1): arrival (as middle-32 NTP) − LSR − DLSR,
    /// or null when the peer has not received a sender report from us (LSR 0).
    /// </summary>
    public static TimeSpan? RoundTrip(uint arrivalMiddle32, uint lastSenderReport, uint delaySinceLastSenderReport)
    {
        if (lastSenderReport == 0)
        {
            return null;
        }

        uint rtt = arrivalMiddle32 - lastSenderReport - delaySinceLastSenderReport;
        if (rtt > 0x8000_0000)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromTicks(rtt * TimeSpan.TicksPerSecond / 65536);
    }
}
