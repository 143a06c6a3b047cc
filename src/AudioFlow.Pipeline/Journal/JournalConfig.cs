using Akka.Configuration;
using AudioFlow.Pipeline.Configuration;

namespace AudioFlow.Pipeline.Journal;

/// <summary>
/// The Akka settings the journal needs, derived from <see cref="JournalOptions"/> (so <c>audioflow.journal</c> stays
/// the one place an operator configures it): the call-event serializer and the Akka.Persistence.Sql journal and
/// query plugins on SQLite or PostgreSQL.
/// </summary>
public static class JournalConfig
{
    public const string QueryPluginId = "akka.persistence.query.journal.sql";

    public static Config For(JournalOptions options)
    {
        var serializer = $$"""
            akka.actor {
              serializers.callevents = "{{typeof(CallEventSerializer).AssemblyQualifiedName}}"
              serialization-bindings { "{{typeof(CallEvent).AssemblyQualifiedName}}" = callevents }
            }
            """;
        if (!options.Enabled)
        {
            return ConfigurationFactory.ParseString(serializer);
        }

        var connection = Quote(options.EffectiveConnectionString);
        var provider = Quote(options.Linq2DbProvider);
        return ConfigurationFactory.ParseString($$"""
            {{serializer}}
            akka.persistence {
              journal {
                plugin = "akka.persistence.journal.sql"
                sql {
                  connection-string = {{connection}}
                  provider-name = {{provider}}
                  auto-initialize = on
                }
              }
              query.journal.sql {
                connection-string = {{connection}}
                provider-name = {{provider}}
                auto-initialize = on
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  connection-string = {{connection}}
                  provider-name = {{provider}}
                  auto-initialize = on
                }
              }
            }
            """).WithFallback(Akka.Persistence.Sql.SqlPersistence.DefaultConfiguration);
    }

    private static string Quote(string value) => "\"" + value.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
}
