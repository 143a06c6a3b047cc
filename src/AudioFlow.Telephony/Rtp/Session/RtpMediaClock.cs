using System.Diagnostics;

namespace AudioFlow.Telephony.Rtp.Session;

/// <summary>Something driven by an <see cref="RtpMediaClock"/> (an <see cref="RtpSession"/>).</summary>
public interface IRtpClockListener
{
    /// <summary>
    /// One tick, <paramref name="now"/> being the <see cref="Stopwatch"/> timestamp of the tick. Must not block: every
    /// session of the node shares the clock's thread. Ticks can come late or be skipped; listeners catch up by time.
    /// </summary>
    void OnTick(long now);
}

/// <summary>
/// The 20 ms heartbeat of the RTP sessions: one dedicated thread ticks every registered session in turn, on a
/// schedule kept against the <see cref="Stopwatch"/> (not drifting with the sleep overshoot). One thread for all calls
/// costs less than a timer per call and keeps the sessions' ticks aligned; what a tick does is bounded and
/// non-blocking (a jitter buffer pull, a channel write, a non-blocking UDP send). If the thread falls more than
/// 200 ms behind (machine overloaded), the schedule restarts from now and the sessions catch up by elapsed time.
/// <para>The thread starts with the first listener and idles (a long sleep) while there is none.</para>
/// </summary>
public sealed class RtpMediaClock : IDisposable
{
    private static readonly Lazy<RtpMediaClock> SharedClock = new(() => new RtpMediaClock());

    private readonly object _gate = new();
    private readonly long _periodTicks;
    private readonly ManualResetEventSlim _wake = new(false);
    private IRtpClockListener[] _listeners = [];
    private Thread? _thread;
    private volatile bool _stopped;
    private long _ticks;
    private long _overruns;
    private long _maxTickWork;
    private long _lateTicks;
    private long _maxLateness;

    /// <summary>A clock with the given period (20 ms for audio frames).</summary>
    public RtpMediaClock(TimeSpan? period = null)
    {
        Period = period ?? TimeSpan.FromMilliseconds(20);
        ArgumentOutOfRangeException.ThrowIfLessThan(Period, TimeSpan.FromMilliseconds(1), nameof(period));
        _periodTicks = (long)(Period.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>The clock shared by the sessions of this process (a media clock has no state worth isolating).</summary>
    public static RtpMediaClock Shared => SharedClock.Value;

    public TimeSpan Period { get; }

    /// <summary>Listeners registered now.</summary>
    public int Count => Volatile.Read(ref _listeners).Length;

    /// <summary>Ticks so far.</summary>
    public long Ticks => Interlocked.Read(ref _ticks);

    /// <summary>Ticks whose listeners took longer than one period (the machine cannot keep up).</summary>
    public long Overruns => Interlocked.Read(ref _overruns);

    /// <summary>The longest time one tick's work took.</summary>
    public TimeSpan MaxTickWork => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _maxTickWork));

    /// <summary>Ticks that came more than one period after their scheduled time (the thread was not scheduled in time).</summary>
    public long LateTicks => Interlocked.Read(ref _lateTicks);

    /// <summary>The largest delay of a tick behind its schedule.</summary>
    public TimeSpan MaxLateness => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _maxLateness));

    public void Add(IRtpClockListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopped, this);
            _listeners = [.. _listeners, listener];
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "rtp-media-clock", Priority = ThreadPriority.AboveNormal };
                _thread.Start();
            }

            _wake.Set();
        }
    }

    public void Remove(IRtpClockListener listener)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_listeners, listener);
            if (index < 0)
            {
                return;
            }

            var copy = new IRtpClockListener[_listeners.Length - 1];
            Array.Copy(_listeners, 0, copy, 0, index);
            Array.Copy(_listeners, index + 1, copy, index, copy.Length - index);
            _listeners = copy;
        }
    }

    private void Run()
    {
        var next = Stopwatch.GetTimestamp();
        while (!_stopped)
        {
            var listeners = Volatile.Read(ref _listeners);
            if (listeners.Length == 0)
            {
                _wake.Reset();
                if (Volatile.Read(ref _listeners).Length == 0)
                {
                    _wake.Wait(TimeSpan.FromSeconds(1));
                }

                next = Stopwatch.GetTimestamp();
                continue;
            }

            next += _periodTicks;
            var now = Stopwatch.GetTimestamp();
            var wait = next - now;
            if (wait > 0)
            {
                var ms = (int)Math.Ceiling(wait * 1000.0 / Stopwatch.Frequency);
                Thread.Sleep(ms);
                now = Stopwatch.GetTimestamp();
            }

            var lateness = now - next;
            if (lateness > _periodTicks)
            {
                Interlocked.Increment(ref _lateTicks);
            }

            if (lateness > Interlocked.Read(ref _maxLateness))
            {
                Interlocked.Exchange(ref _maxLateness, lateness);
            }

            if (lateness > _periodTicks * 10)
            {
                next = now; // far behind: restart the schedule, listeners catch up by elapsed time
            }

            Interlocked.Increment(ref _ticks);
            foreach (var listener in listeners)
            {
                try
                {
                    listener.OnTick(now);
                }
                catch (Exception)
                {
                    // a listener's own failure must not stop every other call's media; sessions log their errors
                }
            }

            var work = Stopwatch.GetTimestamp() - now;
            if (work > _periodTicks)
            {
                Interlocked.Increment(ref _overruns);
            }

            if (work > Interlocked.Read(ref _maxTickWork))
            {
                Interlocked.Exchange(ref _maxTickWork, work);
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (ReferenceEquals(this, SharedClock.IsValueCreated ? SharedClock.Value : null))
            {
                return; // the shared clock lives as long as the process
            }

            _stopped = true;
            _wake.Set();
        }

        _thread?.Join(TimeSpan.FromSeconds(1));
    }
}
