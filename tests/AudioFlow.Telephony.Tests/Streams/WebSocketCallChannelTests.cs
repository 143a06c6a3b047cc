using System.Net.WebSockets;
using System.Text;
using AudioFlow.Audio.Channel;
using AudioFlow.Telephony.Providers.Control;
using AudioFlow.Telephony.Streams;
using AudioFlow.Telephony.Streams.Simulation;
using AudioFlow.Telephony.Tests.Providers;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace AudioFlow.Telephony.Tests.Streams;

/// <summary>
/// The stream channel over a real WebSocket on loopback TCP, driven from the provider's side with the provider
/// dialects (the same ones <c>audioflow dial</c> uses).
/// </summary>
public sealed class WebSocketCallChannelTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly StreamChannelOptions Options = new() { MaxProtocolErrors = 3, MaxMessageBytes = 4096, SendTimeout = TimeSpan.FromSeconds(1), StartTimeout = TimeSpan.FromSeconds(3) };

    [Fact]
    public async Task Media_and_keys_that_arrive_before_start_are_kept_and_delivered_in_order_after_it()
    {
        await using var pair = await WebSocketPair.CreateAsync();
        var provider = ProviderStreamDialects.Vobiz;
        var channel = Channel(pair, StreamDialects.Vobiz);
        var starting = channel.WaitForStartAsync(CancellationToken.None);
        await Send(pair, provider.Media("s1", Frame(1), 1, 1, 0));
        await Send(pair, provider.Dtmf("s1", '5'));
        await Send(pair, provider.Start(new ProviderStreamStart("c1", "s1", MediaFormat.Pcmu8k)));
        var start = await starting.WaitAsync(Timeout);
        Assert.NotNull(start);
        Assert.Equal("vobiz-s1", channel.CallId);
        var running = channel.RunAsync(CancellationToken.None);
        await Send(pair, provider.Media("s1", Frame(2), 2, 2, 20));

        Assert.Equal(1, Assert.IsType<InboundMedia>(await Next(channel)).Payload.Span[0]);
        Assert.Equal('5', Assert.IsType<InboundDtmf>(await Next(channel)).Digit);
        Assert.Equal(2, Assert.IsType<InboundMedia>(await Next(channel)).Payload.Span[0]);

        await pair.Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        Assert.Equal("stream closed by the provider", Assert.IsType<CallerHungUp>(await Next(channel)).Reason);
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Bad_messages_are_counted_the_call_goes_on_and_too_many_end_it_as_a_protocol_error()
    {
        await using var pair = await WebSocketPair.CreateAsync();
        var provider = ProviderStreamDialects.Twilio;
        var (channel, running) = await Started(pair, StreamDialects.Twilio, provider);

        await Send(pair, "{ not json");
        await Send(pair, """{"event":"media","streamSid":"s1","media":{"payload":"%%% not base64"}}""");
        await pair.Client.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        await Send(pair, provider.Media("s1", Frame(7), 1, 1, 0));
        var problems = new[] { await Next(channel), await Next(channel), await Next(channel) }.Cast<TransportProblem>().ToArray();
        Assert.Equal(["malformed", "malformed", "binary"], problems.Select(p => p.Kind));
        Assert.Contains("base64", problems[1].Detail);
        Assert.Equal(7, Assert.IsType<InboundMedia>(await Next(channel)).Payload.Span[0]);
        Assert.Equal(3, channel.ProtocolErrors);

        await Send(pair, """{"event":"media"}""");
        var end = Assert.IsType<CallerHungUp>(await NextExcept<TransportProblem>(channel));
        Assert.StartsWith("protocol error: more than 3 unusable messages", end.Reason);
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task An_oversize_message_ends_the_call_and_the_provider_gets_close_1009()
    {
        await using var pair = await WebSocketPair.CreateAsync();
        var (channel, running) = await Started(pair, StreamDialects.Twilio, ProviderStreamDialects.Twilio);
        await Send(pair, "{\"event\":\"media\",\"pad\":\"" + new string('x', 5000) + "\"}");

        Assert.StartsWith("protocol error: message larger than 4096 bytes", Assert.IsType<CallerHungUp>(await NextExcept<TransportProblem>(channel)).Reason);
        var buffer = new byte[256];
        WebSocketReceiveResult result;
        do
        {
            result = await pair.Client.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Timeout);
        }
        while (result.MessageType != WebSocketMessageType.Close);

        Assert.Equal(WebSocketCloseStatus.MessageTooBig, result.CloseStatus);
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_provider_that_vanishes_ends_the_call_as_connection_lost()
    {
        await using var pair = await WebSocketPair.CreateAsync();
        var (channel, running) = await Started(pair, StreamDialects.Telnyx, ProviderStreamDialects.Telnyx);
        pair.AbortClient();
        var end = Assert.IsType<CallerHungUp>(await Next(channel));
        Assert.Contains("connection lost", end.Reason);
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_client_that_stops_reading_is_cut_off_after_the_send_timeout_and_the_server_does_not_buffer_without_bound()
    {
        await using var pair = await WebSocketPair.CreateAsync(bufferBytes: 4096);
        var (channel, running) = await Started(pair, StreamDialects.Twilio, ProviderStreamDialects.Twilio);
        var payload = new byte[160];

        // The call keeps producing audio; the client never reads. The queue is bounded, so SendAsync must start to
        // wait, and the stalled socket send must end the call within the send timeout.
        var sent = 0;
        var producing = Task.Run(async () =>
        {
            while (channel.EndReason is null && sent < 100_000)
            {
                await channel.SendAsync(new OutboundMedia(payload));
                sent++;
            }
        });
        await producing.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.StartsWith("client stopped reading", channel.EndReason);
        Assert.True(sent < 5000, $"{sent} chunks were accepted: the send side is not bounded");
        Assert.IsType<CallerHungUp>(await Drain(channel));
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Twilio_marks_echoed_by_a_clear_are_not_taken_as_played_but_later_marks_are()
    {
        await using var pair = await WebSocketPair.CreateAsync();
        var provider = ProviderStreamDialects.Twilio;
        var (channel, running) = await Started(pair, StreamDialects.Twilio, provider);

        await channel.SendAsync(new PlayoutMark("reply-1"));
        await channel.SendAsync(new ClearPlayout());
        await Send(pair, provider.MarkAcknowledged("s1", "reply-1")); // Twilio echoes pending marks on clear
        await channel.SendAsync(new PlayoutMark("reply-2"));
        await Send(pair, provider.MarkAcknowledged("s1", "reply-2"));

        Assert.Equal("reply-2", Assert.IsType<PlayoutMarkReached>(await Next(channel)).Name);
        // The clear may overtake the first mark if that was still queued; either way all three reach the provider.
        var commands = await ReadCommands(pair, provider, 3);
        Assert.Equal(["ClearRequested", "MarkRequested", "MarkRequested"], commands.Select(c => c.GetType().Name).Order());
        await pair.Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Telnyx_media_out_of_order_is_put_back_in_order()
    {
        await using var pair = await WebSocketPair.CreateAsync();
        var provider = ProviderStreamDialects.Telnyx;
        var (channel, running) = await Started(pair, StreamDialects.Telnyx, provider, reorder: true);
        foreach (var chunk in new[] { 1, 3, 2, 5, 4, 6 })
        {
            await Send(pair, provider.Media("s1", Frame((byte)chunk), chunk, chunk, chunk * 20));
        }

        var order = new List<int>();
        for (var i = 0; i < 6; i++)
        {
            order.Add(Assert.IsType<InboundMedia>(await Next(channel)).Payload.Span[0]);
        }

        Assert.Equal([1, 2, 3, 4, 5, 6], order);
        await pair.Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_transfer_goes_through_the_provider_api_and_its_outcome_comes_back_to_the_call()
    {
        await using var api = FakeProviderApi.Start();
        using var http = new HttpClient();
        var control = new TwilioCallControl(http, new TwilioCallControlOptions("ACtest", "secret-token") { BaseUrl = api.BaseUrl });
        await using var pair = await WebSocketPair.CreateAsync();
        var (channel, running) = await Started(pair, StreamDialects.Twilio, ProviderStreamDialects.Twilio, control: control);

        await channel.SendAsync(new TransferCall("sip:operator@example.invalid"));
        var result = Assert.IsType<TransferResult>(await Next(channel));
        Assert.True(result.Succeeded, result.Detail);
        var request = api.Single();
        Assert.Equal("POST", request.Method);
        Assert.Contains("/Accounts/ACtest/Calls/c1.json", request.RawUrl);
        Assert.Contains("sip%3Aoperator%40example.invalid", request.Body);
        await pair.Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Without_provider_credentials_a_transfer_fails_cleanly()
    {
        await using var pair = await WebSocketPair.CreateAsync();
        var (channel, running) = await Started(pair, StreamDialects.Plivo, ProviderStreamDialects.Plivo);
        await channel.SendAsync(new TransferCall("+15550123"));
        var result = Assert.IsType<TransferResult>(await Next(channel));
        Assert.False(result.Succeeded);
        Assert.Contains("no plivo API configured", result.Detail);
        await pair.Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task A_hang_up_sends_the_dialects_stop_after_the_queued_audio_and_closes_the_socket()
    {
        await using var pair = await WebSocketPair.CreateAsync();
        var provider = ProviderStreamDialects.Vobiz;
        var (channel, running) = await Started(pair, StreamDialects.Vobiz, provider);
        await channel.SendAsync(new OutboundMedia(Frame(9)));
        await channel.SendAsync(new HangUp("goodbye"));

        var commands = await ReadCommands(pair, provider, 2);
        Assert.IsType<PlayAudio>(commands[0]);
        Assert.IsType<StopRequested>(commands[1]);
        Assert.Equal("agent hung up", Assert.IsType<CallerHungUp>(await Drain(channel)).Reason);
        await running.WaitAsync(Timeout);
    }

    [Fact]
    public async Task No_start_within_the_timeout_closes_the_stream()
    {
        await using var pair = await WebSocketPair.CreateAsync();
        var channel = Channel(pair, StreamDialects.Twilio);
        Assert.Null(await channel.WaitForStartAsync(CancellationToken.None).WaitAsync(Timeout));
        Assert.Equal("no start message within the start timeout", channel.EndReason);
    }

    private static WebSocketCallChannel Channel(WebSocketPair pair, IStreamDialect dialect, IProviderCallControl? control = null, bool reorder = false) =>
        new(pair.Server, dialect, Options, control, NullLogger.Instance, reorder);

    private static async Task<(WebSocketCallChannel Channel, Task Running)> Started(WebSocketPair pair, IStreamDialect dialect,
        IProviderStreamDialect provider, IProviderCallControl? control = null, bool reorder = false)
    {
        var channel = Channel(pair, dialect, control, reorder);
        var starting = channel.WaitForStartAsync(CancellationToken.None);
        if (provider.Connected() is { } connected)
        {
            await Send(pair, connected);
        }

        await Send(pair, provider.Start(new ProviderStreamStart("c1", "s1", MediaFormat.Pcmu8k)));
        Assert.NotNull(await starting.WaitAsync(Timeout));
        return (channel, channel.RunAsync(CancellationToken.None));
    }

    private static byte[] Frame(byte marker)
    {
        var frame = new byte[160];
        Array.Fill(frame, (byte)0xFF);
        frame[0] = marker;
        return frame;
    }

    private static Task Send(WebSocketPair pair, string text) =>
        pair.Client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<InboundEvent> Next(WebSocketCallChannel channel) =>
        await channel.Inbound.ReadAsync().AsTask().WaitAsync(Timeout);

    private static async Task<InboundEvent> NextExcept<TSkipped>(WebSocketCallChannel channel)
    {
        while (true)
        {
            var next = await Next(channel);
            if (next is not TSkipped)
            {
                return next;
            }
        }
    }

    /// <summary>The last event before the inbound side completes.</summary>
    private static async Task<InboundEvent> Drain(WebSocketCallChannel channel)
    {
        InboundEvent? last = null;
        await foreach (var e in channel.Inbound.ReadAllAsync().WithCancellation(new CancellationTokenSource(Timeout).Token))
        {
            last = e;
        }

        return last ?? throw new InvalidOperationException("no event before completion");
    }

    private static async Task<List<ProviderCommand>> ReadCommands(WebSocketPair pair, IProviderStreamDialect provider, int count)
    {
        var commands = new List<ProviderCommand>();
        var buffer = new byte[64 * 1024];
        while (commands.Count < count)
        {
            var result = await pair.Client.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Timeout);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }

            commands.Add(provider.Parse(Encoding.UTF8.GetString(buffer, 0, result.Count)));
        }

        return commands;
    }
}
