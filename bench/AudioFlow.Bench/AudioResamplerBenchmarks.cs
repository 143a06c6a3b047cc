using AudioFlow.Audio.Resampling;
using BenchmarkDotNet.Attributes;

namespace AudioFlow.Bench;

/// <summary>
/// Streaming resampler cost in steady state (one long-lived instance, as one call keeps it):
/// 8 kHz → 16 kHz and 16 kHz → 8 kHz per 20 ms frame (the telephony ↔ ASR/VAD hot path, half-band filters), and
/// TTS output rates to telephony/ASR rates per sentence-sized chunk (3 s, polyphase filters). Expect no allocation.
/// </summary>
[MemoryDiagnoser]
public class AudioResamplerBenchmarks
{
    private const int SentenceSeconds = 3;

    private Resampler _up8To16 = null!;
    private Resampler _down16To8 = null!;
    private Resampler _tts22050To8000 = null!;
    private Resampler _tts22050To16000 = null!;
    private Resampler _tts24000To16000 = null!;
    private short[] _frame8k = [];
    private short[] _frame16k = [];
    private short[] _sentence22050 = [];
    private short[] _sentence24000 = [];
    private short[] _output = [];

    [GlobalSetup]
    public void Setup()
    {
        _up8To16 = Resampler.Create(8000, 16000);
        _down16To8 = Resampler.Create(16000, 8000);
        _tts22050To8000 = Resampler.Create(22050, 8000);
        _tts22050To16000 = Resampler.Create(22050, 16000);
        _tts24000To16000 = Resampler.Create(24000, 16000);
        _frame8k = Signal(8000, 160);
        _frame16k = Signal(16000, 320);
        _sentence22050 = Signal(22050, 22050 * SentenceSeconds);
        _sentence24000 = Signal(24000, 24000 * SentenceSeconds);
        _output = new short[16000 * SentenceSeconds + 16];
    }

    [Benchmark]
    public int Frame20ms_8kTo16k() => _up8To16.Process(_frame8k, _output);

    [Benchmark]
    public int Frame20ms_16kTo8k() => _down16To8.Process(_frame16k, _output);

    [Benchmark]
    public int Sentence3s_22050To8000() => _tts22050To8000.Process(_sentence22050, _output);

    [Benchmark]
    public int Sentence3s_22050To16000() => _tts22050To16000.Process(_sentence22050, _output);

    [Benchmark]
    public int Sentence3s_24000To16000() => _tts24000To16000.Process(_sentence24000, _output);

    private static short[] Signal(int rate, int count)
    {
        var random = new Random(rate);
        var samples = new short[count];
        for (int i = 0; i < count; i++)
        {
            samples[i] = (short)(6000 * Math.Sin(2 * Math.PI * 300 * i / rate) + 4000 * Math.Sin(2 * Math.PI * 2100 * i / rate) + random.Next(-1000, 1000));
        }
        return samples;
    }
}
