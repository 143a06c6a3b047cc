namespace AudioFlow.Audio.Wav;

/// <summary>
/// Forward-only reading over any stream (seekable or not) with a one-byte push-back, used to walk RIFF chunks.
/// Short reads mean end of stream; nothing here throws on truncation.
/// </summary>
internal sealed class ChunkStream(Stream stream)
{
    private int _pushedBack = -1;

    /// <summary>Bytes left if the stream can tell, else null.</summary>
    public long? Remaining
    {
        get
        {
            if (!stream.CanSeek)
            {
                return null;
            }
            long left = Math.Max(0, stream.Length - stream.Position);
            return _pushedBack >= 0 ? left + 1 : left;
        }
    }

    public void PushBack(byte value) => _pushedBack = value;

    /// <summary>Fills as much of <paramref name="buffer"/> as the stream allows; returns the count read.</summary>
    public int Read(Span<byte> buffer)
    {
        int total = 0;
        if (_pushedBack >= 0 && !buffer.IsEmpty)
        {
            buffer[0] = (byte)_pushedBack;
            _pushedBack = -1;
            total = 1;
        }
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n <= 0)
            {
                break;
            }
            total += n;
        }
        return total;
    }

    /// <summary>Reads one byte, or -1 at end of stream.</summary>
    public int ReadByte()
    {
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    /// <summary>Skips <paramref name="count"/> bytes; false if the stream ended first.</summary>
    public bool Skip(long count)
    {
        if (count <= 0)
        {
            return true;
        }
        if (_pushedBack >= 0)
        {
            _pushedBack = -1;
            count--;
        }
        if (stream.CanSeek)
        {
            long left = stream.Length - stream.Position;
            if (count > left)
            {
                stream.Seek(0, SeekOrigin.End);
                return false;
            }
            stream.Seek(count, SeekOrigin.Current);
            return true;
        }
        Span<byte> scratch = stackalloc byte[4096];
        while (count > 0)
        {
            int n = Read(scratch[..(int)Math.Min(count, scratch.Length)]);
            if (n == 0)
            {
                return false;
            }
            count -= n;
        }
        return true;
    }

    /// <summary>
    /// Reads up to <paramref name="limit"/> bytes (to end of stream when null); returns fewer if the stream ends first.
    /// Throws <see cref="WavFormatException"/> rather than read more than <paramref name="maxBytes"/>.
    /// </summary>
    public byte[] ReadUpTo(long? limit, int maxBytes)
    {
        long target = Math.Min(limit ?? long.MaxValue, Remaining ?? long.MaxValue);
        string tooLarge = $"data chunk is larger than the {maxBytes / (1024 * 1024)} MiB this reader supports";
        if (target > maxBytes && Remaining is not null)
        {
            throw new WavFormatException(tooLarge);
        }

        // Grow geometrically instead of trusting a (possibly bogus) declared size with one big allocation.
        var buffer = new byte[(int)Math.Min(target, Math.Min(1 << 20, maxBytes))];
        int filled = 0;
        while (filled < target)
        {
            if (filled == buffer.Length)
            {
                if (buffer.Length == maxBytes)
                {
                    if (ReadByte() < 0)
                    {
                        break;
                    }
                    throw new WavFormatException(tooLarge);
                }
                Array.Resize(ref buffer, (int)Math.Min(target, Math.Min((long)buffer.Length * 2, maxBytes)));
            }
            int n = Read(buffer.AsSpan(filled, (int)Math.Min(buffer.Length - filled, target - filled)));
            if (n == 0)
            {
                break;
            }
            filled += n;
        }
        if (filled != buffer.Length)
        {
            Array.Resize(ref buffer, filled);
        }
        return buffer;
    }
}
