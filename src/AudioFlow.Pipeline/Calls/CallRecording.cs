using AudioFlow.Audio;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;
using AudioFlow.Audio.Resampling;
using AudioFlow.Audio.Wav;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// A call's stereo recording (caller left, agent right) at the inbound wire rate, both sides placed on the call's
/// media timeline: caller frames by their frame number, agent frames by the media time they were sent. Kept in memory
/// (8 kHz: ~115 MB per hour of call) and written as a WAV file when the call ends. Thread-safe (the two sides are
/// fed from different parts of the graph).
/// </summary>
public sealed class CallRecording
{
    private readonly object _gate = new();
    private readonly int _frameSamples;
    private readonly PayloadCodec _agentDecoder;
    private readonly Resampler? _agentResampler;
    private readonly List<short[]?> _caller = [];
    private readonly List<short[]?> _agent = [];
    private long _agentCursor;

    public CallRecording(MediaFormat inbound, MediaFormat outbound)
    {
        SampleRate = inbound.SampleRate;
        _frameSamples = FrameDuration.Samples(SampleRate);
        _agentDecoder = PayloadCodec.For(outbound);
        _agentResampler = outbound.SampleRate == SampleRate ? null : Resampler.Create(outbound.SampleRate, SampleRate);
    }

    public int SampleRate { get; }

    public TimeSpan Duration
    {
        get { lock (_gate) { return TimeSpan.FromMilliseconds(Math.Max(_caller.Count, _agent.Count) * (double)FrameDuration.Milliseconds); } }
    }

    /// <summary>One caller frame (PCM at the inbound wire rate) with its frame number.</summary>
    public void Caller(long frameIndex, short[] pcm)
    {
        lock (_gate)
        {
            Place(_caller, frameIndex, pcm);
        }
    }

    /// <summary>One agent frame as sent to the transport at <paramref name="mediaTime"/>.</summary>
    public void Agent(TimeSpan mediaTime, ReadOnlySpan<byte> payload)
    {
        lock (_gate)
        {
            var pcm = new short[_agentDecoder.SamplesIn(payload.Length)];
            _agentDecoder.Decode(payload, pcm);
            if (_agentResampler is not null)
            {
                var resampled = new short[_agentResampler.MaxOutputSamples(pcm.Length)];
                pcm = resampled[.._agentResampler.Process(pcm, resampled)];
            }

            var slot = Math.Max((long)(mediaTime.TotalMilliseconds / FrameDuration.Milliseconds), _agentCursor);
            Place(_agent, slot, pcm);
            _agentCursor = slot + 1;
        }
    }

    /// <summary>Writes the stereo WAV (16-bit) and returns its duration.</summary>
    public TimeSpan Save(string path)
    {
        lock (_gate)
        {
            var frames = Math.Max(_caller.Count, _agent.Count);
            var stereo = new short[frames * _frameSamples * 2];
            for (var f = 0; f < frames; f++)
            {
                var left = f < _caller.Count ? _caller[f] : null;
                var right = f < _agent.Count ? _agent[f] : null;
                for (var i = 0; i < _frameSamples; i++)
                {
                    var at = ((f * _frameSamples) + i) * 2;
                    stereo[at] = left is not null && i < left.Length ? left[i] : (short)0;
                    stereo[at + 1] = right is not null && i < right.Length ? right[i] : (short)0;
                }
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            WavFile.Write(path, stereo, SampleRate, channels: 2);
            return TimeSpan.FromMilliseconds(frames * (double)FrameDuration.Milliseconds);
        }
    }

    private static void Place(List<short[]?> track, long slot, short[] pcm)
    {
        while (track.Count <= slot)
        {
            track.Add(null);
        }

        track[(int)slot] = pcm;
    }
}
