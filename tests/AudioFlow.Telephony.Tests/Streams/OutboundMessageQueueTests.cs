using AudioFlow.Telephony.Streams;
using Xunit;

namespace AudioFlow.Telephony.Tests.Streams;

public sealed class OutboundMessageQueueTests
{
    [Fact]
    public async Task A_clear_drops_queued_media_and_goes_out_first_control_messages_keep_their_place()
    {
        var queue = new OutboundMessageQueue(10);
        await queue.EnqueueMediaAsync("m1", CancellationToken.None);
        queue.EnqueueControl("mark");
        await queue.EnqueueMediaAsync("m2", CancellationToken.None);
        Assert.Equal(2, queue.EnqueueClearAhead("clear"));

        Assert.Equal("clear", await queue.DequeueAsync(CancellationToken.None));
        Assert.Equal("mark", await queue.DequeueAsync(CancellationToken.None));
        Assert.Equal(0, queue.Count);
    }

    [Fact]
    public async Task Media_beyond_the_capacity_waits_until_the_consumer_takes_some_or_a_clear_frees_room()
    {
        var queue = new OutboundMessageQueue(2);
        await queue.EnqueueMediaAsync("m1", CancellationToken.None);
        await queue.EnqueueMediaAsync("m2", CancellationToken.None);
        var third = queue.EnqueueMediaAsync("m3", CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(third.IsCompleted);

        Assert.Equal("m1", await queue.DequeueAsync(CancellationToken.None));
        await third.WaitAsync(TimeSpan.FromSeconds(5));
        var fourth = queue.EnqueueMediaAsync("m4", CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(fourth.IsCompleted);
        queue.EnqueueClearAhead("clear");
        await fourth.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("clear", await queue.DequeueAsync(CancellationToken.None));
        Assert.Equal("m4", await queue.DequeueAsync(CancellationToken.None));
    }
}
