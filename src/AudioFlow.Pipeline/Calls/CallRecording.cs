using AudioFlow.Audio;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;
using AudioFlow.Audio.Resampling;
using AudioFlow.Audio.Wav;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// A call's stereo recording (caller left, agent right, 16-bit) at the inbound wire rate, both sides placed on the
/// call's media timeline: caller frames by their frame number, agent frames by the media time they were sent.
/// <para>Streamed to disk as the call goes: a frame slot is written once both sides are final for it — the caller's
/// frames have reached it (they come in order) and the call's media clock is <see cref="ClockMarginFrames"/> past it
/// (agent frames are stamped with the clock's time when sent, so none can come for an earlier slot). Memory stays at
/// a fraction of a second of audio whatever the call's length, and a node crash leaves a playable file up to about a
/// second before the crash (its header says "length unknown" until <see cref="Finish"/>). An agent frame for a slot
/// already written (only if the playout ran late by more than the margin) goes in the first open slot: nothing is
/// dropped, it is only shifted.</para>
/// <para>A disk error stops the recording (the call goes on); <see cref="Finish"/> then reports it. Thread-safe (the
/// two sides are fed from different parts of the graph); file writes are buffered and handed to the operating system
/// every second of audio.</para>
/// </summary>
public sealed class CallRecording
{
    /// <summary>How far (20 ms frames) behind the call's media clock a slot must be before it is written.</summary>
    public const int ClockMarginFrames = 10;

    /// <summary>Every this many frames (1 s) the file's buffer goes to the operating system, so a crash loses at most that.</summary>
    private const int FlushFrames = 50;

    private readonly object _gate = new();
    private readonly int _frameSamples;
    private readonly PayloadCodec _agentDecoder;
    private readonly Resampler? _agentResampler;
    private readonly List<short[]?> _caller = []; // open slots, from _written on
    private readonly List<short[]?> _agent = [];
    private readonly short[] _interleaved;
    private readonly Func<TimeSpan> _mediaNow;
    private WavStreamWriter? _writer;
    private Exception? _failure;
    private long _written; // slots written to the file
    private long _agentCursor;
    private bool _finished;

    /// <param name="mediaNow">The call's media clock, the time base of the agent frames' <c>mediaTime</c>.</param>
    public CallRecording(string path, MediaFormat inbound, MediaFormat outbound, Func<TimeSpan> mediaNow)
    {
        Path = path;
        _mediaNow = mediaNow;
        SampleRate = inbound.SampleRate;
        _frameSamples = FrameDuration.Samples(SampleRate);
        _interleaved = new short[_frameSamples * 2];
        _agentDecoder = PayloadCodec.For(outbound);
        _agentResampler = outbound.SampleRate == SampleRate ? null : Resampler.Create(outbound.SampleRate, SampleRate);
    }

    /// <summary>Where the WAV file goes (created with the first slot written).</summary>
    public string Path { get; }

    public int SampleRate { get; }

    /// <summary>The recording's length so far (written and still open slots).</summary>
    public TimeSpan Duration
    {
        get { lock (_gate) { return FrameTime(_written + Math.Max(_caller.Count, _agent.Count)); } }
    }

    /// <summary>One caller frame (PCM at the inbound wire rate) with its frame number.</summary>
    public void Caller(long frameIndex, short[] pcm)
    {
        lock (_gate)
        {
            if (_finished || frameIndex < _written)
            {
                return; // after the end, or a slot already written (frame numbers only grow: a replayed frame)
            }

            Place(_caller, frameIndex - _written, pcm);
            var clockSlot = (long)(_mediaNow().TotalMilliseconds / FrameDuration.Milliseconds);
            WriteSettled(Math.Min(frameIndex + 1, clockSlot - ClockMarginFrames));
        }
    }

    /// <summary>One agent frame as sent to the transport at <paramref name="mediaTime"/>.</summary>
    public void Agent(TimeSpan mediaTime, ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            var pcm = new short[_agentDecoder.SamplesIn(payload.Length)];
            _agentDecoder.Decode(payload, pcm);
            if (_agentResampler is not null)
            {
                var resampled = new short[_agentResampler.MaxOutputSamples(pcm.Length)];
                pcm = resampled[.._agentResampler.Process(pcm, resampled)];
            }

            var slot = Math.Max(Math.Max((long)(mediaTime.TotalMilliseconds / FrameDuration.Milliseconds), _agentCursor), _written);
            Place(_agent, slot - _written, pcm);
            _agentCursor = slot + 1;
        }
    }

    /// <summary>
    /// Writes what is still open, completes the file and returns the recording's duration. Throws
    /// <see cref="IOException"/> (or <see cref="UnauthorizedAccessException"/>) when the file could not be written,
    /// now or earlier in the call.
    /// </summary>
    public TimeSpan Finish()
    {
        lock (_gate)
        {
            if (!_finished)
            {
                _finished = true;
                WriteSettled(_written + Math.Max(_caller.Count, _agent.Count));
                try
                {
                    _writer?.Complete();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _failure ??= e;
                }

                _writer = null;
            }

            return _failure switch
            {
                null => FrameTime(_written),
                UnauthorizedAccessException denied => throw new UnauthorizedAccessException(denied.Message, denied),
                _ => throw new IOException(_failure.Message, _failure),
            };
        }
    }

    /// <summary>Writes every open slot before <paramref name="end"/> (silence where a side has nothing).</summary>
    private void WriteSettled(long end)
    {
        var count = (int)Math.Min(end - _written, Math.Max(_caller.Count, _agent.Count));
        if (count <= 0)
        {
            return;
        }

        if (_failure is null)
        {
            try
            {
                _writer ??= new WavStreamWriter(Path, SampleRate, channels: 2);
                for (var slot = 0; slot < count; slot++)
                {
                    Interleave(slot < _caller.Count ? _caller[slot] : null, slot < _agent.Count ? _agent[slot] : null);
                    _writer.Write(_interleaved);
                    if ((_written + slot + 1) % FlushFrames == 0)
                    {
                        _writer.Flush();
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _failure = e; // the recording stops here; the call does not
                _writer?.Dispose();
                _writer = null;
            }
        }

        _caller.RemoveRange(0, Math.Min(count, _caller.Count));
        _agent.RemoveRange(0, Math.Min(count, _agent.Count));
        _written += count;
    }

    private void Interleave(short[]? left, short[]? right)
    {
        for (var i = 0; i < _frameSamples; i++)
        {
            _interleaved[2 * i] = left is not null && i < left.Length ? left[i] : (short)0;
            _interleaved[(2 * i) + 1] = right is not null && i < right.Length ? right[i] : (short)0;
        }
    }

    private static TimeSpan FrameTime(long frames) => TimeSpan.FromMilliseconds(frames * (double)FrameDuration.Milliseconds);

    private static void Place(List<short[]?> open, long slot, short[] pcm)
    {
        while (open.Count <= slot)
        {
            open.Add(null);
        }

        open[(int)slot] = pcm;
    }
}
