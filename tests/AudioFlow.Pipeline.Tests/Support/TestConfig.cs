using Akka.Configuration;
using AudioFlow.Pipeline.Configuration;

namespace AudioFlow.Pipeline.Tests.Support;

/// <summary>The real defaults (hocon/audioflow.conf) with test overrides on top.</summary>
public static class TestConfig
{
    /// <summary>The defaults with the journal off (tests that journal switch it on and configure a database).</summary>
    public static Config Load(params string[] overrides)
    {
        var config = ConfigurationFactory.ParseString("audioflow.journal.enabled = off")
            .WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(RepoPaths.DefaultsConf)));
        foreach (var o in overrides)
        {
            config = ConfigurationFactory.ParseString(o).WithFallback(config);
        }

        return config;
    }

    public static PipelineOptions Pipeline(params string[] overrides) => PipelineOptions.FromConfig(Load(overrides));
}
