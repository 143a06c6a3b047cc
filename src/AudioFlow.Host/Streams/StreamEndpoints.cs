using Akka.Actor;
using Akka.Hosting;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Telephony.Providers.Auth;
using AudioFlow.Telephony.Providers.Control;
using AudioFlow.Telephony.Streams;

namespace AudioFlow.Host.Streams;

/// <summary>
/// The WebSocket streaming path's HTTP surface, per provider:
/// <list type="bullet">
/// <item>answer webhooks: <c>POST /vobiz/answer</c>, <c>/plivo/answer</c> (Plivo XML), <c>/twilio/voice</c> (TwiML),
/// <c>/telnyx/texml</c> (TeXML), each answering with a bidirectional <c>&lt;Stream&gt;</c> back to this server;</item>
/// <item>the media streams: <c>GET /{provider}/stream/{token}</c> (WebSocket);</item>
/// <item>status and hang-up callbacks: <c>POST /{provider}/status[/{token}]</c>, <c>/{provider}/hangup</c>;</item>
/// <item>the Dial XML a Vobiz/Plivo transfer redirects the caller to: <c>/{provider}/transfer/{token}?target=</c>.</item>
/// </list>
/// </summary>
public static class StreamEndpoints
{
    private const string Xml = "application/xml";

    public static void Map(WebApplication app)
    {
        app.MapPost("/vobiz/answer", (HttpRequest r, StreamsOptions o, StreamSecurity s) => PlivoAnswer("vobiz", r, o, s));
        app.MapPost("/plivo/answer", (HttpRequest r, StreamsOptions o, StreamSecurity s) => PlivoAnswer("plivo", r, o, s));
        app.MapPost("/twilio/voice", TwilioAnswer);
        app.MapPost("/telnyx/texml", TelnyxAnswer);

        app.Map("/{provider}/stream/{token?}", (HttpContext context, string provider, string? token, StreamCallHandler handler) =>
            handler.HandleAsync(context, provider, token));

        app.MapPost("/{provider}/status/{token?}", Callback);
        app.MapPost("/{provider}/hangup/{token?}", Callback);
        app.MapMethods("/{provider}/transfer/{token}", ["GET", "POST"], TransferXml);
    }

    private static async Task<IResult> PlivoAnswer(string provider, HttpRequest request, StreamsOptions options, StreamSecurity security)
    {
        if (await security.CheckWebhookAsync(provider, request) is { } refusal)
        {
            return Results.Text(refusal, statusCode: StatusCodes.Status401Unauthorized);
        }

        var answer = new StreamAnswerOptions(StreamUrl(provider, request, options, security))
        {
            ContentType = options.PlivoFormat,
            StreamTimeoutSeconds = options.StreamTimeoutSeconds,
            StatusCallbackUrl = options.StatusCallbacks ? CallbackUrl(provider, "status", request, options, security) : null,
            ExtraHeaders = options.ExtraHeaders.Count > 0 ? options.ExtraHeaders : null,
        };
        return Results.Text(StreamAnswers.PlivoStreamXml(answer), Xml);
    }

    private static async Task<IResult> TwilioAnswer(HttpRequest request, StreamsOptions options, StreamSecurity security)
    {
        if (await security.CheckWebhookAsync("twilio", request) is { } refusal)
        {
            return Results.Text(refusal, statusCode: StatusCodes.Status401Unauthorized);
        }

        var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
        var parameters = new List<KeyValuePair<string, string>>();
        foreach (var name in new[] { "From", "To", "CallSid" })
        {
            if (form?[name].ToString() is { Length: > 0 } value)
            {
                parameters.Add(new(name, value));
            }
        }

        return Results.Text(StreamAnswers.TwilioConnectStream(StreamUrl("twilio", request, options, security), parameters), Xml);
    }

    private static async Task<IResult> TelnyxAnswer(HttpRequest request, StreamsOptions options, StreamSecurity security)
    {
        if (await security.CheckWebhookAsync("telnyx", request) is { } refusal)
        {
            return Results.Text(refusal, statusCode: StatusCodes.Status401Unauthorized);
        }

        return Results.Text(StreamAnswers.TelnyxTexmlStream(StreamUrl("telnyx", request, options, security), Audio.Channel.MediaFormat.Pcmu8k), Xml);
    }

    /// <summary>Status and hang-up callbacks: accepted, logged with the provider's ids (the call's journal picks them up).</summary>
    private static async Task<IResult> Callback(HttpRequest request, string provider, string? token, StreamsOptions options,
        StreamSecurity security, ILoggerFactory loggers, IRequiredActor<CallsSupervisor> calls)
    {
        if (!StreamDialects.TryGet(provider, out _))
        {
            return Results.NotFound();
        }

        var refusal = security.Mode == StreamAuthMode.Token && token is not null
            ? security.CheckStream(provider, request, $"/{provider}/status", token)
            : await security.CheckWebhookAsync(provider, request);
        if (refusal is not null)
        {
            return Results.Text(refusal, statusCode: StatusCodes.Status401Unauthorized);
        }

        var form = request.HasFormContentType ? await request.ReadFormAsync() : null;
        var kind = request.Path.Value!.Contains("/hangup", StringComparison.Ordinal) ? "hang-up" : "status";
        var fields = form?.Where(f => f.Key is "Event" or "CallUUID" or "CallSid" or "StreamID" or "StreamId" or "CallStatus"
                or "HangupCause" or "Duration" or "Status" or "call_control_id")
            .ToDictionary(f => f.Key, f => f.Value.ToString()) ?? [];
        var providerCallId = fields.GetValueOrDefault("CallUUID") ?? fields.GetValueOrDefault("CallSid") ?? fields.GetValueOrDefault("call_control_id");
        var routed = providerCallId is not null && (await (await calls.GetAsync()).Ask<ProviderCallbackRouted>(
            new ProviderCallbackReceived(providerCallId, $"{provider} {kind}", fields), TimeSpan.FromSeconds(5))).ToActiveCall;
        loggers.CreateLogger("AudioFlow.Streams").LogInformation("{Provider} {Kind} callback ({Routed}): {Fields}", provider, kind,
            routed ? "journaled on its call" : "no running call", string.Join(", ", fields.Select(f => $"{f.Key}={f.Value}")));
        return Results.Ok();
    }

    private static IResult TransferXml(HttpRequest request, string provider, string token, string? target, StreamSecurity security)
    {
        if (security.CheckStream(provider, request, $"/{provider}/transfer", token) is { } refusal)
        {
            return Results.Text(refusal, statusCode: StatusCodes.Status401Unauthorized);
        }

        return string.IsNullOrWhiteSpace(target)
            ? Results.BadRequest("target missing")
            : Results.Text($"<Response>{DialXml.PlivoFamily(target)}</Response>", Xml);
    }

    private static string StreamUrl(string provider, HttpRequest request, StreamsOptions options, StreamSecurity security)
    {
        var path = $"/{provider}/stream";
        return security.Mode == StreamAuthMode.Token
            ? PublicUrl.WebSocketBase(request, options) + SignedStreamToken.AppendToPath(path, security.IssueToken(path))
            : PublicUrl.WebSocketBase(request, options) + path;
    }

    private static string CallbackUrl(string provider, string kind, HttpRequest request, StreamsOptions options, StreamSecurity security)
    {
        var path = $"/{provider}/{kind}";
        return security.Mode == StreamAuthMode.Token
            ? PublicUrl.HttpBase(request, options) + SignedStreamToken.AppendToPath(path, security.IssueToken(path))
            : PublicUrl.HttpBase(request, options) + path;
    }
}
