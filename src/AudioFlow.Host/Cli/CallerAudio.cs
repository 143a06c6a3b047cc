using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Wav;
using AudioFlow.Engines.Tts;
using AudioFlow.Pipeline.Calls;

namespace AudioFlow.Host.Cli;

/// <summary>Reads the caller's recording for a simulated call, with clear errors for files that cannot be a caller.</summary>
public static class CallerAudio
{
    public const int MinSampleRate = 8000;
    public const int MaxSampleRate = 48000;

    /// <summary>
    /// A simulated caller's speech at <paramref name="format"/>'s rate: the recording at <paramref name="path"/>, or (when
    /// null) <paramref name="voice"/> saying <paramref name="utterance"/>.
    /// </summary>
    public static short[] ForCaller(string? path, ISpeechSynthesizer voice, string utterance, MediaFormat format, CancellationToken cancellationToken)
    {
        var (pcm, rate) = path is null ? (voice.Synthesize(utterance, cancellationToken), voice.SampleRate) : Read(path);
        return OutboundSpeech.ToRate(pcm, rate, format.SampleRate);
    }

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
