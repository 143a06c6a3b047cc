namespace AudioFlow.Audio.Wav;

/// <summary>
/// Writes a PCM16 WAV file as audio comes, for recordings of unbounded length: the header first says "length unknown"
/// (RIFF and data sizes 0xFFFFFFFF, which WAV readers such as ours, sox and ffmpeg take as "to the end of the
/// file"), so a file cut short by a crash is still playable up to its last write; <see cref="Complete"/> writes the
/// real sizes. Past the RIFF limit (4 GiB) the sizes stay "unknown". Not thread-safe.
/// </summary>
public sealed class WavStreamWriter : IDisposable
{
    private readonly FileStream _stream;
    private long _dataBytes;
    private bool _completed;

    /// <summary>Creates (overwrites) <paramref name="path"/>, creating its folder, and writes the header.</summary>
    public WavStreamWriter(string path, int sampleRate, int channels, int bufferBytes = 64 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sampleRate, WavFormat.MaxSampleRate);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, WavFormat.MaxChannels);
        SampleRate = sampleRate;
        Channels = channels;
        Path = path;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        _stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, bufferBytes);
        Span<byte> header = stackalloc byte[WavFile.CanonicalHeaderSize];
        WavFile.WriteCanonicalHeader(header, sampleRate, channels, uint.MaxValue);
        _stream.Write(header);
    }

    public string Path { get; }

    public int SampleRate { get; }

    public int Channels { get; }

    /// <summary>Sample frames (one sample per channel) written so far.</summary>
    public long FramesWritten => _dataBytes / (2L * Channels);

    public TimeSpan Duration => TimeSpan.FromSeconds(FramesWritten / (double)SampleRate);

    /// <summary>Appends interleaved samples (a whole number of frames).</summary>
    public void Write(ReadOnlySpan<short> interleaved)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (interleaved.Length % Channels != 0)
        {
            throw new ArgumentException($"{interleaved.Length} samples is not a whole number of {Channels}-channel frames", nameof(interleaved));
        }

        WavFile.WriteSamples(_stream, interleaved);
        _dataBytes += 2L * interleaved.Length;
    }

    /// <summary>Hands what is buffered to the operating system (no fsync): it then survives a crash of the process.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        _stream.Flush(flushToDisk: false);
    }

    /// <summary>Writes the real sizes into the header and closes the file.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        using (_stream)
        {
            if (_dataBytes <= uint.MaxValue - 36)
            {
                Span<byte> header = stackalloc byte[WavFile.CanonicalHeaderSize];
                WavFile.WriteCanonicalHeader(header, SampleRate, Channels, (uint)_dataBytes);
                _stream.Flush();
                _stream.Position = 0;
                _stream.Write(header);
            }

            _stream.Flush(flushToDisk: true);
        }
    }

    /// <summary>Closes the file; without <see cref="Complete"/> the header keeps saying "length unknown".</summary>
    public void Dispose()
    {
        if (!_completed)
        {
            _completed = true;
            _stream.Dispose();
        }
    }
}
