using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Resampling;

namespace AudioFlow.Audio.Codecs;

/// <summary>
/// Converts 20 ms payload frames of one format into another, for a call whose wire codec changed mid-call (a SIP
/// re-INVITE from PCMU to PCMA, or between G.711 and G.722) while the call graph keeps the format it started with:
/// decode, resample when the rates differ (8 ↔ 16 kHz), encode. One frame in, one frame out, always of the target's
/// frame size (the resampler's start-up delay is filled with silence). Stateful (G.722 ADPCM, resampler history):
/// one instance per call per direction. Not thread-safe.
/// </summary>
public sealed class PayloadTranscoder
{
    private readonly PayloadCodec _decoder;
    private readonly PayloadCodec _encoder;
    private readonly Resampler? _resampler;
    private readonly int _targetSamples;
    private readonly Queue<short> _pending = new();
    private short[] _decoded = [];
    private short[] _resampled = [];
    private readonly short[] _frame;

    public PayloadTranscoder(MediaFormat from, MediaFormat to)
    {
        From = from;
        To = to;
        _decoder = PayloadCodec.For(from);
        _encoder = PayloadCodec.For(to);
        _resampler = from.SampleRate == to.SampleRate ? null : Resampler.Create(from.SampleRate, to.SampleRate);
        _targetSamples = FrameDuration.Samples(to.SampleRate);
        _frame = new short[_targetSamples];
    }

    public MediaFormat From { get; }

    public MediaFormat To { get; }

    /// <summary>One frame of <see cref="From"/> as one new frame of <see cref="To"/>.</summary>
    public byte[] Convert(ReadOnlySpan<byte> payload)
    {
        var samples = _decoder.SamplesIn(payload.Length);
        if (_decoded.Length < samples)
        {
            _decoded = new short[samples];
        }

        samples = _decoder.Decode(payload, _decoded);
        ReadOnlySpan<short> pcm = _decoded.AsSpan(0, samples);
        if (_resampler is not null)
        {
            var room = _resampler.MaxOutputSamples(samples);
            if (_resampled.Length < room)
            {
                _resampled = new short[room];
            }

            pcm = _resampled.AsSpan(0, _resampler.Process(pcm, _resampled));
        }

        foreach (var sample in pcm)
        {
            _pending.Enqueue(sample);
        }

        // Exactly one target frame: what is pending, silence-padded in front while the resampler fills up.
        var missing = Math.Max(0, _targetSamples - _pending.Count);
        _frame.AsSpan(0, missing).Clear();
        for (var i = missing; i < _targetSamples; i++)
        {
            _frame[i] = _pending.Dequeue();
        }

        var output = new byte[_encoder.BytesFor(_targetSamples)];
        _encoder.Encode(_frame, output);
        return output;
    }
}
