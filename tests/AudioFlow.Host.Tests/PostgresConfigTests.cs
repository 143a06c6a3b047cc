using AudioFlow.Host.Configuration;
using AudioFlow.Pipeline.Configuration;

namespace AudioFlow.Host.Tests;

public sealed class PostgresConfigTests
{
    [Fact]
    public void The_postgres_file_switches_the_journal_to_postgresql_and_an_override_still_wins()
    {
        var file = Path.Combine(Support.RepoPaths.Root, "hocon", "persistence-postgres.conf");
        var config = AudioFlowConfig.Load(file, ["audioflow.journal.connection-string = \"Host=db.internal;Database=calls\""]);
        var journal = JournalOptions.FromConfig(config, AudioFlowHome.Resolve);

        Assert.Equal(JournalProvider.Postgres, journal.Provider);
        Assert.Equal("Host=db.internal;Database=calls", journal.EffectiveConnectionString);
        Assert.Equal("PostgreSQL.15", journal.Linq2DbProvider);
    }
}
