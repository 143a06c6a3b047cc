using Akka.Configuration;

namespace AudioFlow.Pipeline.Configuration;

public enum JournalProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Typed view of <c>audioflow.journal</c>. Relative SQLite paths are resolved by the caller's <c>resolve</c>.</summary>
public sealed record JournalOptions(bool Enabled, JournalProvider Provider, string SqliteFile, string ConnectionString)
{
    public static JournalOptions FromConfig(Config config, Func<string, string> resolve)
    {
        var r = new OptionsReader(config, "audioflow.journal");
        var provider = r.String("provider") switch
        {
            "sqlite" => JournalProvider.Sqlite,
            "postgres" => JournalProvider.Postgres,
            var other => throw new ConfigurationException($"configuration key {r.Key("provider")} must be sqlite or postgres, got '{other}'"),
        };
        var connection = r.String("connection-string");
        if (provider == JournalProvider.Postgres && connection.Length == 0)
        {
            throw new ConfigurationException($"configuration key {r.Key("connection-string")} is required for provider = postgres");
        }

        return new JournalOptions(r.Bool("enabled"), provider, resolve(r.String("sqlite-file")), connection);
    }

    /// <summary>The ADO.NET connection string the journal uses.</summary>
    public string EffectiveConnectionString => Provider == JournalProvider.Sqlite ? $"Data Source={SqliteFile}" : ConnectionString;

    /// <summary>The linq2db provider name Akka.Persistence.Sql needs.</summary>
    public string Linq2DbProvider => Provider == JournalProvider.Sqlite ? "SQLite.MS" : "PostgreSQL.15";
}
