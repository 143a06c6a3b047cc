using AudioFlow.Audio.Dtmf;
using BenchmarkDotNet.Attributes;

namespace AudioFlow.Bench;

/// <summary>In-band DTMF detection cost per 20 ms frame of caller audio (runs on every inbound frame when enabled).</summary>
[MemoryDiagnoser]
public class AudioDtmfBenchmarks
{
    private DtmfDetector _detector8k = null!;
    private DtmfDetector _detector16k = null!;
    private short[] _frame8k = [];
    private short[] _frame16k = [];

    [GlobalSetup]
    public void Setup()
    {
        _detector8k = new DtmfDetector(8000);
        _detector16k = new DtmfDetector(16000);
        var random = new Random(5);
        _frame8k = Enumerable.Range(0, 160).Select(_ => (short)random.Next(-3000, 3000)).ToArray();
        _frame16k = Enumerable.Range(0, 320).Select(_ => (short)random.Next(-3000, 3000)).ToArray();
    }

    [Benchmark]
    public int Frame20ms_8k() => _detector8k.Process(_frame8k);

    [Benchmark]
    public int Frame20ms_16k() => _detector16k.Process(_frame16k);
}
