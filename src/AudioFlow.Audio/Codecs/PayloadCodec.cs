using System.Buffers.Binary;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs.G722;

namespace AudioFlow.Audio.Codecs;

/// <summary>
/// Converts between a channel's wire payload bytes and PCM16 samples for one <see cref="MediaFormat"/>.
/// G.711 and L16 are stateless; G.722 is ADPCM and carries state from frame to frame, so every instance belongs to one
/// stream and one direction (create one per call per direction; <see cref="For"/> always returns a fresh instance).
/// Not thread-safe.
/// </summary>
public sealed class PayloadCodec
{
    private readonly G722Encoder? _g722Encoder;
    private readonly G722Decoder? _g722Decoder;

    private PayloadCodec(MediaFormat format)
    {
        Format = format;
        if (format.Encoding == AudioEncoding.G722)
        {
            _g722Encoder = new G722Encoder();
            _g722Decoder = new G722Decoder();
        }
    }

    public MediaFormat Format { get; }

    /// <summary>A codec for <paramref name="format"/>, or <see cref="NotSupportedException"/> with the reason.</summary>
    public static PayloadCodec For(MediaFormat format) => format.Encoding switch
    {
        AudioEncoding.Pcmu or AudioEncoding.Pcma when format.SampleRate == 8000 => new PayloadCodec(format),
        AudioEncoding.L16 when format.SampleRate is 8000 or 16000 => new PayloadCodec(format),
        AudioEncoding.G722 when format.SampleRate == G722Format.SampleRate => new PayloadCodec(format),
        _ => throw new NotSupportedException($"unsupported media format {format}"),
    };

    /// <summary>Samples that <paramref name="payloadBytes"/> bytes decode to (an odd trailing L16 byte is ignored).</summary>
    public int SamplesIn(int payloadBytes) => Format.Encoding switch
    {
        AudioEncoding.L16 => payloadBytes / 2,
        AudioEncoding.G722 => payloadBytes * 2,
        _ => payloadBytes,
    };

    /// <summary>Payload bytes needed for <paramref name="samples"/> samples (an even count for G.722).</summary>
    public int BytesFor(int samples) => Format.Encoding switch
    {
        AudioEncoding.L16 => samples * 2,
        AudioEncoding.G722 => samples / 2,
        _ => samples,
    };

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
            case AudioEncoding.G722:
                _g722Decoder!.Decode(payload, pcm[..samples]);
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
            case AudioEncoding.G722:
                return _g722Encoder!.Encode(pcm, payload);
            default:
                for (var i = 0; i < pcm.Length; i++)
                {
                    BinaryPrimitives.WriteInt16LittleEndian(payload.Slice(i * 2, 2), pcm[i]);
                }

                return pcm.Length * 2;
        }
    }
}
