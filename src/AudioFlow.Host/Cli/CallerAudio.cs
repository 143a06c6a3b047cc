using AudioFlow.Audio.Wav;

namespace AudioFlow.Host.Cli;

/// <summary>Reads the caller's recording for a simulated call, with clear errors for files that cannot be a caller.</summary>
public static class CallerAudio
{
    public const int MinSampleRate = 8000;
    public const int MaxSampleRate = 48000;

    /// <summary>Mono PCM16 of <paramref name="path"/> and its sample rate.</summary>
    public static (short[] Pcm, int SampleRate) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"caller audio not found: {path}");
        }

        if (new FileInfo(path).Length == 0)
        {
            throw new UsageException($"{path} is empty: a WAV file with the caller's speech is needed");
        }

        WavAudio wav;
        try
        {
            wav = WavFile.Read(path);
        }
        catch (WavFormatException e)
        {
            throw new UsageException($"{path}: {e.Message}");
        }

        if (wav.SampleRate is < MinSampleRate or > MaxSampleRate)
        {
            throw new UsageException($"{path} is sampled at {wav.SampleRate} Hz; a caller recording must be {MinSampleRate}-{MaxSampleRate} Hz");
        }

        var pcm = wav.ToMono();
        if (pcm.Length == 0)
        {
            throw new UsageException($"{path} holds no audio samples");
        }

        return (pcm, wav.SampleRate);
    }
}
