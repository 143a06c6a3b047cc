using AudioFlow.Audio.Codecs.G722;
using BenchmarkDotNet.Attributes;

namespace AudioFlow.Bench;

/// <summary>
/// G.722 (64 kbit/s) encode and decode of one 20 ms wideband frame: 320 samples at 16 kHz ↔ 160 bytes. A call on a
/// G.722 trunk decodes one such frame inbound and encodes one outbound every 20 ms, so these rows are the per-frame
/// cost of the codec (budget: 20 ms). The coders are stateful and keep running across iterations, as in a call.
/// Expect no allocation.
/// </summary>
[MemoryDiagnoser]
public class G722Benchmarks
{
    private readonly G722Encoder _encoder = new();
    private readonly G722Decoder _decoder = new();
    private short[] _pcm = [];
    private byte[] _payload = [];
    private short[] _decoded = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _pcm = new short[G722Format.SamplesPer20Ms];
        for (int i = 0; i < _pcm.Length; i++)
        {
            // Speech-like level: a 440 Hz tone, a 3 kHz tone and noise, peaks around -8 dBFS.
            _pcm[i] = (short)(7000 * Math.Sin(2 * Math.PI * 440 * i / 16000) + 2000 * Math.Sin(2 * Math.PI * 3000 * i / 16000)
                + random.Next(-2000, 2000));
        }
        _payload = new byte[G722Format.BytesPer20Ms];
        _decoded = new short[G722Format.SamplesPer20Ms];
        _encoder.Encode(_pcm, _payload);
    }

    [Benchmark]
    public int Encode20Ms() => _encoder.Encode(_pcm, _payload);

    [Benchmark]
    public int Decode20Ms() => _decoder.Decode(_payload, _decoded);
}
