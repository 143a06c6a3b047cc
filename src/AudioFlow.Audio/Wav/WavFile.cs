using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace AudioFlow.Audio.Wav;

/// <summary>
/// Reads WAV files of any common flavour into PCM16 and writes PCM16 WAV files.
/// </summary>
/// <remarks>
/// <para>
/// Reading accepts RIFF/WAVE and RF64 containers with PCM 8/16/24/32-bit, IEEE float 32/64-bit, µ-law (tag 7),
/// A-law (tag 6), and WAVE_FORMAT_EXTENSIBLE wrapping any of those. Chunks are walked robustly: unknown chunks are
/// skipped, odd-sized chunks honour (or tolerate a missing) pad byte, a <c>data</c> size of 0 or 0xFFFFFFFF (left by
/// streaming writers that never patched the header) means "to end of file", and a data chunk cut short by the end of
/// the file yields the whole frames present. Anything unreadable raises <see cref="WavFormatException"/> with a
/// message saying why, never an indexing or overflow exception. Reading is for prompts, fixtures and tools: the whole
/// file is loaded (at most <see cref="MaxDataBytes"/> bytes of audio).
/// </para>
/// </remarks>
public static class WavFile
{
    /// <summary>Largest data chunk read (1 GiB, ~9 hours of 16 kHz PCM16).</summary>
    public const int MaxDataBytes = 1 << 30;

    private const int MaxFmtBytes = 1 << 16;

