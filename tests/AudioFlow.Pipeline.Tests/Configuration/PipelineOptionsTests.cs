using Akka.Configuration;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Tests.Support;

namespace AudioFlow.Pipeline.Tests.Configuration;

public sealed class PipelineOptionsTests
{
    [Fact]
    public void Defaults_from_the_hocon_file_are_read()
    {
        var options = TestConfig.Pipeline();
        Assert.Equal(16000, options.InternalSampleRate);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Turn.MinEndpointingDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(60), options.Playout.Lead);
        Assert.False(options.Chaos.Enabled);
    }

    [Fact]
    public void An_override_wins_over_the_defaults()
    {
        var options = TestConfig.Pipeline("audioflow.pipeline.turn.min-endpointing-delay = 700ms", "audioflow.pipeline.playout.lead = 40ms");
        Assert.Equal(TimeSpan.FromMilliseconds(700), options.Turn.MinEndpointingDelay);
        Assert.Equal(TimeSpan.FromMilliseconds(40), options.Playout.Lead);
    }

    [Fact]
    public void Chaos_faults_are_read_with_their_stage_and_rate()
    {
        var options = TestConfig.Pipeline("audioflow.chaos { enabled = on, faults = [ { stage = vad, every-nth = 50 }, { stage = tts, probability = 0.25 } ] }");
        Assert.True(options.Chaos.Enabled);
        Assert.Equal(new FaultSpec("vad", 50, 0), options.Chaos.Faults[0]);
        Assert.Equal(new FaultSpec("tts", 0, 0.25), options.Chaos.Faults[1]);
    }

    [Theory]
    [InlineData("audioflow.pipeline.vad.activation-threshold = 1.5", "audioflow.pipeline.vad.activation-threshold must be between 0 and 1")]
    [InlineData("audioflow.pipeline.internal-sample-rate = 44100", "audioflow.pipeline.internal-sample-rate must be 8000 or 16000")]
    [InlineData("audioflow.pipeline.turn.min-endpointing-delay = soon", "audioflow.pipeline.turn.min-endpointing-delay must be a duration")]
    [InlineData("audioflow.pipeline.turn.min-endpointing-delay = 5s", "min-endpointing-delay must not exceed max-endpointing-delay")]
    [InlineData("audioflow.chaos.faults = [ { stage = vda, every-nth = 5 } ]", "unknown stage 'vda'")]
    [InlineData("audioflow.chaos.faults = [ { stage = vad } ]", "give exactly one of every-nth")]
    public void Bad_values_are_refused_with_the_key_named(string setting, string expected)
    {
        var error = Assert.Throws<ConfigurationException>(() => TestConfig.Pipeline(setting));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Backoff_doubles_from_min_and_is_capped_at_max()
    {
        var supervision = new SupervisionOptions(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100), 5, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(15));
        Assert.Equal(TimeSpan.FromMilliseconds(10), supervision.BackoffFor(1));
        Assert.Equal(TimeSpan.FromMilliseconds(40), supervision.BackoffFor(3));
        Assert.Equal(TimeSpan.FromMilliseconds(100), supervision.BackoffFor(5));
    }
}
