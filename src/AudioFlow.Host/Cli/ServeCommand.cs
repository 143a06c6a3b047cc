using System.CommandLine;
using Akka.Actor;
using Akka.Hosting;
using AudioFlow.Host.Composition;
using AudioFlow.Host.Configuration;
using AudioFlow.Host.Http;
using AudioFlow.Host.Sip;
using AudioFlow.Host.Streams;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Journal;

namespace AudioFlow.Host.Cli;

/// <summary><c>audioflow serve</c>: the AudioFlow node with its HTTP endpoints (127.0.0.1:8080 by default).</summary>
public static class ServeCommand
{
    private static readonly Option<string?> Chaos = new("--chaos") { Description = "Run with a chaos profile (HOCON), e.g. hocon/chaos-resilience.conf" };

    public static Command Create()
    {
        var command = new Command("serve", "Run the AudioFlow server") { Chaos };
        command.SetAction((parse, cancellation) => CliErrors.Run(() => Run(parse, cancellation)));
        return command;
    }

    private static async Task<int> Run(ParseResult parse, CancellationToken cancellation)
    {
        var config = parse.GetValue(Chaos) is { } profile
            ? GlobalOptions.LoadConfig(parse, ChaosCommand.ProfileOverrides(profile))
            : GlobalOptions.LoadConfig(parse);
        var reader = new OptionsReader(config, "audioflow.http");
        var host = reader.String("host");
        var port = reader.Int("port", p => p is >= 0 and <= 65535, "a TCP port (0-65535)");
        var pipeline = PipelineOptions.FromConfig(config, AudioFlowHome.Resolve);
        var journal = JournalOptions.FromConfig(config, AudioFlowHome.Resolve);
        await JournalStoreCheck.VerifyAsync(journal, cancellation);
        var nodeStartedAt = DateTimeOffset.UtcNow;
        var engines = EngineFactory.Create(EngineOptions.FromConfig(config), pipeline);
        try
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls($"http://{(host.Contains(':') ? $"[{host}]" : host)}:{port}");
            builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            builder.Services.AddSingleton(engines);
            builder.Services.AddSingleton(pipeline);
            var streams = StreamsOptions.FromConfig(config, pipeline.InboundBufferFrames);
            builder.Services.AddSingleton(streams);
            builder.Services.AddSingleton<StreamSecurity>();
            builder.Services.AddSingleton(new ProviderControls(streams, new HttpClient()));
            builder.Services.AddSingleton<StreamCallHandler>();
            builder.Services.AddAkka("audioflow", (akka, _) =>
            {
                akka.AddHocon(AkkaSettings.For(config, journal), HoconAddMode.Prepend);
                akka.WithActors((system, registry) =>
                    registry.Register<CallsSupervisor>(system.ActorOf(CallsSupervisor.Props(engines, pipeline), "calls")));
            });
            builder.Services.AddAudioFlowSip(config, pipeline.InboundBufferFrames); // audioflow.sip: trunk calls over SIP/RTP

            var app = builder.Build();
            app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });
            NodeEndpoints.Map(app);
            StreamEndpoints.Map(app);
            SipEndpoints.Map(app);
            if (streams.AuthMode == StreamAuthMode.None)
            {
                app.Logger.LogWarning("audioflow.streams.auth.mode = none: anyone who can reach this server can open media streams");
            }
            await app.StartAsync(cancellation);
            if (streams.AuthMode == StreamAuthMode.Token && streams.AnswerKey.Length == 0 && app.Urls.Any(url => !IsLoopback(url)))
            {
                app.Logger.LogWarning("audioflow.streams.auth.answer-key is empty: anyone who can reach {Urls} can fetch an answer webhook " +
                    "and with it a stream token; set answer-key (and ?key= in the provider's answer URL) or use auth.mode = signature",
                    string.Join(", ", app.Urls));
            }

            if (journal.Enabled)
            {
                var closed = await JournalRecovery.CloseOpenCallsAsync(app.Services.GetRequiredService<ActorSystem>(), nodeStartedAt,
                    TimeSpan.FromSeconds(30), cancellation);
                if (closed.Count > 0)
                {
                    Console.Error.WriteLine($"audioflow: {closed.Count} calls cut off by the previous run closed as '{JournalRecovery.Reason}'");
                }
            }

            Console.Error.WriteLine($"audioflow: serving on {string.Join(", ", app.Urls)} (home {AudioFlowHome.Directory})");
            await app.WaitForShutdownAsync(cancellation);
            return 0;
        }
        finally
        {
            EngineFactory.Dispose(engines);
        }
    }

    /// <summary>True for a listening URL on a loopback host (127.0.0.0/8, ::1, localhost).</summary>
    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) &&
        (uri.IsLoopback || (System.Net.IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && System.Net.IPAddress.IsLoopback(address)));
}
