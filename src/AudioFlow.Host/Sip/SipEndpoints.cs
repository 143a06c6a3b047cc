using System.Text.Json;
using System.Text.Json.Serialization;
using AudioFlow.Telephony.Rtp.Session;

namespace AudioFlow.Host.Sip;

/// <summary>
/// What the SIP side is doing, for operators and load tests: <c>GET /api/sip</c> (listeners, registration, calls up)
/// and <c>GET /api/sip/calls</c> (calls up and the last finished ones, with their RTP counters: packets, jitter
/// buffer loss and lateness, RTCP). Phone numbers appear only in these structured fields, never in logs.
/// </summary>
public static class SipEndpoints
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Map(WebApplication app)
    {
        app.MapGet("/api/sip", (SipHostedService sip) =>
        {
            if (sip.Server is not { } server)
            {
                return Results.Text(JsonSerializer.Serialize(new { enabled = false }, Json), "application/json");
            }

            var registration = server.Registration;
            var clock = server.UserAgent.Options.Rtp.Clock ?? RtpMediaClock.Shared;
            return Results.Text(JsonSerializer.Serialize(new
            {
                enabled = true,
                listening = server.LocalEndPoints.Select(e => e.ToString()),
                activeCalls = server.UserAgent.ActiveCallCount,
                rtpPortsInUse = server.UserAgent.Ports.InUse,
                mediaClock = new
                {
                    sessions = clock.Count,
                    ticks = clock.Ticks,
                    lateTicks = clock.LateTicks,
                    maxLatenessMs = Math.Round(clock.MaxLateness.TotalMilliseconds, 1),
                    overruns = clock.Overruns,
                    maxTickWorkMs = Math.Round(clock.MaxTickWork.TotalMilliseconds, 2),
                },
                registration = registration is null ? null : new
                {
                    registered = registration.IsRegistered,
                    expiresAt = registration.ExpiresAt,
                    registrations = registration.Registrations,
                    lastError = registration.LastError,
                },
            }, Json), "application/json");
        });

        app.MapGet("/api/sip/calls", (SipHostedService sip) =>
            Results.Text(JsonSerializer.Serialize(new
            {
                active = sip.Server?.UserAgent.ActiveCalls ?? [],
                recent = sip.Server?.UserAgent.RecentCalls ?? [],
            }, Json), "application/json"));
    }
}
