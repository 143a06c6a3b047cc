using Akka.Configuration;
using AudioFlow.Host.Configuration;

namespace AudioFlow.Host.Tests;

public sealed class ConfigurationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("audioflow-conf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_embedded_defaults_are_the_hocon_file_in_the_repository()
    {
        var defaults = AudioFlowConfig.Defaults();
        Assert.Equal(8080, defaults.GetInt("audioflow.http.port"));
        Assert.Equal("flite", defaults.GetString("audioflow.engines.tts"));
    }

    [Fact]
    public void A_file_overrides_the_defaults_and_a_command_line_override_wins_over_the_file()
    {
        var file = Path.Combine(_dir, "my.conf");
        File.WriteAllText(file, "audioflow.http.port = 9000\naudioflow.engines.tts = espeak\n");

        var config = AudioFlowConfig.Load(file, ["audioflow.http.port = 9100"]);

        Assert.Equal(9100, config.GetInt("audioflow.http.port"));
        Assert.Equal("espeak", config.GetString("audioflow.engines.tts"));
        Assert.Equal("127.0.0.1", config.GetString("audioflow.http.host"));
        Assert.Equal("espeak", EngineOptions.FromConfig(config).Tts);
    }

    [Fact]
    public void Problems_name_the_file_or_key_at_fault()
    {
        Assert.Contains("not found", Assert.Throws<ConfigurationException>(() => AudioFlowConfig.Load(Path.Combine(_dir, "none.conf"))).Message);
        Assert.Contains("key=value", Assert.Throws<ConfigurationException>(() => AudioFlowConfig.Load(null, ["just-a-word"])).Message);
        var config = AudioFlowConfig.Load(null, ["audioflow.engines.tts = festival"]);
        var error = Assert.Throws<ConfigurationException>(() => EngineOptions.FromConfig(config));
        Assert.Contains("audioflow.engines.tts must be one of flite, espeak", error.Message);
    }
}
