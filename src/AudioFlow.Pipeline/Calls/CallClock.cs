using System.Diagnostics;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// The call's media clock. In production it is wall time (<see cref="Speed"/> = 1). Simulated calls
/// (<c>audioflow call --fast</c>) run it faster: playout paces and silence timers fire <see cref="Speed"/> times sooner,
/// matching a caller that also sends its audio that much faster. Turn detection never uses it: it counts frames.
/// </summary>
public sealed class CallClock
{
    private readonly long _start = Stopwatch.GetTimestamp();

    public CallClock(double speed = 1.0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(speed, 1.0);
        Speed = speed;
    }

    public static CallClock RealTime => new();

    public double Speed { get; }

    /// <summary>Media time since the clock started.</summary>
    public TimeSpan Now => Stopwatch.GetElapsedTime(_start) * Speed;

    /// <summary>The wall-clock duration of <paramref name="mediaTime"/> on this clock.</summary>
    public TimeSpan ToWall(TimeSpan mediaTime) => mediaTime / Speed;
}
