using System.Data.Common;
using AudioFlow.Pipeline.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace AudioFlow.Pipeline.Journal;

/// <summary>
/// Checks at start that the journal's database can actually be written, so a corrupt, locked, read-only or
/// unreachable database is a clear error before the first call instead of a surprise in the middle of one.
/// </summary>
public static class JournalStoreCheck
{
    public static async Task VerifyAsync(JournalOptions options, CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            return;
        }

        if (options.Provider == JournalProvider.Sqlite)
        {
            await VerifySqliteAsync(options.SqliteFile, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await VerifyPostgresAsync(options.ConnectionString, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task VerifySqliteAsync(string file, CancellationToken cancellationToken)
    {
        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(file))!;
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new JournalUnavailableException($"journal database folder for {file} cannot be created: {e.Message}", e);
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = file, DefaultTimeout = 5, Pooling = false };
        try
        {
            await using var connection = new SqliteConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var check = await Scalar(connection, "PRAGMA quick_check;", cancellationToken).ConfigureAwait(false);
            if (!string.Equals(check, "ok", StringComparison.OrdinalIgnoreCase))
            {
                throw new JournalUnavailableException($"journal database {file} is damaged: integrity check says '{check}'");
            }

            // A write transaction proves the file is writable and not locked by another process.
            await Scalar(connection, "BEGIN IMMEDIATE; CREATE TABLE IF NOT EXISTS audioflow_write_check(x); ROLLBACK;", cancellationToken).ConfigureAwait(false);
        }
        catch (SqliteException e)
        {
            var why = e.SqliteErrorCode switch
            {
                26 => "it is not a SQLite database (corrupt or another kind of file)",
                11 => "it is corrupt",
                5 or 6 => "it is locked by another process",
                8 => "it is read-only",
                13 => "the disk is full",
                14 => "it cannot be opened",
                _ => e.Message,
            };
            throw new JournalUnavailableException($"journal database {file} cannot be used: {why} (SQLite error {e.SqliteErrorCode})", e);
        }
    }

    private static async Task VerifyPostgresAsync(string connectionString, CancellationToken cancellationToken)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString) { Timeout = 5 };
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await Scalar(connection, "SELECT 1", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException or TimeoutException or System.Net.Sockets.SocketException)
        {
            var builder = SafeBuilder(connectionString);
            throw new JournalUnavailableException(
                $"journal PostgreSQL at {builder?.Host ?? "?"}:{builder?.Port.ToString() ?? "?"} (database {builder?.Database ?? "?"}) cannot be used: {e.Message}", e);
        }
    }

    private static NpgsqlConnectionStringBuilder? SafeBuilder(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static async Task<string?> Scalar(DbConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))?.ToString();
    }
}

/// <summary>The journal's database cannot be used; the message says why (never the password).</summary>
public sealed class JournalUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
