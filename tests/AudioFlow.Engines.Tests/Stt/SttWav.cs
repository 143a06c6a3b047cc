using System.Buffers.Binary;

namespace AudioFlow.Engines.Tests.Stt;

/// <summary>
/// Minimal PCM16 RIFF/WAVE reader for the STT tests (the product's WAV support is written elsewhere and
/// not relied on here). Format tag 1 or WAVE_FORMAT_EXTENSIBLE, 16-bit; the first channel is returned.
/// </summary>
internal static class SttWav
{
    public static (int SampleRate, short[] Samples) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 12 || !bytes.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !bytes.AsSpan(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException($"{path}: not a RIFF/WAVE file.");
        }

        int sampleRate = 0, channels = 0;
        var position = 12;
        while (position + 8 <= bytes.Length)
        {
            var id = bytes.AsSpan(position, 4);
            var size = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(position + 4, 4));
            var body = position + 8;
            if (size < 0 || body + size > bytes.Length)
            {
                size = bytes.Length - body; // streamed WAV without a final length
            }

            if (id.SequenceEqual("fmt "u8))
            {
                var format = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body, 2));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body + 2, 2));
                sampleRate = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(body + 4, 4));
                var bits = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body + 14, 2));
                if ((format != 1 && format != 0xFFFE) || bits != 16 || channels < 1)
                {
                    throw new InvalidDataException($"{path}: not 16-bit PCM (format {format}, {bits} bits, {channels} channels).");
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (sampleRate == 0)
                {
                    throw new InvalidDataException($"{path}: data chunk before fmt chunk.");
                }

                var frames = size / (2 * channels);
                var samples = new short[frames];
                for (var i = 0; i < frames; i++)
                {
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(body + (i * 2 * channels), 2));
                }

                return (sampleRate, samples);
            }

            position = body + size + (size & 1);
        }

        throw new InvalidDataException($"{path}: no data chunk.");
    }
}
