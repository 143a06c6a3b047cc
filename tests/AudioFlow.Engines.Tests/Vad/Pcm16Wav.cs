using System.Buffers.Binary;

namespace AudioFlow.Engines.Tests.Vad;

/// <summary>
/// Minimal reader for mono PCM16 RIFF/WAVE files (test helper; the product's WAV support lives in
/// AudioFlow.Audio). Walks the chunks, accepts format tag 1 or WAVE_FORMAT_EXTENSIBLE with 16-bit samples.
/// </summary>
internal static class Pcm16Wav
{
    public static (int SampleRate, short[] Samples) Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 12 || !bytes.AsSpan(0, 4).SequenceEqual("RIFF"u8) || !bytes.AsSpan(8, 4).SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException($"{path}: not a RIFF/WAVE file.");
        }

        int sampleRate = 0;
        bool haveFormat = false;
        int pos = 12;
        while (pos + 8 <= bytes.Length)
        {
            var id = bytes.AsSpan(pos, 4);
            int size = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(pos + 4, 4));
            int body = pos + 8;
            if (size < 0 || body + size > bytes.Length)
            {
                // Streams written without a final length: take what is there.
                size = bytes.Length - body;
            }
            if (id.SequenceEqual("fmt "u8))
            {
                var fmt = bytes.AsSpan(body, size);
                int tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
                int channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
                sampleRate = BinaryPrimitives.ReadInt32LittleEndian(fmt[4..]);
                int bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);
                if ((tag != 1 && tag != 0xFFFE) || channels != 1 || bits != 16)
                {
                    throw new InvalidDataException($"{path}: expected mono PCM16, got format {tag}, {channels} channel(s), {bits} bits.");
                }
                haveFormat = true;
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (!haveFormat)
                {
                    throw new InvalidDataException($"{path}: data chunk before fmt chunk.");
                }
                var samples = new short[size / 2];
                for (int i = 0; i < samples.Length; i++)
                {
                    samples[i] = BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(body + 2 * i, 2));
                }
                return (sampleRate, samples);
            }
            pos = body + size + (size & 1);
        }
        throw new InvalidDataException($"{path}: no data chunk.");
    }
}
