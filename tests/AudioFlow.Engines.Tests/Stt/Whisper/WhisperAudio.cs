using AudioFlow.Engines.Stt.Whisper;

namespace AudioFlow.Engines.Tests.Stt.Whisper;

/// <summary>The shared jfk.wav (16 kHz mono PCM16, 11 s) as PCM and as Whisper floats.</summary>
internal static class WhisperAudio
{
    private static readonly Lazy<short[]> JfkPcmLazy = new(() =>
    {
        var (rate, samples) = SttWav.Read(WhisperTestEnvironment.JfkWav);
        if (rate != WhisperLogMel.SampleRate)
        {
            throw new InvalidDataException($"jfk.wav is {rate} Hz, expected 16000.");
        }

        return samples;
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
