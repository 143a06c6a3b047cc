namespace AudioFlow.Telephony.Sip.Transactions;

/// <summary>
/// RFC 3261 timer values (§17, Table 4 of Appendix A). T1 is the round-trip estimate, T2 the cap of non-INVITE
/// request and INVITE response retransmission intervals, T4 how long a message may linger in the network. The
/// other timers derive from them; only Timer D and the 100 Trying delay are set separately.
/// </summary>
public sealed record SipTimerSettings
{
    public static SipTimerSettings Default { get; } = new();

    public TimeSpan T1 { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan T2 { get; init; } = TimeSpan.FromSeconds(4);

    public TimeSpan T4 { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Timer D: wait time for response retransmissions in an INVITE client transaction (≥ 32 s over UDP).</summary>
    public TimeSpan TimerD { get; init; } = TimeSpan.FromSeconds(32);

    /// <summary>
    /// An INVITE server transaction sends 100 Trying when the TU has not responded within this delay (§17.2.1
    /// says 200 ms). Zero sends it at once.
    /// </summary>
    public TimeSpan TryingDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>64*T1: timers B, F, H, J, L, M and the 2xx give-up time of §13.3.1.4.</summary>
    public TimeSpan SixtyFourT1 => T1 * 64;

    public TimeSpan TimerA => T1;

    public TimeSpan TimerB => SixtyFourT1;

    public TimeSpan TimerE => T1;

    public TimeSpan TimerF => SixtyFourT1;

    public TimeSpan TimerG => T1;

    public TimeSpan TimerH => SixtyFourT1;

    public TimeSpan TimerI => T4;

    public TimeSpan TimerJ => SixtyFourT1;

    public TimeSpan TimerK => T4;

    /// <summary>RFC 6026 Timer L: how long an INVITE server transaction stays Accepted after a 2xx.</summary>
    public TimeSpan TimerL => SixtyFourT1;

    /// <summary>RFC 6026 Timer M: how long an INVITE client transaction stays Accepted after a 2xx.</summary>
    public TimeSpan TimerM => SixtyFourT1;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(T1, TimeSpan.Zero, nameof(T1));
        ArgumentOutOfRangeException.ThrowIfLessThan(T2, T1, nameof(T2));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(T4, TimeSpan.Zero, nameof(T4));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(TimerD, TimeSpan.Zero, nameof(TimerD));
        ArgumentOutOfRangeException.ThrowIfLessThan(TryingDelay, TimeSpan.Zero, nameof(TryingDelay));
    }
}
