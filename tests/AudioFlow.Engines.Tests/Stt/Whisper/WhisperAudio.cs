using AudioFlow.Engines.Stt.Whisper;

namespace AudioFlow.Engines.Tests.Stt.Whisper;

/// <summary>The shared jfk.wav (16 kHz mono PCM16, 11 s) as PCM and as Whisper floats.</summary>
internal static class WhisperAudio
{
    private static readonly Lazy<short[]> JfkPcmLazy = new(() =>
    {
        var wav = AudioFlow.Audio.Wav.WavFile.Read(WhisperTestEnvironment.JfkWav);
        if (wav.SampleRate != WhisperLogMel.SampleRate)
        {
            throw new InvalidDataException($"jfk.wav is {wav.SampleRate} Hz, expected 16000.");
        }

        return wav.ToMono();
    });

    public static short[] JfkPcm => JfkPcmLazy.Value;

    public static float[] Jfk()
    {
        var pcm = JfkPcm;
        var audio = new float[pcm.Length];
        WhisperLogMel.ToFloat(pcm, audio);
        return audio;
    }

    public static string JfkTranscript => File.ReadAllText(WhisperTestEnvironment.JfkText).Trim();
}
