using AudioFlow.Audio.Dtmf;

namespace AudioFlow.Audio.Tests.Dtmf;

internal static class DtmfTestKit
{
    public const string AllDigits = "123A456B789C*0#D";

    /// <summary>Feeds the signal in 20 ms frames (as the pipeline does) and returns the presses.</summary>
    public static List<DtmfDigit> DetectInFrames(short[] signal, int sampleRate, DtmfDetectorOptions? options = null)
    {
        var detector = new DtmfDetector(sampleRate, options);
        int frame = FrameDuration.Samples(sampleRate);
        var result = new List<DtmfDigit>();
        for (int i = 0; i < signal.Length; i += frame)
        {
            detector.Process(signal.AsSpan(i, Math.Min(frame, signal.Length - i)));
            while (detector.TryReadDigit(out DtmfDigit d))
            {
                result.Add(d);
            }
        }
        return result;
    }

    public static string Digits(short[] signal, int sampleRate, DtmfDetectorOptions? options = null) =>
        string.Concat(DetectInFrames(signal, sampleRate, options).Select(d => d.Digit));

    /// <summary>A dual tone with independent levels (peak dBFS) and frequencies, for twist and tolerance tests.</summary>
    public static short[] DualTone(double low, double high, int sampleRate, int milliseconds, double lowDbfs, double highDbfs)
    {
        int n = sampleRate * milliseconds / 1000;
        double a = 32767 * Math.Pow(10, lowDbfs / 20), b = 32767 * Math.Pow(10, highDbfs / 20);
        var s = new short[n];
        for (int i = 0; i < n; i++)
        {
            s[i] = (short)Math.Round(a * Math.Sin(2 * Math.PI * low * i / sampleRate) + b * Math.Sin(2 * Math.PI * high * i / sampleRate));
        }
        return s;
    }

    public static short[] Concat(params short[][] parts) => parts.SelectMany(p => p).ToArray();

    public static short[] Silence(int sampleRate, int milliseconds) => new short[sampleRate * milliseconds / 1000];
}
