using System.Buffers.Binary;
using System.Text;

namespace AudioFlow.Audio.Tests.Wav;

/// <summary>Builds WAV byte images chunk by chunk, including deliberately malformed ones.</summary>
internal sealed class WavBytes
{
    private readonly MemoryStream _body = new();
    private string _riff = "RIFF";
    private string _form = "WAVE";
    private uint? _riffSize;

    public static byte[] Fmt(ushort tag, int channels, int sampleRate, int bitsPerSample, int extraBytes = -1)
    {
        int blockAlign = channels * bitsPerSample / 8;
        var fmt = new byte[extraBytes < 0 ? 16 : 18 + extraBytes];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), (ushort)channels);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(4), (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(8), (uint)(sampleRate * blockAlign));
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), (ushort)blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), (ushort)bitsPerSample);
        if (extraBytes >= 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), (ushort)extraBytes);
        }
        return fmt;
    }

    /// <summary>A WAVE_FORMAT_EXTENSIBLE fmt body whose sub-format GUID carries <paramref name="subTag"/>.</summary>
    public static byte[] FmtExtensible(ushort subTag, int channels, int sampleRate, int bitsPerSample)
    {
        byte[] fmt = Fmt(0xFFFE, channels, sampleRate, bitsPerSample, extraBytes: 22);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), (ushort)bitsPerSample);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(20), channels == 1 ? 4u : 3u);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(24), subTag);
        byte[] tail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
        tail.CopyTo(fmt, 26);
        return fmt;
    }

    public static byte[] Pcm16(params short[] samples)
    {
        var bytes = new byte[samples.Length * 2];
        for (int i = 0; i < samples.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(2 * i), samples[i]);
        }
        return bytes;
    }

    public WavBytes Header(string riff, string form, uint? riffSize = null)
    {
        _riff = riff;
        _form = form;
        _riffSize = riffSize;
        return this;
    }

    /// <summary>Appends a chunk; the declared size defaults to the body length; odd bodies get a pad byte unless told not to.</summary>
    public WavBytes Chunk(string id, byte[] body, uint? declaredSize = null, bool pad = true)
    {
        _body.Write(Encoding.ASCII.GetBytes(id));
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, declaredSize ?? (uint)body.Length);
        _body.Write(size);
        _body.Write(body);
        if (pad && body.Length % 2 == 1)
        {
            _body.WriteByte(0);
        }
        return this;
    }

    public WavBytes Raw(byte[] bytes)
    {
        _body.Write(bytes);
        return this;
    }

    public byte[] ToArray()
    {
        var result = new MemoryStream();
        result.Write(Encoding.ASCII.GetBytes(_riff));
        Span<byte> size = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(size, _riffSize ?? (uint)(4 + _body.Length));
        result.Write(size);
        result.Write(Encoding.ASCII.GetBytes(_form));
        _body.Position = 0;
        _body.CopyTo(result);
        return result.ToArray();
    }
}

/// <summary>A read-only stream that cannot seek or report its length (a socket, a pipe).</summary>
internal sealed class ForwardOnlyStream(byte[] bytes) : Stream
{
    private readonly MemoryStream _inner = new(bytes);

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    // Return at most 3 bytes per call to exercise short reads.
    public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, Math.Min(count, 3));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
