using AudioFlow.Audio;
using AudioFlow.Audio.Codecs;
using AudioFlow.Audio.Resampling;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// Turning one piece of synthesised speech into wire frames: resampling to the wire rate, then encoding 20 ms
/// frames. Shared by the outbound stages and the call actor's apology (which runs after the graph has failed).
/// </summary>
public static class OutboundSpeech
{
    /// <summary>
    /// Resamples a self-contained piece of speech with a fresh filter, flushed at the end so the tail is kept.
    /// Returns the input itself when the rates match.
    /// </summary>
    public static short[] ToRate(short[] pcm, int fromRate, int toRate)
    {
        if (fromRate == toRate)
        {
            return pcm;
        }

        var resampler = Resampler.Create(fromRate, toRate);
        var buffer = new short[resampler.MaxOutputSamples(pcm.Length) + resampler.MaxFlushSamples];
        var written = resampler.Process(pcm, buffer);
        written += resampler.Flush(buffer.AsSpan(written));
        return buffer[..written];
    }

    /// <summary>Encodes PCM at the codec's rate into 20 ms frames; the last frame is padded with silence.</summary>
    public static List<byte[]> EncodeFrames(ReadOnlySpan<short> pcm, PayloadCodec codec)
    {
        var frameSamples = FrameDuration.Samples(codec.Format.SampleRate);
        var frames = new List<byte[]>((pcm.Length + frameSamples - 1) / frameSamples);
        var padded = new short[frameSamples];
        for (var offset = 0; offset < pcm.Length; offset += frameSamples)
        {
            var length = Math.Min(frameSamples, pcm.Length - offset);
            var samples = pcm.Slice(offset, length);
            if (length < frameSamples)
            {
                Array.Clear(padded);
                samples.CopyTo(padded);
                samples = padded;
            }

            var payload = new byte[codec.BytesFor(frameSamples)];
            codec.Encode(samples, payload);
            frames.Add(payload);
        }

        return frames;
    }
}
