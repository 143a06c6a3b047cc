using System.Net;
using System.Net.Sockets;

namespace AudioFlow.Pipeline.Tests.Support;

/// <summary>
/// A private PostgreSQL server for tests: a fresh cluster in a temp folder (initdb), listening on 127.0.0.1 at a free
/// port, run as the <c>postgres</c> user when the tests run as root (PostgreSQL refuses root). Debian's
/// <c>postgresql</c> package provides the binaries (./setup.sh --test installs it).
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _bin;
    private readonly string _dir;

    private PostgresServer(string bin, string dir, int port)
    {
        _bin = bin;
        _dir = dir;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=audioflow;Database=postgres;Pooling=false;Timeout=5";

    /// <summary>Why PostgreSQL tests cannot run here, or null.</summary>
    public static string? Unavailable => BinDirectory() is null ? "PostgreSQL server binaries not found (apt-get install postgresql; ./setup.sh --test installs it)" : null;

    public static PostgresServer Start()
    {
        var bin = BinDirectory() ?? throw new InvalidOperationException(Unavailable);
        var dir = Directory.CreateTempSubdirectory("audioflow-pg-").FullName;
        if (Environment.UserName == "root")
        {
            ToolProcess.Run("chown", "postgres:postgres", dir);
        }

        var server = new PostgresServer(bin, dir, FreePort());
        server.Pg("initdb", "-D", Path.Combine(dir, "data"), "-U", "audioflow", "--auth=trust", "-E", "UTF8", "--no-sync");
        server.Resume();
        return server;
    }

    /// <summary>Stops the server at once (an outage); <see cref="Resume"/> brings it back with its data.</summary>
    public void Stop() => Pg("pg_ctl", "-D", Path.Combine(_dir, "data"), "-m", "immediate", "-w", "stop");

    public void Resume() => Pg("pg_ctl", "-D", Path.Combine(_dir, "data"), "-l", Path.Combine(_dir, "log"), "-w", "-t", "30", "-o",
        $"-p {Port} -k {_dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start");

    public void Dispose()
    {
        try
        {
            Stop();
        }
        catch (InvalidOperationException)
        {
            // already stopped
        }

        Directory.Delete(_dir, recursive: true);
    }

    private void Pg(string tool, params string[] args)
    {
        var path = Path.Combine(_bin, tool);
        if (Environment.UserName == "root")
        {
            ToolProcess.Run("runuser", ["-u", "postgres", "--", path, .. args]);
        }
        else
        {
            ToolProcess.Run(path, args);
        }
    }

    private static string? BinDirectory() => Directory.Exists("/usr/lib/postgresql")
        ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
            .OrderDescending().FirstOrDefault()
        : null;

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}

/// <summary>A fact skipped (with the reason) where no PostgreSQL server binaries are installed.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.Unavailable is { } why)
        {
            Skip = why;
        }
    }
}
