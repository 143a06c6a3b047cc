using System.Collections.Concurrent;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;

namespace AudioFlow.Telephony.Rtp.Session;

/// <summary>
/// One 20 ms frame of silence in a wire format, for the frames the jitter buffer cannot fill (lost or empty). The
/// transport passes payload bytes, so it cannot run PCM concealment itself: a lost frame becomes codec silence and the
/// call's decoder sees a short dropout rather than a stall (media time never stops). G.711 and L16 have a silence byte;
/// G.722 is adaptive, so its silence frame is what an encoder settles to on zero input (a fresh decoder or one in the
/// middle of speech decodes it to near-silence within a few samples). The arrays are shared: do not write to them.
/// </summary>
public static class CodecSilence
{
    private static readonly ConcurrentDictionary<MediaFormat, byte[]> Frames = new();

    public static ReadOnlyMemory<byte> Frame(MediaFormat format) => Frames.GetOrAdd(format, Make);

    private static byte[] Make(MediaFormat format)
    {
        var frame = new byte[format.BytesPerFrame];
        switch (format.Encoding)
        {
            case AudioEncoding.Pcmu:
                frame.AsSpan().Fill(0xFF);
                break;
            case AudioEncoding.Pcma:
                frame.AsSpan().Fill(0xD5);
                break;
            case AudioEncoding.G722:
                var codec = PayloadCodec.For(format);
                var zeros = new short[codec.SamplesIn(frame.Length)];
                for (var i = 0; i < 10; i++)
                {
                    codec.Encode(zeros, frame);
                }

                break;
        }

        return frame;
    }
}
