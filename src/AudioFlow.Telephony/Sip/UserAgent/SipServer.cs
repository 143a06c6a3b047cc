using System.Net;
using System.Net.Sockets;
using AudioFlow.Telephony.Sip.Messages;
using AudioFlow.Telephony.Sip.Transactions;
using AudioFlow.Telephony.Sip.Transport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AudioFlow.Telephony.Sip.UserAgent;

/// <summary>Everything a <see cref="SipServer"/> needs.</summary>
public sealed record SipServerOptions
{
    public SipTransportOptions Transport { get; init; } = new();

    public SipUserAgentOptions UserAgent { get; init; } = new();

    /// <summary>Registration with a trunk; null (the default): none.</summary>
    public SipRegistrationOptions? Registration { get; init; }

    public SipTimerSettings? Timers { get; init; }
}

/// <summary>
/// AudioFlow's SIP side in one piece: the transport (UDP/TCP listeners), the transaction layer and the
/// <see cref="SipUserAgent"/> on top, plus the optional <see cref="SipRegistration"/>. <see cref="Start"/> binds the
/// listeners (a <see cref="SocketException"/> when a port is taken); disposing hangs up every call with a BYE, removes
/// the registration and closes the sockets.
/// </summary>
public sealed class SipServer : IAsyncDisposable
{
    private readonly ILogger _logger;

    private SipServer(SipTransport transport, SipTransactionLayer layer, SipUserAgent userAgent, SipRegistration? registration, ILogger logger)
    {
        Transport = transport;
        Layer = layer;
        UserAgent = userAgent;
        Registration = registration;
        _logger = logger;
    }

    public SipTransport Transport { get; }

    public SipTransactionLayer Layer { get; }

    public SipUserAgent UserAgent { get; }

    public SipRegistration? Registration { get; }

    /// <summary>The endpoints actually bound.</summary>
    public IReadOnlyList<SipListenEndPoint> LocalEndPoints => Transport.LocalEndPoints;

    /// <summary>Binds the listeners and starts answering; throws <see cref="SocketException"/> when a listener cannot be bound.</summary>
    public static SipServer Start(SipServerOptions options, ISipCallSink sink, ILoggerFactory? loggers = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        loggers ??= NullLoggerFactory.Instance;
        var logger = loggers.CreateLogger("AudioFlow.Sip");
        var userAgent = new SipUserAgent(options.UserAgent, sink, logger, time);
        var transport = new SipTransport(options.Transport, loggers.CreateLogger("AudioFlow.Sip.Transport"));
        transport.Start();
        var layer = new SipTransactionLayer(transport, userAgent, options.Timers, time, loggers.CreateLogger("AudioFlow.Sip.Transactions"));
        userAgent.Attach(layer);
        layer.Start();
        SipRegistration? registration = null;
        if (options.Registration is { } registrationOptions)
        {
            registration = new SipRegistration(registrationOptions, layer, (registrar, kind) => Contact(transport, options.UserAgent, registrationOptions.User, registrar, kind),
                logger, time);
            registration.Start();
        }

        return new SipServer(transport, layer, userAgent, registration, logger);
    }

    /// <summary>Our Contact for requests towards <paramref name="destination"/> over <paramref name="kind"/> (REGISTER).</summary>
    private static SipNameAddr Contact(SipTransport transport, SipUserAgentOptions options, string user, SipEndPoint destination, SipTransportKind kind)
    {
        var local = transport.LocalEndPoints.FirstOrDefault(e => e.Transport == kind && e.EndPoint.AddressFamily == destination.AddressFamily)?.EndPoint
            ?? transport.LocalEndPoints.First().EndPoint;
        var address = local.Address.Equals(IPAddress.Any) || local.Address.Equals(IPAddress.IPv6Any) ? Toward(destination.Address) : local.Address;
        var uri = SipUri.Create(options.ContactHost ?? new SipEndPoint(address, 0).HostText, local.Port, user);
        if (kind == SipTransportKind.Tcp)
        {
            uri.Parameters.Add("transport", "tcp");
        }

        return new SipNameAddr(uri);
    }

    private static IPAddress Toward(IPAddress remote)
    {
        using var probe = new Socket(remote.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        probe.Connect(new IPEndPoint(remote, 9));
        return ((IPEndPoint)probe.LocalEndPoint!).Address;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await UserAgent.HangUpAllAsync("server shutting down", TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning("SIP calls not all hung up cleanly: {Error}", e.Message);
        }

        if (Registration is not null)
        {
            await Registration.DisposeAsync().ConfigureAwait(false);
        }

        await Layer.DisposeAsync().ConfigureAwait(false);
        await Transport.DisposeAsync().ConfigureAwait(false);
    }
}
