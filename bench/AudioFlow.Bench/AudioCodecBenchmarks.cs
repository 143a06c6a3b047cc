using AudioFlow.Audio.Codecs;
using BenchmarkDotNet.Attributes;

namespace AudioFlow.Bench;

/// <summary>
/// G.711 µ-law / A-law encode and decode of one 20 ms telephony frame (160 samples) and of one second (8000 samples).
/// Every call's inbound audio is decoded and its outbound audio encoded frame by frame, so the 160-sample rows are
/// the per-frame cost. Expect no allocation.
/// </summary>
[MemoryDiagnoser]
public class AudioCodecBenchmarks
{
    private short[] _pcm = [];
    private byte[] _muLaw = [];
    private byte[] _aLaw = [];
    private short[] _decoded = [];

    /// <summary>160 = one 20 ms frame at 8 kHz; 8000 = one second.</summary>
    [Params(160, 8000)]
    public int Samples { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _pcm = new short[Samples];
        for (int i = 0; i < Samples; i++)
        {
            // Speech-like level: a 440 Hz tone plus noise, peaks around -10 dBFS.
            _pcm[i] = (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000) + random.Next(-2000, 2000));
        }
        _muLaw = new byte[Samples];
        _aLaw = new byte[Samples];
        _decoded = new short[Samples];
        G711.MuLawEncode(_pcm, _muLaw);
        G711.ALawEncode(_pcm, _aLaw);
    }

    [Benchmark]
    public void MuLawEncode() => G711.MuLawEncode(_pcm, _muLaw);

    [Benchmark]
    public void MuLawDecode() => G711.MuLawDecode(_muLaw, _decoded);

    [Benchmark]
    public void ALawEncode() => G711.ALawEncode(_pcm, _aLaw);

    [Benchmark]
    public void ALawDecode() => G711.ALawDecode(_aLaw, _decoded);
}
