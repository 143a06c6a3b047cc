using AudioFlow.Telephony.Providers.Auth;
using Xunit;

namespace AudioFlow.Telephony.Tests.Providers;

public sealed class TelnyxStreamAuthTests
{
    private const string Expected = "stream-token-6f1d2c";

    [Theory]
    [InlineData(Expected, AuthOutcome.Valid)]
    [InlineData(" " + Expected + " ", AuthOutcome.Valid)]
    [InlineData(Expected + "x", AuthOutcome.BadSignature)]
    [InlineData("stream-token-6f1d2C", AuthOutcome.BadSignature)]
    [InlineData("x", AuthOutcome.BadSignature)]
    [InlineData("Bearer " + Expected, AuthOutcome.BadSignature)]
    [InlineData(null, AuthOutcome.Missing)]
    [InlineData("", AuthOutcome.Missing)]
    public void Compares_the_header_with_the_configured_token(string? header, AuthOutcome expected)
    {
        var result = TelnyxStreamAuth.Validate(Expected, header);

        Assert.Equal(expected, result.Outcome);
        Assert.DoesNotContain(Expected, result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_and_missing_configuration_do_not_throw()
    {
        Assert.Equal(AuthOutcome.Malformed, TelnyxStreamAuth.Validate(Expected, new string('a', 100_000)).Outcome);
        Assert.Equal(AuthOutcome.NotConfigured, TelnyxStreamAuth.Validate("", Expected).Outcome);
        Assert.Equal("x-telnyx-streaming-auth-token", TelnyxStreamAuth.HeaderName);
    }
}
