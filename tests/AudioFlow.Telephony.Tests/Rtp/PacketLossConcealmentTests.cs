using AudioFlow.Telephony.Rtp;
using Xunit;

namespace AudioFlow.Telephony.Tests.Rtp;

public sealed class PacketLossConcealmentTests
{
    [Fact]
    public void Repeats_the_last_frame_fading_to_silence_over_60_ms()
    {
        var plc = new PacketLossConcealment(samplesPerFrame: 160);
        short[] good = Enumerable.Range(0, 160).Select(i => (short)(i % 2 == 0 ? 10000 : -10000)).ToArray();
        plc.OnGoodFrame(good);

        var frames = new List<short[]>();
        for (int i = 0; i < 4; i++)
        {
            var concealed = new short[160];
            plc.Conceal(concealed);
            frames.Add(concealed);
        }

        Assert.Equal(4, plc.ConsecutiveLost);
        // First sample: nearly full level, same sign pattern as the good frame.
        Assert.InRange(frames[0][0], 9900, 10000);
        Assert.InRange(frames[0][1], -10000, -9900);

        // The envelope decreases monotonically to zero by the end of the third frame, then stays silent.
        int[] envelope = frames.SelectMany(f => f).Select(s => Math.Abs((int)s)).ToArray();
        for (int i = 1; i < envelope.Length; i++)
        {
            Assert.True(envelope[i] <= envelope[i - 1] + 0, $"envelope rises at {i}");
        }

        Assert.InRange(Math.Abs((int)frames[1][0]), 6600, 6700); // one third down after 20 ms
        Assert.InRange(Math.Abs((int)frames[2][0]), 3300, 3400);
        Assert.Equal(0, frames[2][159]);
        Assert.All(frames[3], s => Assert.Equal(0, s));
    }

    [Fact]
    public void First_good_frame_after_a_loss_fades_in_and_resets_the_fade()
    {
        var plc = new PacketLossConcealment(160);
        short[] good = Enumerable.Repeat((short)8000, 160).ToArray();
        plc.OnGoodFrame(good.ToArray());
        plc.Conceal(new short[160]);

        short[] next = good.ToArray();
        plc.OnGoodFrame(next);
        Assert.True(next[0] < 8000 / 10);
        Assert.True(next[20] is > 3000 and < 8000);
        Assert.Equal(8000, next[40]);
        Assert.Equal(0, plc.ConsecutiveLost);

        // A new loss starts again at full level.
        var concealed = new short[160];
        plc.Conceal(concealed);
        Assert.InRange(concealed[100], 6200, 6400); // 8000 × 379/480

        // Without a good frame yet: silence.
        var fresh = new PacketLossConcealment(320);
        var silent = new short[320];
        silent.AsSpan().Fill(5);
        fresh.Conceal(silent);
        Assert.All(silent, s => Assert.Equal(0, s));
        Assert.Throws<ArgumentException>(() => fresh.Conceal(new short[160]));
    }
}
