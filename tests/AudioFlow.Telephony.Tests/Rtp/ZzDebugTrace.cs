using AudioFlow.Telephony.Rtp;
using Xunit;
using static AudioFlow.Telephony.Tests.Rtp.JitterSimulation;

namespace AudioFlow.Telephony.Tests.Rtp;

public sealed class ZzDebugTrace
{
    [Fact]
    public void Trace()
    {
        var buffer = new JitterBuffer();
        List<Sent> sent = Stream(200);
        int[] dropped = [20, 60, 61, 120, 150, 151, 152];
        List<Delivered> delivered = Network(sent, seed: 5, drop: p => dropped.Contains(p.Index));
        List<Pulled> pulled = Run(buffer, delivered, endMs: 1000);
        File.WriteAllLines("/tmp/rtpdbg/trace.txt", pulled.Select(p => $"{p.TimeMs} {p.Frame.Kind} {(p.Frame.Kind == JitterBufferFrameKind.Audio ? IndexOf(p.Frame.Payload.Span) : -1)} ts={p.Frame.Timestamp} seq={p.Frame.Sequence} T={p.TargetDelay.TotalMilliseconds} D={p.CurrentDelay.TotalMilliseconds}"));
    }
}
