using Akka.Actor;
using Akka.Event;

namespace AudioFlow.Host.Logging;

/// <summary>
/// Akka logger that writes to standard error, one line per event, so standard output stays machine-readable
/// (<c>audioflow call --json</c>). Configured by <c>akka.loggers</c>.
/// </summary>
public sealed class StderrLogger : ReceiveActor
{
    public StderrLogger()
    {
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
        Receive<LogEvent>(e =>
        {
            var line = $"{e.Timestamp:HH:mm:ss.fff} {Level(e.LogLevel())} {e.LogSource}: {e.Message}";
            Console.Error.WriteLine(e.Cause is null ? line : $"{line} ({e.Cause.GetType().Name}: {e.Cause.Message})");
        });
    }

    private static string Level(Akka.Event.LogLevel level) => level switch
    {
        Akka.Event.LogLevel.DebugLevel => "DEBUG",
        Akka.Event.LogLevel.InfoLevel => "INFO ",
        Akka.Event.LogLevel.WarningLevel => "WARN ",
        _ => "ERROR",
    };
}
