using System.Text.Json;
using Akka.Actor;
using Akka.Hosting;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Wav;
using AudioFlow.Host.Reports;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Journal;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Loopback;

namespace AudioFlow.Host.Http;

/// <summary>
/// The node's own HTTP endpoints: health, the active calls, and a simulated call (a WAV in, the call's report out)
/// that exercises the whole pipeline without a telephony provider.
/// </summary>
public static class NodeEndpoints
{
    /// <summary>Largest caller recording the simulated-call endpoint accepts.</summary>
    public const long MaxCallerWavBytes = 16 * 1024 * 1024;

    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    public static void Map(WebApplication app)
    {
        app.MapGet("/healthz", async (IRequiredActor<CallsSupervisor> calls) =>
        {
            var active = await (await calls.GetAsync()).Ask<ActiveCalls>(new GetActiveCalls(), AskTimeout);
            return Results.Json(new { status = "ok", activeCalls = active.CallIds.Count });
        });

        app.MapGet("/api/calls/active", async (IRequiredActor<CallsSupervisor> calls) =>
        {
            var active = await (await calls.GetAsync()).Ask<ActiveCalls>(new GetActiveCalls(), AskTimeout);
            return Results.Json(active.CallIds);
        });

        app.MapGet("/api/calls/recent", async (IRequiredActor<CallsSupervisor> calls, int? limit) =>
        {
            var recent = await (await calls.GetAsync()).Ask<RecentCalls>(new GetRecentCalls(Math.Clamp(limit ?? 100, 1, CallsSupervisor.RecentCallsKept)), AskTimeout);
            return Results.Text(JsonSerializer.Serialize(recent.Calls.Select(CallReport.From), CallReport.Json), "application/json");
        });

        app.MapGet("/api/calls/recent/{callId}", async (IRequiredActor<CallsSupervisor> calls, string callId) =>
        {
            var recent = await (await calls.GetAsync()).Ask<RecentCalls>(new GetRecentCalls(1, callId), AskTimeout);
            return recent.Calls.Count == 0
                ? Results.NotFound(new { error = $"no finished call {callId} among the last {CallsSupervisor.RecentCallsKept}" })
                : Results.Text(CallReport.From(recent.Calls[0]).ToJson(), "application/json");
        });

        app.MapPost("/api/calls/simulate", SimulateCall);

        app.MapGet("/api/calls", async (ActorSystem system, string? since, CancellationToken cancellation) =>
        {
            DateTimeOffset? from;
            try
            {
                from = Cli.CallsCommand.ParseSince(since);
            }
            catch (Cli.UsageException e)
            {
                return Results.BadRequest(new { error = e.Message });
            }

            var calls = await new CallJournalReader(system).ListAsync(from, cancellation);
            return Results.Text(JournalViews.ListJson(calls), "application/json");
        });

        app.MapGet("/api/calls/{callId}", async (ActorSystem system, string callId, CancellationToken cancellation) =>
            await new CallJournalReader(system).ShowAsync(callId, cancellation) is { } call
                ? Results.Text(JournalViews.ShowJson(call), "application/json")
                : Results.NotFound(new { error = $"no call {callId} in the journal" }));
    }

    /// <summary>
    /// POST a caller WAV (body, audio/wav); optional query <c>speakAtMs</c> (barge into the greeting) and <c>speed</c>.
    /// Returns the call report as JSON; 400 with a message for a body that is not usable caller audio.
    /// </summary>
    private static async Task<IResult> SimulateCall(HttpRequest request, IRequiredActor<CallsSupervisor> calls, ActorSystem system,
        PipelineOptions options, int? speakAtMs, double? speed, CancellationToken cancellation)
    {
        if (request.ContentLength is > MaxCallerWavBytes)
        {
            return Results.BadRequest(new { error = $"caller audio larger than {MaxCallerWavBytes} bytes" });
        }

        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, cancellation);
        if (body.Length == 0)
        {
            return Results.BadRequest(new { error = "empty body: POST the caller's speech as a WAV file" });
        }

        WavAudio wav;
        try
        {
            body.Position = 0;
            wav = WavFile.Read(body);
        }
        catch (WavFormatException e)
        {
            return Results.BadRequest(new { error = e.Message });
        }

        if (wav.SampleRate is < 8000 or > 48000 || wav.FrameCount == 0 || speed is < 1 or > 20)
        {
            return Results.BadRequest(new { error = "caller audio must be 8-48 kHz with samples; speed 1-20" });
        }

        var script = speakAtMs is { } ms
            ? new CallerScript { SpeakAfterGreeting = false, SpeakAt = TimeSpan.FromMilliseconds(ms) }
            : new CallerScript();
        var format = MediaFormat.Pcmu8k;
        var runner = new LoopbackCallRunner(system, await calls.GetAsync(), options);
        var outcome = await runner.RunAsync(OutboundSpeech.ToRate(wav.ToMono(), wav.SampleRate, format.SampleRate), format, script,
            speed ?? 1, cancellation);
        return Results.Text(CallReport.From(outcome).ToJson(), "application/json");
    }
}
