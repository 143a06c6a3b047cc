using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using AudioFlow.Audio;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;
using AudioFlow.Telephony.Providers.Auth;
using AudioFlow.Telephony.Streams;
using AudioFlow.Telephony.Streams.Simulation;

namespace AudioFlow.Host.Simulator;

/// <summary>
/// Behaves like the provider for one call: fetches the answer webhook, follows its <c>&lt;Stream&gt;</c>, sends the
/// caller's audio as real-time 20 ms frames (silence, then the speech after the greeting, then silence), models the
/// provider's playout buffer (plays the agent's audio at real time, acknowledges marks when reached, honours clears
/// the way that provider does), records what it heard, and measures reply latency and frame pacing.
/// </summary>
public sealed class ProviderCallSimulator(DialOptions options, HttpClient http)
{
    private static readonly TimeSpan FrameTime = TimeSpan.FromMilliseconds(FrameDuration.Milliseconds);
    private static readonly TimeSpan BurstGap = TimeSpan.FromMilliseconds(100);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly List<string> _errors = [];
    private readonly object _gate = new();
    private readonly List<double> _replyLatencies = [];
    private IProviderStreamDialect _provider = null!;
    private ClientWebSocket? _socket;
    private SimulatedPlayout _playout = null!;
    private int _frameBytes = 160;
    private string _streamId = Guid.NewGuid().ToString();
    private long _framesReceived;
    private int _clears;
    private int _marksRequested;
    private int _marksAcked;
    private int _lateFrames;
    private double _maxLatenessMs;
    private long _lastArrival;
    private long _burstStart;
    private long _burstFrames;
    private long _speechEndedAt;
    private bool _clearSinceSpeechEnd;
    private bool _awaitingReply;
    private string _endedBy = "caller";

    /// <summary>What the caller heard (the provider's playout timeline), decoded to PCM at the stream's rate.</summary>
    public short[] Heard { get; private set; } = [];

