namespace AudioFlow.Audio.Tests;

public class FrameAssemblerTests
{
    [Fact]
    public void Arbitrary_writes_come_out_as_fixed_frames_in_order_with_the_remainder_kept()
    {
        var assembler = new FrameAssembler<short>(160);
        var random = new Random(3);
        var written = new List<short>();
        var read = new List<short>();
        var frame = new short[160];
        short next = 0;
        for (int i = 0; i < 500; i++)
        {
            short[] chunk = new short[random.Next(0, 900)];
            for (int j = 0; j < chunk.Length; j++)
            {
                chunk[j] = next++;
            }
            assembler.Write(chunk);
            written.AddRange(chunk);
            while (assembler.TryReadFrame(frame))
            {
                read.AddRange(frame);
            }
            Assert.Equal(written.Count % 160, assembler.Buffered);
            Assert.Equal(0, assembler.AvailableFrames);
        }
        Assert.Equal(written.Take(read.Count), read);
        Assert.Equal(written.Count - written.Count % 160, read.Count);
    }

    [Fact]
    public void Frames_as_new_arrays_are_independent_copies()
    {
        var assembler = new FrameAssembler<short>(4);
        assembler.Write(new short[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 });
        Assert.Equal(2, assembler.AvailableFrames);
        Assert.True(assembler.TryReadFrame(out short[]? a));
        Assert.True(assembler.TryReadFrame(out short[]? b));
        Assert.False(assembler.TryReadFrame(out short[]? none));
        Assert.Null(none);
        Assert.Equal(new short[] { 1, 2, 3, 4 }, a);
        Assert.Equal(new short[] { 5, 6, 7, 8 }, b);
        assembler.Write(new short[] { 10, 11, 12 });
        Assert.Equal(new short[] { 1, 2, 3, 4 }, a); // not overwritten by later writes
        Assert.True(assembler.TryReadFrame(out short[]? c));
        Assert.Equal(new short[] { 9, 10, 11, 12 }, c);
    }

    [Fact]
    public void The_last_partial_frame_can_be_padded()
    {
        var assembler = new FrameAssembler<byte>(160); // µ-law bytes: pad with µ-law silence
        assembler.Write(new byte[200]);
        var frame = new byte[160];
        Assert.True(assembler.TryReadPaddedFrame(frame, padding: 0xFF)); // a whole frame is available: no padding
        Assert.All(frame, b => Assert.Equal(0, b));
        Assert.True(assembler.TryReadPaddedFrame(frame, padding: 0xFF));
        Assert.All(frame[..40], b => Assert.Equal(0, b));
        Assert.All(frame[40..], b => Assert.Equal(0xFF, b));
        Assert.False(assembler.TryReadPaddedFrame(frame));
        Assert.Equal(0, assembler.Buffered);
    }

    [Fact]
    public void Clear_drops_everything()
    {
        var assembler = new FrameAssembler<short>(320);
        assembler.Write(new short[1000]);
        assembler.Clear();
        Assert.Equal(0, assembler.Buffered);
        Assert.False(assembler.TryReadFrame(new short[320]));
    }

    [Fact]
    public void A_large_write_grows_the_buffer()
    {
        var assembler = new FrameAssembler<short>(2);
        short[] big = Enumerable.Range(0, 100_001).Select(i => (short)i).ToArray();
        assembler.Write(big);
        Assert.Equal(50_000, assembler.AvailableFrames);
        var frame = new short[2];
        for (int i = 0; i < 50_000; i++)
        {
            Assert.True(assembler.TryReadFrame(frame));
            Assert.Equal((short)(2 * i), frame[0]);
        }
        Assert.Equal(1, assembler.Buffered);
    }

    [Fact]
    public void Bad_arguments_are_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new FrameAssembler<short>(0));
        var assembler = new FrameAssembler<short>(160);
        Assert.Throws<ArgumentException>(() => assembler.TryReadFrame(new short[159]));
    }
}
