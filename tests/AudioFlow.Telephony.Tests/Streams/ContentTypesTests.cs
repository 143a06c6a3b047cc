using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Streams;
using Xunit;

namespace AudioFlow.Telephony.Tests.Streams;

public sealed class ContentTypesTests
{
    [Theory]
    [InlineData("audio/x-mulaw;rate=8000", null, AudioEncoding.Pcmu, 8000)]
    [InlineData("audio/x-mulaw", 8000, AudioEncoding.Pcmu, 8000)]
    [InlineData("audio/x-mulaw", null, AudioEncoding.Pcmu, 8000)]
    [InlineData(" Audio/X-MULAW ; rate = 8000 ", null, AudioEncoding.Pcmu, 8000)]
    [InlineData("audio/x-l16;rate=16000", null, AudioEncoding.L16, 16000)]
    [InlineData("audio/x-l16;rate=8000", null, AudioEncoding.L16, 8000)]
    [InlineData("audio/x-l16;rate=24000", null, AudioEncoding.L16, 24000)]
    [InlineData("audio/x-l16", 16000, AudioEncoding.L16, 16000)]
    [InlineData("audio/x-l16;rate=8000", 16000, AudioEncoding.L16, 16000)]
    [InlineData("audio/x-l16", null, AudioEncoding.L16, 8000)]
    [InlineData("audio/x-alaw;rate=8000", null, AudioEncoding.Pcma, 8000)]
    [InlineData("PCMU", 8000, AudioEncoding.Pcmu, 8000)]
    [InlineData("PCMA", 8000, AudioEncoding.Pcma, 8000)]
    [InlineData("G722", 8000, AudioEncoding.G722, 16000)]
    [InlineData("G722", null, AudioEncoding.G722, 16000)]
    [InlineData("L16", 24000, AudioEncoding.L16, 24000)]
    public void Parses(string text, int? rate, AudioEncoding encoding, int expectedRate)
    {
        Assert.Equal(new MediaFormat(encoding, expectedRate), ContentTypes.Parse(text, rate));
        Assert.True(ContentTypes.TryParse(text, rate, out var format));
        Assert.Equal(new MediaFormat(encoding, expectedRate), format);
    }

    [Theory]
    [InlineData("audio/opus", null, "unknown content type 'audio/opus'")]
    [InlineData("OPUS", null, "unknown content type 'OPUS'")]
    [InlineData("AMR-WB", null, "unknown content type 'AMR-WB'")]
    [InlineData("", null, "empty content type")]
    [InlineData("audio/x-mulaw;rate=16000", null, "unsupported rate 16000")]
    [InlineData("audio/x-mulaw;rate=abc", null, "bad rate in content type")]
    [InlineData("audio/x-l16", 96000, "unsupported rate 96000")]
    [InlineData("PCMA", 16000, "unsupported rate 16000")]
    public void Rejects_naming_it(string text, int? rate, string expected)
    {
        var e = Assert.Throws<StreamProtocolException>(() => ContentTypes.Parse(text, rate));
        Assert.Contains(expected, e.Message);
        Assert.False(ContentTypes.TryParse(text, rate, out _));
    }

    [Fact]
    public void Formats_to_provider_names()
    {
        Assert.Equal("audio/x-mulaw;rate=8000", ContentTypes.ToPlivoContentType(MediaFormat.Pcmu8k));
        Assert.Equal("audio/x-l16;rate=16000", ContentTypes.ToPlivoContentType(MediaFormat.L16At16k));
        Assert.Equal("audio/x-l16;rate=24000", ContentTypes.ToPlivoContentType(new MediaFormat(AudioEncoding.L16, 24000)));
        Assert.Equal("audio/x-l16", ContentTypes.PlivoMimeType(MediaFormat.L16At8k));
        Assert.Throws<ArgumentException>(() => ContentTypes.ToPlivoContentType(MediaFormat.Pcma8k));
        Assert.Equal("PCMU", ContentTypes.TelnyxCodec(MediaFormat.Pcmu8k));
        Assert.Equal("PCMA", ContentTypes.TelnyxCodec(MediaFormat.Pcma8k));
        Assert.Equal("G722", ContentTypes.TelnyxCodec(new MediaFormat(AudioEncoding.G722, 16000)));
        Assert.Equal("L16", ContentTypes.TelnyxCodec(MediaFormat.L16At16k));
    }

    [Fact]
    public void Plivo_content_type_round_trips()
    {
        foreach (var format in new[] { MediaFormat.Pcmu8k, MediaFormat.L16At8k, MediaFormat.L16At16k, new MediaFormat(AudioEncoding.L16, 24000) })
            Assert.Equal(format, ContentTypes.Parse(ContentTypes.ToPlivoContentType(format)));
    }
}
