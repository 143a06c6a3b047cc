using System.Buffers.Binary;

namespace AudioFlow.Engines.Tests.Tts;

/// <summary>Minimal RIFF/WAVE PCM16 reader for the CLI cross-checks (independent of the project's WAV code).</summary>
internal static class TtsWav
{
    public sealed record Audio(int SampleRate, int Channels, short[] Samples);

    public static Audio Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < 12 || !bytes.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !bytes.AsSpan(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException($"{path} is not a RIFF/WAVE file.");
        }

        int sampleRate = 0, channels = 0, bits = 0, format = 0;
        int offset = 12;
        while (offset + 8 <= bytes.Length)
        {
            ReadOnlySpan<byte> id = bytes.AsSpan(offset, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(offset + 4, 4));
            int body = offset + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                format = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body, 2));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body + 2, 2));
                sampleRate = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(body + 4, 4));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(body + 14, 2));
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (format != 1 || bits != 16)
                {
                    throw new InvalidDataException($"{path}: format {format}, {bits} bits; only PCM16 is supported.");
                }

                // Writers that stream (espeak-ng) may leave a placeholder size: clamp to the file.
                int length = (int)Math.Min(size, bytes.Length - body) & ~1;
                var samples = new short[length / 2];
                for (int i = 0; i < samples.Length; i++)
                {
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(body + (2 * i), 2));
                }

                return new Audio(sampleRate, channels, samples);
            }

            offset = body + (int)Math.Min(size + (size & 1), int.MaxValue - body);
        }

        throw new InvalidDataException($"{path}: no data chunk.");
    }
}
