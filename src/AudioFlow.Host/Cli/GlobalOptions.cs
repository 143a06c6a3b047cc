using System.CommandLine;
using Akka.Configuration;
using AudioFlow.Host.Configuration;

namespace AudioFlow.Host.Cli;

/// <summary>Options every command takes: the configuration file and key=value overrides.</summary>
public static class GlobalOptions
{
    public static readonly Option<string?> ConfigFile = new("--config")
    {
        Description = "A HOCON file layered over the defaults (hocon/audioflow.conf)",
        Recursive = true,
    };

    public static readonly Option<string[]> Set = new("--set", "-c")
    {
        Description = "Override one setting, e.g. -c audioflow.http.port=9090 (repeatable)",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Config LoadConfig(ParseResult parse, params string[] extraOverrides) =>
        AudioFlowConfig.Load(parse.GetValue(ConfigFile), [.. parse.GetValue(Set) ?? [], .. extraOverrides]);
}
