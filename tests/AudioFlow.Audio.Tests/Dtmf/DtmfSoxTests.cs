using AudioFlow.Audio.Tests.Support;
using AudioFlow.Audio.Wav;
using static AudioFlow.Audio.Tests.Dtmf.DtmfTestKit;

namespace AudioFlow.Audio.Tests.Dtmf;

/// <summary>Tones synthesised by sox (an independent generator) are detected; skipped without sox.</summary>
public class DtmfSoxTests
{
    [SoxFact]
    public void All_16_digits_synthesised_by_sox_are_detected_at_8_and_16_kHz()
    {
        using var dir = new TempDirectory();
        foreach (int rate in new[] { 8000, 16000 })
        {
            var signal = new List<short>();
            foreach (char digit in AllDigits)
            {
                (int low, int high) = AudioFlow.Audio.Dtmf.DtmfTones.Frequencies(digit);
                string file = dir.File($"{rate}-{(int)digit}.wav");
                // Two channels, one tone each; the mono mixdown averages them into the dual tone.
                ExternalTool.Sox("-n", "-r", rate.ToString(), "-b", "16", file, "synth", "0.1", "sine", low.ToString(), "sine", high.ToString());
                WavAudio audio = WavFile.Read(file);
                Assert.Equal(2, audio.Channels);
                signal.AddRange(audio.ToMono());
                signal.AddRange(Silence(rate, 80));
            }
            Assert.Equal(AllDigits, Digits(signal.ToArray(), rate));
        }
    }
}
