using System.Net.Sockets;
using Akka.Actor;
using Akka.Configuration;
using Akka.Hosting;
using AudioFlow.Audio.Channel;
using AudioFlow.Host.Composition;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Telephony.Sip.UserAgent;

namespace AudioFlow.Host.Sip;

/// <summary>Starts answered SIP calls on this node's calls supervisor (what keeps the telephony layer free of Akka).</summary>
public sealed class SipNodeSink(IRequiredActor<CallsSupervisor> calls) : ISipCallSink
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public async Task StartCallAsync(ICallChannel channel, CancellationToken cancellationToken)
    {
        var supervisor = await calls.GetAsync(cancellationToken).ConfigureAwait(false);
        await supervisor.Ask<CallAccepted>(new StartCall(channel), AskTimeout, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// Runs AudioFlow's SIP side (transport, transactions, user agent, optional registration) for the life of
/// <c>audioflow serve</c>. A listener that cannot be bound stops the server with a clear error — except when the
/// listeners are left at their built-in loopback default, which only warns (so several local instances, tests and
/// experiments can run side by side; an operator who configured SIP gets the hard error). Stopping hangs up every call
/// with a BYE.
/// </summary>
public sealed class SipHostedService(SipSettings settings, IRequiredActor<CallsSupervisor> calls, ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger _logger = loggers.CreateLogger("AudioFlow.Sip");

    /// <summary>The running SIP server; null when SIP is off (or the default port was taken).</summary>
    public SipServer? Server { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!settings.Enabled)
        {
            return Task.CompletedTask;
        }

        var endpoints = string.Join(", ", settings.Server.Transport.ListenEndPoints);
        try
        {
            Server = SipServer.Start(settings.Server, new SipNodeSink(calls), loggers);
        }
        catch (SocketException e) when (settings.ListenIsDefault)
        {
            _logger.LogWarning("SIP is off: cannot listen on the default {EndPoints} ({Error}); set audioflow.sip.udp/tcp to other ports", endpoints, e.Message);
            Console.Error.WriteLine($"audioflow: warning: SIP is off: {endpoints} is in use ({e.Message})");
            return Task.CompletedTask;
        }
        catch (SocketException e)
        {
            throw new StartupException($"SIP cannot listen on {endpoints}: {e.Message} (change audioflow.sip.udp / audioflow.sip.tcp, or set audioflow.sip.enabled = off)", e);
        }
        catch (ArgumentException e)
        {
            throw new ConfigurationException($"audioflow.sip: {e.Message}");
        }

        var options = settings.Server.UserAgent;
        Console.Error.WriteLine($"audioflow: SIP on {string.Join(", ", Server.LocalEndPoints)}; RTP ports {options.RtpPortMin}-{options.RtpPortMax}; " +
            $"allowed sources {options.AllowList}" + (options.Authentication is null ? "" : "; digest auth on") +
            (settings.Server.Registration is { } registration ? $"; registering with {registration.Registrar}" : ""));
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Server is { } server)
        {
            Server = null;
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Registration of the SIP side in <c>audioflow serve</c>.</summary>
public static class SipHosting
{
    /// <summary>Reads <c>audioflow.sip</c> (a bad value throws here, at start) and registers the SIP service.</summary>
    public static IServiceCollection AddAudioFlowSip(this IServiceCollection services, Config config, int inboundBufferFrames)
    {
        var settings = SipSettings.FromConfig(config, inboundBufferFrames);
        services.AddSingleton(settings);
        services.AddSingleton<SipHostedService>();
        services.AddHostedService(sp => sp.GetRequiredService<SipHostedService>());
        return services;
    }
}