    /// <summary>Reads a WAV file.</summary>
    /// <exception cref="WavFormatException">The file is not a readable WAV file.</exception>
    public static WavAudio Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024, FileOptions.SequentialScan);
        return Read(stream);
    }

    /// <summary>Reads a WAV file from the current position of <paramref name="stream"/> (seekable or not; left open).</summary>
    /// <exception cref="WavFormatException">The bytes are not a readable WAV file.</exception>
    public static WavAudio Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var reader = new ChunkStream(stream);
        Span<byte> header = stackalloc byte[12];
        int got = reader.Read(header);
        if (got == 0)
        {
            throw new WavFormatException("empty file");
        }
        if (got < 4 || !(header[..4].SequenceEqual("RIFF"u8) || header[..4].SequenceEqual("RF64"u8)))
        {
            throw got >= 4 && header[..4].SequenceEqual("RIFX"u8)
                ? new WavFormatException("big-endian (RIFX) WAV files are not supported")
                : new WavFormatException("not a WAV file: missing RIFF header");
        }
        if (got < 12)
        {
            throw new WavFormatException($"not a WAV file: only {got} bytes, the RIFF header needs 12");
        }
        if (!header[8..12].SequenceEqual("WAVE"u8))
        {
            throw new WavFormatException($"not a WAV file: RIFF form type is '{Printable(header[8..12])}', expected 'WAVE'");
        }

        WavFormat? format = null;
        byte[]? data = null;
        long? ds64DataSize = null;
        Span<byte> chunkHeader = stackalloc byte[8];
        while (data is null || format is null)
        {
            got = reader.Read(chunkHeader);
            if (got < 8)
            {
                break; // end of file (or a few stray trailing bytes)
            }
            ReadOnlySpan<byte> id = chunkHeader[..4];
            uint size = BinaryPrimitives.ReadUInt32LittleEndian(chunkHeader[4..]);

            if (id.SequenceEqual("fmt "u8))
            {
                if (size > MaxFmtBytes)
                {
                    throw new WavFormatException($"fmt chunk claims {size} bytes, which is not plausible");
                }
                byte[] body = reader.ReadUpTo(size, MaxFmtBytes);
                if (body.Length < size)
                {
                    throw new WavFormatException($"truncated fmt chunk: {body.Length} of {size} bytes present");
                }
                format ??= WavFormat.Parse(body);
                SkipPadding(reader, size);
            }
            else if (id.SequenceEqual("data"u8))
            {
                long? length = size switch
                {
                    0xFFFFFFFF when ds64DataSize is long big => big,
                    0 or 0xFFFFFFFF => null, // streaming writer: data runs to end of file
                    _ => size,
                };
                byte[] body = reader.ReadUpTo(length, MaxDataBytes);
                data ??= body;
                if (length is null || body.Length < length)
                {
                    break; // consumed to end of file
                }
                SkipPadding(reader, size);
            }
            else if (id.SequenceEqual("ds64"u8))
            {
                // RF64: riffSize(8) dataSize(8) sampleCount(8) ...
                byte[] body = reader.ReadUpTo(Math.Min(size, 1024u), 1024);
                if (body.Length >= 16)
                {
                    ds64DataSize = BinaryPrimitives.ReadInt64LittleEndian(body.AsSpan(8));
                }
                if (size > 1024 && !reader.Skip(size - 1024))
                {
                    break;
                }
                SkipPadding(reader, size);
            }
            else
            {
                if (!reader.Skip(size))
                {
                    break; // a trailing chunk cut short by the end of the file
                }
                SkipPadding(reader, size);
            }
        }

        if (format is null)
        {
            throw new WavFormatException(data is null ? "not a WAV file: no fmt chunk and no data chunk" : "no fmt chunk");
        }
        if (data is null)
        {
            throw new WavFormatException("no data chunk");
        }
        WavFormat f = format.Value;
        return new WavAudio(f.SampleRate, f.Channels, WavSampleDecoder.Decode(data, f), f.Encoding);
    }

    /// <summary>Writes interleaved PCM16 <paramref name="samples"/> as a canonical 44-byte-header WAV file (overwriting).</summary>
    public static void Write(string path, ReadOnlySpan<short> samples, int sampleRate, int channels = 1)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024);
        Write(stream, samples, sampleRate, channels);
    }

    /// <summary>Writes interleaved PCM16 <paramref name="samples"/> as a WAV file at the stream's position (left open).</summary>
    public static void Write(Stream stream, ReadOnlySpan<short> samples, int sampleRate, int channels = 1)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, WavFormat.MaxSampleRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, WavFormat.MaxChannels);
        if (samples.Length % channels != 0)
        {
            throw new ArgumentException($"{samples.Length} samples is not a whole number of {channels}-channel frames", nameof(samples));
        }
        long dataBytes = 2L * samples.Length;
        if (dataBytes > uint.MaxValue - 36)
        {
            throw new ArgumentException("too many samples for a RIFF WAV file (4 GiB limit)", nameof(samples));
        }

        Span<byte> header = stackalloc byte[CanonicalHeaderSize];
        WriteCanonicalHeader(header, sampleRate, channels, (uint)dataBytes);
        stream.Write(header);

        WriteSamples(stream, samples);
    }

    /// <summary>Writes PCM16 samples little-endian (the WAV byte order) at the stream's position.</summary>
    internal static void WriteSamples(Stream stream, ReadOnlySpan<short> samples)
    {
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(MemoryMarshal.AsBytes(samples));
            return;
        }

        Span<byte> chunk = stackalloc byte[4096];
        while (!samples.IsEmpty)
        {
            int n = Math.Min(samples.Length, chunk.Length / 2);
            for (int i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(chunk[(2 * i)..], samples[i]);
            }
            stream.Write(chunk[..(2 * n)]);
            samples = samples[n..];
        }
    }

    /// <summary>Size of the canonical PCM16 header written by <see cref="WriteCanonicalHeader"/>.</summary>
    internal const int CanonicalHeaderSize = 44;

    /// <summary>
    /// The canonical 44-byte PCM16 header (RIFF, fmt, data). <paramref name="dataBytes"/> 0xFFFFFFFF marks a stream
    /// whose length is not known yet (the RIFF size is then 0xFFFFFFFF too); readers take the data to the end of file.
    /// </summary>
    internal static void WriteCanonicalHeader(Span<byte> header, int sampleRate, int channels, uint dataBytes)
    {
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], dataBytes == uint.MaxValue ? uint.MaxValue : 36 + dataBytes);
        "WAVEfmt "u8.CopyTo(header[8..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], WavFormat.TagPcm);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)(sampleRate * channels * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], (ushort)(channels * 2));
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], dataBytes);
    }

    /// <summary>
    /// RIFF pads odd-sized chunks to an even length with one zero byte. Some writers omit it: a non-zero byte where
    /// the pad should be is taken as the start of the next chunk id.
    /// </summary>
    private static void SkipPadding(ChunkStream reader, long size)
    {
        if ((size & 1) == 0)
        {
            return;
        }
        int pad = reader.ReadByte();
        if (pad > 0)
        {
            reader.PushBack((byte)pad);
        }
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        Span<char> chars = stackalloc char[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            chars[i] = bytes[i] is >= 0x20 and < 0x7F ? (char)bytes[i] : '?';
        }
        return new string(chars);
    }
}
