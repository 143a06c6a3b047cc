using Akka.Configuration;

namespace AudioFlow.Host.Configuration;

/// <summary>
/// Loads AudioFlow's one source of configuration: the defaults (hocon/audioflow.conf, embedded in this assembly so an
/// installed binary needs no files), layered under an operator's file (<c>--config</c>), layered under
/// <c>-c key=value</c> overrides. Later layers win. Every problem is a <see cref="ConfigurationException"/> naming
/// the file or override at fault.
/// </summary>
public static class AudioFlowConfig
{
    private const string DefaultsResource = "audioflow.conf";

    public static Config Defaults()
    {
        using var stream = typeof(AudioFlowConfig).Assembly.GetManifestResourceStream(DefaultsResource)
            ?? throw new InvalidOperationException($"embedded resource {DefaultsResource} is missing from the build");
        using var reader = new StreamReader(stream);
        return ConfigurationFactory.ParseString(reader.ReadToEnd());
    }

    public static Config Load(string? configFile = null, IEnumerable<string>? overrides = null)
    {
        var config = Defaults();
        if (!string.IsNullOrWhiteSpace(configFile))
        {
            if (!File.Exists(configFile))
            {
                throw new ConfigurationException($"configuration file not found: {configFile}");
            }

            config = Parse(File.ReadAllText(configFile), configFile).WithFallback(config);
        }

        foreach (var pair in overrides ?? [])
        {
            if (!pair.Contains('='))
            {
                throw new ConfigurationException($"override '{pair}' must look like key=value (e.g. audioflow.http.port=9090)");
            }

            config = Parse(pair, $"override '{pair}'").WithFallback(config);
        }

        return config;
    }

    private static Config Parse(string text, string source)
    {
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not ConfigurationException)
        {
            throw new ConfigurationException($"{source}: not valid HOCON: {e.Message}");
        }
        catch (ConfigurationException e)
        {
            throw new ConfigurationException($"{source}: {e.Message}");
        }
    }
}
