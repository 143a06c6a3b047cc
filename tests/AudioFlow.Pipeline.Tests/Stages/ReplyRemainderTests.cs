using AudioFlow.Pipeline.Stages;

namespace AudioFlow.Pipeline.Tests.Stages;

public sealed class ReplyRemainderTests
{
    private const string Reply = "Thanks for calling Northwind. How can I help you today? Say sales or support.";

    [Theory]
    [InlineData(null, Reply)]
    [InlineData("", Reply)]
    [InlineData("Thanks for", Reply)]
    [InlineData("Thanks for calling Northwind.", "How can I help you today? Say sales or support.")]
    [InlineData("Thanks for calling Northwind. How can", "How can I help you today? Say sales or support.")]
    [InlineData("Thanks for calling Northwind. How can I help you today? Say", "Say sales or support.")]
    public void The_rest_starts_at_the_first_sentence_not_heard_whole(string? heard, string expected) =>
        Assert.Equal(expected, ReplyRemainder.After(Reply, heard));

    [Fact]
    public void Nothing_is_left_when_everything_was_heard() =>
        Assert.Null(ReplyRemainder.After(Reply, Reply));
}