    public async Task<DialResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        _provider = ProviderStreamDialects.Get(options.Provider);
        var callId = $"sim-{Guid.NewGuid():N}";
        long framesSent = 0;
        var completed = false;
        try
        {
            var (streamUrl, parameters, format, statusCallback) = await AnswerAsync(callId, cancellationToken).ConfigureAwait(false);
            var codec = PayloadCodec.For(format);
            _frameBytes = codec.BytesFor(FrameDuration.Samples(format.SampleRate));
            _playout = new SimulatedPlayout(_frameBytes);
            _socket = new ClientWebSocket();
            if (options.AuthToken is { } token && options.Provider == "twilio")
            {
                _socket.Options.SetRequestHeader(TwilioSignature.HeaderName, TwilioSignature.Compute(token, streamUrl.ToString()));
            }

            await _socket.ConnectAsync(streamUrl, cancellationToken).ConfigureAwait(false);
            if (_provider.Connected() is { } connected)
            {
                await SendAsync(connected, cancellationToken).ConfigureAwait(false);
            }

            await SendAsync(_provider.Start(new ProviderStreamStart(callId, _streamId, format) { Parameters = parameters, From = "+15550100", To = "+15550199" }),
                cancellationToken).ConfigureAwait(false);
            if (statusCallback is not null)
            {
                // Like Vobiz/Plivo: the stream's status callback reports StartStream.
                using var status = await http.PostAsync(statusCallback, new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["Event"] = "StartStream", ["CallUUID"] = callId, ["StreamId"] = _streamId,
                }), cancellationToken).ConfigureAwait(false);
                if (!status.IsSuccessStatusCode)
                {
                    Error($"status callback returned {(int)status.StatusCode}");
                }
            }
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var receiving = ReceiveLoopAsync(stop.Token);
            framesSent = await PaceAsync(codec, format, receiving, stop.Token).ConfigureAwait(false);
            await stop.CancelAsync().ConfigureAwait(false);
            await receiving.ConfigureAwait(false);
            completed = true;
            Heard = Decode(codec, format);
        }
        catch (Exception e) when (e is HttpRequestException or WebSocketException or IOException or InvalidOperationException
            or StreamProtocolException or System.Xml.XmlException or NotSupportedException or TaskCanceledException)
        {
            Error($"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            _socket?.Dispose();
        }

        var (serverLost, serverReason, transcripts, serverCallId) = await ServerReportAsync(cancellationToken).ConfigureAwait(false);
        return new DialResult(options.Provider, _streamId, serverCallId, completed && _errors.Count == 0, _endedBy,
            Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds), framesSent, _framesReceived, _playout?.FramesPlayed ?? 0,
            _clears, _marksRequested, _marksAcked, _replyLatencies.ToArray(), Math.Round(_maxLatenessMs, 1), _lateFrames,
            serverLost, serverReason, transcripts, _errors.ToArray());
    }

    /// <summary>POSTs the answer webhook the way the provider would and reads the stream URL out of the XML.</summary>
    private async Task<(Uri Url, Dictionary<string, string> Parameters, MediaFormat Format, Uri? StatusCallback)> AnswerAsync(string callId, CancellationToken ct)
    {
        var form = options.Provider switch
        {
            "twilio" => new Dictionary<string, string> { ["CallSid"] = callId, ["AccountSid"] = "ACsimulator", ["From"] = "+15550100", ["To"] = "+15550199", ["CallStatus"] = "ringing" },
            "telnyx" => new Dictionary<string, string> { ["CallSid"] = callId, ["From"] = "+15550100", ["To"] = "+15550199", ["CallStatus"] = "ringing" },
            _ => new Dictionary<string, string> { ["CallUUID"] = callId, ["From"] = "15550100", ["To"] = "15550199", ["Direction"] = "inbound", ["CallStatus"] = "ringing" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, options.AnswerUrl) { Content = new FormUrlEncodedContent(form) };
        if (options.AuthToken is { } token)
        {
            Sign(request, token, form);
        }

        using var response = await http.SendAsync(request, ct).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"answer webhook returned {(int)response.StatusCode}: {body}");
        }

        var stream = XDocument.Parse(body).Descendants("Stream").FirstOrDefault()
            ?? throw new InvalidOperationException($"answer has no <Stream>: {body}");
        var parameters = stream.Elements("Parameter").ToDictionary(p => (string)p.Attribute("name")!, p => (string)p.Attribute("value")!);
        var url = (string?)stream.Attribute("url") ?? stream.Value.Trim();
        var format = (string?)stream.Attribute("contentType") is { } contentType ? ContentTypes.Parse(contentType) : options.Format;
        var statusCallback = (string?)stream.Attribute("statusCallbackUrl") is { Length: > 0 } status ? new Uri(status) : null;
        return (new Uri(url), parameters, format, statusCallback);
    }

    private void Sign(HttpRequestMessage request, string token, Dictionary<string, string> form)
    {
        var url = options.AnswerUrl.ToString();
        switch (options.Provider)
        {
            case "twilio":
                request.Headers.Add(TwilioSignature.HeaderName, TwilioSignature.Compute(token, url, form));
                break;
            case "plivo":
                var nonce = Guid.NewGuid().ToString("N");
                request.Headers.Add(PlivoSignatureV3.NonceHeader, nonce);
                request.Headers.Add(PlivoSignatureV3.SignatureHeader, PlivoSignatureV3.Compute(token, "POST", url, form, nonce));
                break;
            case "vobiz":
                var vobizNonce = Guid.NewGuid().ToString("N");
                request.Headers.Add(VobizSignature.V3NonceHeader, vobizNonce);
                request.Headers.Add(VobizSignature.V3Header, VobizSignature.ComputeV3(token, url, vobizNonce));
                break;
        }
    }

    /// <summary>The 20 ms clock: sends the caller's frames, plays the agent's audio, decides when to hang up.</summary>
    private async Task<long> PaceAsync(PayloadCodec codec, MediaFormat format, Task receiving, CancellationToken ct)
    {
        var frameSamples = FrameDuration.Samples(format.SampleRate);
        var silence = new byte[codec.BytesFor(frameSamples)];
        codec.Encode(new short[frameSamples], silence);
        var clock = Stopwatch.StartNew();
        var dtmf = new Queue<(TimeSpan After, char Digit)>(options.Dtmf.OrderBy(d => d.After));
        long slot = 0;
        var speechOffset = 0;
        TimeSpan? speechStart = null;
        TimeSpan? greetingPlayed = null;
        TimeSpan? speechEnded = null;
        TimeSpan? lastAction = null;
        var marksAtLastAction = 0;
        TimeSpan lastAgentAudio = TimeSpan.Zero;
        while (!ct.IsCancellationRequested && !receiving.IsCompleted)
        {
            var now = clock.Elapsed;
            if (now >= options.MaxDuration)
            {
                _endedBy = "caller (time limit)";
                break;
            }

            // Done when the agent has answered the caller's last action (a mark acked after it; without acks, audio
            // played after it) and then stayed silent.
            var answered = options.NeverAckMarks ? lastAgentAudio > lastAction : Volatile.Read(ref _marksAcked) > marksAtLastAction;
            if (lastAction is { } acted && answered
                && now - (lastAgentAudio > acted ? lastAgentAudio : acted) >= options.HangUpAfterAgentSilence)
            {
                break;
            }

            while (slot * FrameTime <= now)
            {
                var at = slot * FrameTime;
                if (speechStart is null && (options.PauseAfterGreeting is { } pause ? greetingPlayed is { } g && at >= g + pause : at >= options.SpeakAt))
                {
                    speechStart = at;
                }

                var payload = silence;
                if (speechStart is not null && speechOffset < options.Speech.Length)
                {
                    var pcm = new short[frameSamples];
                    var length = Math.Min(frameSamples, options.Speech.Length - speechOffset);
                    options.Speech.AsSpan(speechOffset, length).CopyTo(pcm);
                    speechOffset += length;
                    payload = new byte[silence.Length];
                    codec.Encode(pcm, payload);
                    if (speechOffset >= options.Speech.Length)
                    {
                        speechEnded = at + FrameTime;
                        SpeechEnded();
                        if (dtmf.Count == 0)
                        {
                            (lastAction, marksAtLastAction) = (at, Volatile.Read(ref _marksAcked));
                        }
                    }
                }

                await SendAsync(_provider.Media(_streamId, payload, slot + 1, slot + 1, (long)at.TotalMilliseconds), ct).ConfigureAwait(false);
                while (speechEnded is { } ended && dtmf.TryPeek(out var key) && ended + key.After <= at)
                {
                    dtmf.Dequeue();
                    await SendAsync(_provider.Dtmf(_streamId, key.Digit), ct).ConfigureAwait(false);
                    SpeechEnded();
                    if (dtmf.Count == 0)
                    {
                        (lastAction, marksAtLastAction) = (at, Volatile.Read(ref _marksAcked));
                    }
                }

                var playedBefore = _playout.FramesPlayed;
                foreach (var mark in _playout.Tick())
                {
                    greetingPlayed ??= at;
                    await AckAsync(mark, ct).ConfigureAwait(false);
                }

                if (_playout.FramesPlayed > playedBefore)
                {
                    lastAgentAudio = at;
                }

                slot++;
            }

            var next = slot * FrameTime - clock.Elapsed;
            if (next > TimeSpan.Zero)
            {
                await Task.Delay(next, ct).ConfigureAwait(false);
            }
        }

        if (receiving.IsCompleted)
        {
            _endedBy = "server";
        }
        else if (options.Provider is "twilio" or "telnyx")
        {
            await SendAsync(_provider.Stop(_streamId, "sim"), CancellationToken.None).ConfigureAwait(false);
        }

        await CloseAsync().ConfigureAwait(false);
        return slot;
    }

    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[256 * 1024];
        try
        {
            while (!ct.IsCancellationRequested && _socket!.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer.AsMemory(length), ct).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage && length < buffer.Length);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                await HandleAsync(_provider.Parse(Encoding.UTF8.GetString(buffer, 0, length)), ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is WebSocketException or StreamProtocolException)
        {
            Error($"receive: {e.Message}");
        }
    }

    private async Task HandleAsync(ProviderCommand command, CancellationToken ct)
    {
        switch (command)
        {
            case PlayAudio play:
                NoteArrival(play.Payload.Length);
                _playout.Enqueue(play.Payload);
                break;
            case MarkRequested mark:
                Interlocked.Increment(ref _marksRequested);
                _playout.EnqueueMark(mark.Name);
                break;
            case ClearRequested:
                Interlocked.Increment(ref _clears);
                lock (_gate)
                {
                    _clearSinceSpeechEnd = _speechEndedAt != 0;
                    _lastArrival = 0;
                }

                var pending = _playout.Clear();
                if (_provider.Cleared(_streamId) is { } cleared)
                {
                    await SendAsync(cleared, ct).ConfigureAwait(false); // Plivo/Vobiz: pending checkpoints are never acked
                }
                else
                {
                    foreach (var mark in pending)
                    {
                        await AckAsync(mark, ct).ConfigureAwait(false); // Twilio/Telnyx echo pending marks on clear
                    }
                }

                break;
            case StopRequested:
                _endedBy = "server";
                await CloseAsync().ConfigureAwait(false);
                break;
            case UnknownCommand unknown:
                Error($"unknown command {unknown.Event}");
                break;
        }
    }

    /// <summary>Pacing and latency bookkeeping for one chunk of agent audio.</summary>
    private void NoteArrival(int bytes)
    {
        var now = Stopwatch.GetTimestamp();
        var frames = Math.Max(1, bytes / _frameBytes);
        lock (_gate)
        {
            var newBurst = _lastArrival == 0 || Stopwatch.GetElapsedTime(_lastArrival, now) > BurstGap;
            if (newBurst)
            {
                _burstStart = now;
                _burstFrames = 0;
                if (_awaitingReply && (_clearSinceSpeechEnd || _speechEndedAt != 0))
                {
                    _replyLatencies.Add(Math.Round(Stopwatch.GetElapsedTime(_speechEndedAt, now).TotalMilliseconds, 1));
                    _awaitingReply = false;
                }
            }

            var lateness = (Stopwatch.GetElapsedTime(_burstStart, now) - _burstFrames * FrameTime).TotalMilliseconds;
            _maxLatenessMs = Math.Max(_maxLatenessMs, lateness);
            if (lateness > DialResult.LateThresholdMs)
            {
                _lateFrames++;
            }

            _burstFrames += frames;
            _framesReceived += frames;
            _lastArrival = now;
        }
    }

    private void SpeechEnded()
    {
        lock (_gate)
        {
            _speechEndedAt = Stopwatch.GetTimestamp();
            _clearSinceSpeechEnd = false;
            _awaitingReply = true;
        }
    }

    private async Task AckAsync(string mark, CancellationToken ct)
    {
        if (options.NeverAckMarks)
        {
            return;
        }

        Interlocked.Increment(ref _marksAcked);
        await SendAsync(_provider.MarkAcknowledged(_streamId, mark), ct).ConfigureAwait(false);
    }

    private async Task SendAsync(string text, CancellationToken ct)
    {
        if (_socket is not { State: WebSocketState.Open })
        {
            return;
        }

        await _sendLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, ct).ConfigureAwait(false);
        }
        catch (WebSocketException e)
        {
            Error($"send: {e.Message}");
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private async Task CloseAsync()
    {
        try
        {
            if (_socket is { State: WebSocketState.Open or WebSocketState.CloseReceived })
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "call ended", timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            _socket?.Abort();
        }
    }

    /// <summary>Asks the server (if it is an AudioFlow node) for its account of the call: frames lost, end reason, transcripts.</summary>
    private async Task<(long? Lost, string? Reason, IReadOnlyList<string> Transcripts, string? CallId)> ServerReportAsync(CancellationToken ct)
    {
        if (!options.FetchServerReport)
        {
            return (null, null, [], null);
        }

        var callId = $"{options.Provider}-{_streamId}";
        var url = new Uri(options.AnswerUrl, $"/api/calls/recent/{Uri.EscapeDataString(callId)}");
        for (var attempt = 0; attempt < 300; attempt++) // up to 30 s: under load a call finishes its queued work after the hang-up
        {
            try
            {
                using var response = await http.GetAsync(url, ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    using var report = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
                    var root = report.RootElement;
                    return (root.GetProperty("frames").GetProperty("lost").GetInt64(), root.GetProperty("endReason").GetString(),
                        root.GetProperty("turns").EnumerateArray().Select(t => t.GetProperty("transcript").GetString() ?? string.Empty).ToArray(),
                        callId);
                }
            }
            catch (HttpRequestException)
            {
                return (null, null, [], null);
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        Error($"the server did not report call {callId}");
        return (null, null, [], callId);
    }

    private short[] Decode(PayloadCodec codec, MediaFormat format)
    {
        var frameSamples = FrameDuration.Samples(format.SampleRate);
        var timeline = _playout.Timeline;
        var pcm = new short[timeline.Count * frameSamples];
        for (var i = 0; i < timeline.Count; i++)
        {
            if (timeline[i] is { } frame)
            {
                codec.Decode(frame, pcm.AsSpan(i * frameSamples, frameSamples));
            }
        }

        return pcm;
    }

    private void Error(string message)
    {
        lock (_errors)
        {
            _errors.Add(message);
        }
    }
}
