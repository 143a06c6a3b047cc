using AudioFlow.Telephony.Streams;
using Xunit;

namespace AudioFlow.Telephony.Tests.Streams;

public sealed class MediaReorderBufferTests
{
    [Fact]
    public void Chunks_come_out_in_order_and_a_missing_one_is_skipped_after_the_window()
    {
        var buffer = new MediaReorderBuffer(window: 2);
        var released = new List<long>();
        foreach (var chunk in new long[] { 1, 2, 4, 3, 5, 7, 8, 9, 10 })
        {
            released.AddRange(buffer.Add(Media(chunk)).Select(m => m.Chunk!.Value));
        }

        Assert.Equal([1, 2, 3, 4, 5, 7, 8, 9, 10], released); // 6 never came: skipped once 3 later chunks were held
        Assert.Empty(buffer.Drain());
        Assert.Equal(1, buffer.Skipped);
        Assert.Equal(4, buffer.OutOfOrder); // 4 (before 3), 7, 8 and 9 (while 6 was awaited)
    }

    [Fact]
    public void A_chunk_older_than_what_was_released_passes_through_and_counts_as_late()
    {
        var buffer = new MediaReorderBuffer(window: 1);
        buffer.Add(Media(1));
        buffer.Add(Media(3));
        buffer.Add(Media(4)); // 2 skipped
        Assert.Single(buffer.Add(Media(2)));
        Assert.Equal(1, buffer.Late);
    }

    private static StreamMedia Media(long chunk) => new([], chunk, chunk, chunk * 20, "inbound");
}
