using System.Buffers.Binary;
using System.Runtime.InteropServices;
using AudioFlow.Audio.Codecs;

namespace AudioFlow.Audio.Wav;

/// <summary>Converts raw little-endian sample bytes of each supported encoding to PCM16 (rounding, saturating).</summary>
internal static class WavSampleDecoder
{
    public static short[] Decode(ReadOnlySpan<byte> data, WavFormat format)
    {
        // Whole frames only: a trailing partial frame (truncated file) is dropped.
        int frames = data.Length / format.BlockBytes;
        int count = frames * format.Channels;
        var samples = new short[count];
        ReadOnlySpan<byte> bytes = data[..(count * format.BytesPerSample)];
        switch (format.Encoding)
        {
            case WavSampleEncoding.Pcm8:
                for (int i = 0; i < count; i++)
                {
                    samples[i] = (short)((bytes[i] - 128) << 8);
                }
                break;
            case WavSampleEncoding.Pcm16:
                if (BitConverter.IsLittleEndian)
                {
                    MemoryMarshal.Cast<byte, short>(bytes).CopyTo(samples);
                }
                else
                {
                    for (int i = 0; i < count; i++)
                    {
                        samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes[(2 * i)..]);
                    }
                }
                break;
            case WavSampleEncoding.Pcm24:
                for (int i = 0; i < count; i++)
                {
                    int v = bytes[3 * i] | (bytes[3 * i + 1] << 8) | ((sbyte)bytes[3 * i + 2] << 16);
                    samples[i] = (short)Math.Min((v + 128) >> 8, short.MaxValue);
                }
                break;
            case WavSampleEncoding.Pcm32:
                for (int i = 0; i < count; i++)
                {
                    long v = BinaryPrimitives.ReadInt32LittleEndian(bytes[(4 * i)..]);
                    samples[i] = (short)Math.Min((v + 32768) >> 16, short.MaxValue);
                }
                break;
            case WavSampleEncoding.Float32:
                for (int i = 0; i < count; i++)
                {
                    samples[i] = FromFloat(BinaryPrimitives.ReadSingleLittleEndian(bytes[(4 * i)..]));
                }
                break;
            case WavSampleEncoding.Float64:
                for (int i = 0; i < count; i++)
                {
                    samples[i] = FromFloat(BinaryPrimitives.ReadDoubleLittleEndian(bytes[(8 * i)..]));
                }
                break;
            case WavSampleEncoding.MuLaw:
                G711.MuLawDecode(bytes, samples);
                break;
            case WavSampleEncoding.ALaw:
                G711.ALawDecode(bytes, samples);
                break;
            default:
                throw new WavFormatException($"unsupported sample encoding {format.Encoding}");
        }
        return samples;
    }

    /// <summary>Full scale ±1.0 ↔ ±32768, rounded half to even, saturated; NaN becomes silence.</summary>
    private static short FromFloat(double value) =>
        double.IsNaN(value) ? (short)0 : (short)Math.Round(Math.Clamp(value * 32768.0, -32768.0, 32767.0));
}
