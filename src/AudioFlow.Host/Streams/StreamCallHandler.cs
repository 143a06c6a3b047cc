using System.Net.WebSockets;
using Akka.Actor;
using Akka.Hosting;
using AudioFlow.Audio.Codecs;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Telephony.Streams;

namespace AudioFlow.Host.Streams;

/// <summary>
/// Runs one provider media stream: accepts the WebSocket, waits for the provider's <c>start</c>, refuses formats the
/// pipeline cannot take, starts the call on the node's calls supervisor and pumps the stream until it ends.
/// </summary>
public sealed class StreamCallHandler(
    StreamsOptions options,
    ProviderControls controls,
    StreamSecurity security,
    IRequiredActor<CallsSupervisor> calls,
    ILoggerFactory loggers)
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public async Task HandleAsync(HttpContext context, string provider, string? token)
    {
        if (!StreamDialects.TryGet(provider, out var dialect))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("this endpoint takes a WebSocket upgrade");
            return;
        }

        if (security.CheckStream(provider, context.Request, $"/{provider}/stream", token) is { } refusal)
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync(refusal);
            return;
        }

        if (provider is "vobiz" or "plivo")
        {
            dialect = PlivoDialect.For(options.PlivoFormat, vobiz: provider == "vobiz");
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var httpBase = PublicUrl.HttpBase(context.Request, options);
        var control = controls.For(provider, (_, target) => new Uri(
            $"{httpBase}/{provider}/transfer/{security.IssueToken($"/{provider}/transfer")}?target={Uri.EscapeDataString(target)}"));
        var channel = new WebSocketCallChannel(socket, dialect, options.Channel, control, loggers.CreateLogger("AudioFlow.Streams"),
            reorderMedia: provider == "telnyx");
        var aborted = context.RequestAborted;

        var start = await channel.WaitForStartAsync(aborted);
        if (start is null)
        {
            return;
        }

        try
        {
            PayloadCodec.For(start.Format);
        }
        catch (NotSupportedException e)
        {
            await channel.RefuseAsync($"unsupported media format {start.Format}: {e.Message}");
            return;
        }

        var supervisor = await calls.GetAsync(aborted);
        await supervisor.Ask<CallAccepted>(new StartCall(channel), AskTimeout, aborted);
        await channel.RunAsync(aborted);
    }
}
