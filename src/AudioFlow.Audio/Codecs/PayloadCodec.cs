using System.Buffers.Binary;
using AudioFlow.Audio.Channel;

namespace AudioFlow.Audio.Codecs;

/// <summary>
/// Converts between a channel's wire payload bytes and PCM16 samples for one <see cref="MediaFormat"/>.
/// Stateless for G.711 and L16 (so one instance per format can be shared); pure functions of bytes.
/// </summary>
public sealed class PayloadCodec
{
    private PayloadCodec(MediaFormat format) => Format = format;

    public MediaFormat Format { get; }

    /// <summary>A codec for <paramref name="format"/>, or <see cref="NotSupportedException"/> with the reason.</summary>
    public static PayloadCodec For(MediaFormat format) => format.Encoding switch
    {
        AudioEncoding.Pcmu or AudioEncoding.Pcma when format.SampleRate == 8000 => new PayloadCodec(format),
        AudioEncoding.L16 when format.SampleRate is 8000 or 16000 => new PayloadCodec(format),
        AudioEncoding.G722 => throw new NotSupportedException("G.722 is not supported by the payload codec yet"),
        _ => throw new NotSupportedException($"unsupported media format {format}"),
    };

    /// <summary>Samples that <paramref name="payloadBytes"/> bytes decode to (an odd trailing L16 byte is ignored).</summary>
    public int SamplesIn(int payloadBytes) => Format.Encoding == AudioEncoding.L16 ? payloadBytes / 2 : payloadBytes;

    /// <summary>Payload bytes needed for <paramref name="samples"/> samples.</summary>
    public int BytesFor(int samples) => Format.Encoding == AudioEncoding.L16 ? samples * 2 : samples;

    /// <summary>Decodes <paramref name="payload"/> into <paramref name="pcm"/> (sized by <see cref="SamplesIn"/>); returns samples written.</summary>
    public int Decode(ReadOnlySpan<byte> payload, Span<short> pcm)
    {
        var samples = SamplesIn(payload.Length);
        switch (Format.Encoding)
        {
            case AudioEncoding.Pcmu:
                G711.MuLawDecode(payload[..samples], pcm[..samples]);
                break;
            case AudioEncoding.Pcma:
                G711.ALawDecode(payload[..samples], pcm[..samples]);
                break;
            default:
                for (var i = 0; i < samples; i++)
                {
                    pcm[i] = BinaryPrimitives.ReadInt16LittleEndian(payload.Slice(i * 2, 2));
                }

                break;
        }

        return samples;
    }

    /// <summary>Encodes <paramref name="pcm"/> into <paramref name="payload"/> (sized by <see cref="BytesFor"/>); returns bytes written.</summary>
    public int Encode(ReadOnlySpan<short> pcm, Span<byte> payload)
    {
        switch (Format.Encoding)
        {
            case AudioEncoding.Pcmu:
                G711.MuLawEncode(pcm, payload[..pcm.Length]);
                return pcm.Length;
            case AudioEncoding.Pcma:
                G711.ALawEncode(pcm, payload[..pcm.Length]);
                return pcm.Length;
            default:
                for (var i = 0; i < pcm.Length; i++)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(payload.Slice(i * 2, 2), pcm[i]);
                }

                return pcm.Length * 2;
        }
    }
}
