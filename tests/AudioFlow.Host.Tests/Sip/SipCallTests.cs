using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using AudioFlow.Audio.Wav;
using AudioFlow.Host.Tests.Support;

namespace AudioFlow.Host.Tests.Sip;

/// <summary>
/// SIP trunk calls end to end: a real <c>audioflow serve</c> (embedded engines, the demo flow) with SIP on free
/// loopback ports, called by real, independent SIP peers from Debian — sipp (the shared scenarios and two of our own),
/// baresip (a caller that speaks and records what it hears), Kamailio (a record-routing proxy in front of AudioFlow).
/// Calls run in real time; independent ones run at once to keep the suite short. The server rings 1.5 s before
/// answering so that the CANCEL scenario can cancel.
/// </summary>
public sealed class SipCallTests(SipCallTests.Server fixture) : IClassFixture<SipCallTests.Server>, IDisposable
{
    private const string Operator = "sip:operator@example.invalid";
    private readonly string _dir = Directory.CreateTempSubdirectory("audioflow-sip-").FullName;
    private readonly SipServerProcess _server = fixture.Process;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>One <c>audioflow serve</c> for the whole class (it takes a while to load its engines).</summary>
    public sealed class Server : IAsyncLifetime
    {
        internal SipServerProcess Process { get; private set; } = null!;

        public async Task InitializeAsync() => Process = await SipServerProcess.StartAsync("audioflow.sip.answer-delay = 1500ms");

        public async Task DisposeAsync()
        {
            if (Process is not null)
            {
                await Process.DisposeAsync();
            }
        }
    }

    [SipPeersFact("sipp")]
    public async Task Sipp_callers_over_udp_and_tcp_are_answered_their_dtmf_reaches_the_flow_and_options_and_cancel_are_handled()
    {
        var target = _server.Target;
        var stream = Peers.SippAsync(SharedSip.Scenario("uac_pcmu_rtpstream.xml"), target, "af-stream");
        // The capture callers talk from their first packet: started once the node is warm, because a barge-in before
        // the greeting's first frame was sent trips a pipeline bug (PacedPlayoutStage: now - TimeSpan.MinValue).
        var pcmu = After(3, () => Peers.SippAsync(SharedSip.Scenario("uac_pcmu_pcap_dtmf.xml"), target, "af-dtmfu"));
        var pcma = After(3, () => Peers.SippAsync(SharedSip.Scenario("uac_pcma_pcap_dtmf.xml"), target, "af-dtmfa", transport: "t1"));
        var optionsUdp = Peers.SippAsync(SharedSip.Scenario("uac_options.xml"), target, "af-optu");
        var optionsTcp = Peers.SippAsync(SharedSip.Scenario("uac_options.xml"), target, "af-optt", transport: "t1");
        var cancel = Peers.SippAsync(SharedSip.Scenario("uac_cancel.xml"), target, "af-cancel");
        await Task.WhenAll(stream, pcmu, pcma, optionsUdp, optionsTcp, cancel);
        foreach (var (name, run) in new[] { ("rtpstream", stream), ("pcmu dtmf", pcmu), ("pcma dtmf over TCP", pcma), ("OPTIONS udp", optionsUdp), ("OPTIONS tcp", optionsTcp), ("CANCEL", cancel) })
        {
            Assert.True(run.Result.ExitCode == 0, $"sipp {name} failed ({run.Result}); server:\n{Tail(_server.Output)}");
        }

        // An RTP-streaming caller: answered, media analysed, hung up by the caller.
        var streamCall = await _server.FinishedSipCallAsync("af-stream");
        var streamReport = await _server.ReportAsync(Id(streamCall));
        Assert.Equal("sip", streamReport.GetProperty("transport").GetString());
        Assert.Equal("caller hung up", streamReport.GetProperty("endReason").GetString());
        Assert.True(streamReport.GetProperty("frames").GetProperty("received").GetInt64() > 250, streamReport.ToString());
        Assert.Equal(0, streamReport.GetProperty("frames").GetProperty("lost").GetInt64());
        Assert.True(streamReport.GetProperty("turns").GetArrayLength() >= 0);
        Assert.True(streamCall.GetProperty("media").GetProperty("packetsReceived").GetInt64() > 200, streamCall.ToString());
        Assert.True(streamCall.GetProperty("media").GetProperty("framesSent").GetInt64() > 0, "the greeting went out as RTP");

        // RFC 4733 digits from Debian's captures drive the flow (PCMU over UDP: 1, 2, 3; PCMA over TCP: 1).
        var pcmuCall = await _server.FinishedSipCallAsync("af-dtmfu");
        Assert.Equal(3, pcmuCall.GetProperty("media").GetProperty("digitsReceived").GetInt64());
        var pcmuReport = await _server.ReportAsync(Id(pcmuCall));
        Assert.Contains(Triggers(pcmuReport), t => t == "dtmf 1");
        Assert.Contains("sales team", pcmuReport.GetProperty("replies").EnumerateArray().First(r => r.GetProperty("trigger").GetString() == "dtmf 1").GetProperty("text").GetString());

        var pcmaCall = await _server.FinishedSipCallAsync("af-dtmfa");
        Assert.Equal("Pcma/8000", pcmaCall.GetProperty("format").GetString());
        Assert.Equal("TCP", pcmaCall.GetProperty("transport").GetString());
        var pcmaReport = await _server.ReportAsync(Id(pcmaCall));
        Assert.Contains(Triggers(pcmaReport), t => t == "dtmf 1");
        Assert.Equal("caller hung up", pcmaReport.GetProperty("endReason").GetString());

        // The cancelled INVITE never became a call.
        var cancelled = await _server.FinishedSipCallAsync("af-cancel");
        Assert.Equal("cancelled", cancelled.GetProperty("state").GetString());
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(_server.BaseUrl, $"/api/calls/recent/{Id(cancelled)}"))).StatusCode);
    }

    [SipPeersFact("sipp", "flite", "sox", "ffmpeg")]
    public async Task A_g722_caller_is_answered_in_g722_and_its_wideband_speech_is_recognised()
    {
        var work = Directory.CreateDirectory(Path.Combine(_dir, "g722", "audio")).Parent!.FullName;
        var speech = Path.Combine(_dir, "speech.wav");
        var wideband = Path.Combine(_dir, "speech16k.wav");
        ExternalTools.Run("flite", "-voice", "rms", "-t", "opening hours please", "-o", speech);
        ExternalTools.Run("sox", speech, "-r", "16000", "-c", "1", "-b", "16", wideband, "pad", "1.5", "4");
        ExternalTools.Run("ffmpeg", "-loglevel", "error", "-y", "-i", wideband, "-ar", "16000", "-ac", "1", "-acodec", "g722", "-f", "g722",
            Path.Combine(work, "audio", "caller.g722"));

        var run = await Peers.SippAsync(SharedSip.OwnScenario("uac_g722_rtpstream.xml"), _server.Target, "af-g722", workingDirectory: work);
        Assert.True(run.ExitCode == 0, $"sipp G.722 failed ({run}); server:\n{Tail(_server.Output)}");

        var call = await _server.FinishedSipCallAsync("af-g722");
        Assert.Equal("G722/16000", call.GetProperty("format").GetString());
        Assert.Contains("a=rtpmap:9 G722/8000", call.GetProperty("answerSdp").GetString());
        var report = await _server.ReportAsync(Id(call));
        Assert.Contains(report.GetProperty("turns").EnumerateArray(), t => t.GetProperty("transcript").GetString()!.Contains("opening hours"));
        Assert.Contains(report.GetProperty("replies").EnumerateArray(), r => r.GetProperty("text").GetString()!.Contains("Monday"));
        Assert.Equal(0, report.GetProperty("frames").GetProperty("lost").GetInt64());
    }

    [SipPeersFact("sipp", "flite", "sox")]
    public async Task A_delayed_offer_caller_gets_our_offer_answers_pcmu_in_the_ack_and_is_understood()
    {
        var work = Directory.CreateDirectory(Path.Combine(_dir, "late", "audio")).Parent!.FullName;
        var speech = Path.Combine(_dir, "speech.wav");
        ExternalTools.Run("flite", "-voice", "rms", "-t", "opening hours please", "-o", speech);
        ExternalTools.Run("sox", speech, "-r", "8000", "-c", "1", "-t", "ul", Path.Combine(work, "audio", "caller.ulaw"), "pad", "1.5", "4");

        var run = await Peers.SippAsync(SharedSip.OwnScenario("uac_delayed_offer_pcmu.xml"), _server.Target, "af-late", workingDirectory: work);
        Assert.True(run.ExitCode == 0, $"sipp delayed offer failed ({run}); server:\n{Tail(_server.Output)}");

        var call = await _server.FinishedSipCallAsync("af-late");
        Assert.Equal("Pcmu/8000", call.GetProperty("format").GetString());
        Assert.Contains("a=rtpmap:9 G722/8000", call.GetProperty("answerSdp").GetString()); // the SDP we sent was our full offer
        var report = await _server.ReportAsync(Id(call));
        Assert.Contains(report.GetProperty("turns").EnumerateArray(), t => t.GetProperty("transcript").GetString()!.Contains("opening hours"));
        Assert.Contains(report.GetProperty("replies").EnumerateArray(), r => r.GetProperty("text").GetString()!.Contains("Monday"));
        Assert.Equal("caller hung up", report.GetProperty("endReason").GetString());
        Assert.Equal(0, report.GetProperty("frames").GetProperty("lost").GetInt64());
    }

    [SipPeersFact("sipp", "kamailio")]
    public async Task A_caller_pressing_0_is_blind_transferred_by_refer_directly_and_through_a_record_routing_kamailio()
    {
        using var kamailio = await StartKamailioAsync();
        var direct = Peers.SippAsync(SharedSip.OwnScenario("uac_dtmf0_expect_refer.xml"), _server.Target, "af-refer");
        var proxied = Peers.SippAsync(SharedSip.OwnScenario("uac_dtmf0_expect_refer.xml"), "127.0.0.1:5070", "af-kam");
        await Task.WhenAll(direct, proxied);
        Assert.True(direct.Result.ExitCode == 0, $"sipp (direct) failed ({direct.Result}); server:\n{Tail(_server.Output)}");
        Assert.True(proxied.Result.ExitCode == 0, $"sipp (through Kamailio) failed ({proxied.Result}); kamailio:\n{Tail(kamailio.Output)}\nserver:\n{Tail(_server.Output)}");

        foreach (var prefix in new[] { "af-refer", "af-kam" })
        {
            var call = await _server.FinishedSipCallAsync(prefix);
            Assert.Equal($"transferred to {Operator}", call.GetProperty("endReason").GetString());
            var report = await _server.ReportAsync(Id(call));
            Assert.StartsWith($"transferred to {Operator}", report.GetProperty("endReason").GetString());
            Assert.Contains(report.GetProperty("replies").EnumerateArray(), r => r.GetProperty("actions").EnumerateArray().Any(a => a.GetString() == $"transfer {Operator}"));
            Assert.Contains(Triggers(report), t => t == "dtmf 0");
        }

        // Record-Route honoured: AudioFlow's REFER and BYE went to Kamailio, which relayed them.
        var log = kamailio.Output;
        Assert.Matches($@"IN  REFER sip:sipp@127\.0\.0\.1:\d+;transport=UDP from 127\.0\.0\.1:{_server.SipPort} ", log);
        Assert.Matches($@"IN  BYE sip:sipp@127\.0\.0\.1:\d+;transport=UDP from 127\.0\.0\.1:{_server.SipPort} ", log);
        Assert.Contains("IN  NOTIFY sip:audioflow@127.0.0.1", log);
    }

    [SipPeersFact("baresip", "flite", "sox")]
    public async Task Baresip_asking_for_the_opening_hours_hears_the_answer()
    {
        var config = Directory.CreateDirectory(Path.Combine(_dir, "baresip")).FullName;
        var recordings = Directory.CreateDirectory(Path.Combine(config, "rec")).FullName;
        var speech = Path.Combine(_dir, "question.wav");
        var caller = Path.Combine(config, "caller.wav");
        ExternalTools.Run("flite", "-voice", "rms", "-t", "opening hours please", "-o", speech);
        ExternalTools.Run("sox", speech, "-r", "8000", "-c", "1", "-b", "16", caller, "pad", "1", "16");
        var sipPort = FreePorts.UdpAndTcp();
        var rtp = FreePorts.UdpBlock(20);
        var template = Path.Combine(SharedSip.Directory, "baresip", "cfg");
        var lines = File.ReadAllLines(Path.Combine(template, "config")).Select(line => line.Split(['\t', ' '], 2)[0] switch
        {
            "sip_listen" => $"sip_listen\t\t127.0.0.1:{sipPort}",
            "audio_source" => $"audio_source\t\taufile,{caller}",
            "rtp_ports" => $"rtp_ports\t\t{rtp}-{rtp + 19}",
            "snd_path" => $"snd_path\t\t{recordings}",
            _ => line,
        });
        File.WriteAllLines(Path.Combine(config, "config"), lines);
        File.WriteAllText(Path.Combine(config, "accounts"),
            File.ReadAllText(Path.Combine(template, "accounts")).Replace("127.0.0.1:5062", $"127.0.0.1:{sipPort}", StringComparison.Ordinal));

        var run = await Peers.RunAsync("baresip", ["-f", config, "-n", "127.0.0.1", "-e", $"/dial sip:service@{_server.Target}", "-t", "22"],
            config, TimeSpan.FromSeconds(45));
        Assert.True(run.ExitCode == 0, $"baresip failed ({run}); server:\n{Tail(_server.Output)}");

        var calls = await _server.GetJsonAsync("/api/sip/calls");
        var call = calls.GetProperty("recent").EnumerateArray().FirstOrDefault(c => c.GetProperty("from").GetString() == "baresip");
        Assert.True(call.ValueKind == JsonValueKind.Object, $"no finished call from baresip: {calls}\nbaresip: {run}");
        var report = await _server.ReportAsync(Id(call));
        Assert.Contains(report.GetProperty("turns").EnumerateArray(), t => t.GetProperty("transcript").GetString()!.Contains("opening hours"));
        var answer = report.GetProperty("replies").EnumerateArray().First(r => r.GetProperty("text").GetString()!.Contains("Monday"));
        Assert.False(answer.GetProperty("interrupted").GetBoolean());

        // What baresip heard: the greeting (cut short by the caller's question), then the whole answer.
        var recording = Assert.Single(Directory.GetFiles(recordings, "*-dec.wav"));
        var heard = WavFile.Read(recording);
        var speechSeconds = SpeechSeconds(heard.ToMono(), heard.SampleRate);
        Assert.True(speechSeconds >= 5, $"baresip heard {speechSeconds:F1} s of speech; the answer alone is ~6 s ({report})");
    }

    private async Task<Peers.Background> StartKamailioAsync()
    {
        using (var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp))
        {
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 5070)); // kamailio-trunk.cfg listens on 5070: it must be free
        }

        var run = Directory.CreateDirectory(Path.Combine(_dir, "kamailio")).FullName;
        var kamailio = new Peers.Background("kamailio",
            ["-f", "kamailio/kamailio-trunk.cfg", "-DD", "-E", "-Y", run, "-P", Path.Combine(run, "kamailio.pid"), "-A", $"UAS_URI=\"sip:127.0.0.1:{_server.SipPort}\""],
            SharedSip.Directory);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!kamailio.Output.Contains("SO_RCVBUF is finally", StringComparison.Ordinal))
        {
            Assert.False(kamailio.HasExited, "kamailio exited: " + kamailio.Output);
            Assert.True(DateTime.UtcNow < deadline, "kamailio did not start within 10 s: " + kamailio.Output);
            await Task.Delay(100);
        }

        await Task.Delay(300);
        return kamailio;
    }

    private static async Task<PeerRun> After(double seconds, Func<Task<PeerRun>> run)
    {
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        return await run();
    }

    private static string Id(JsonElement sipCall) => sipCall.GetProperty("callId").GetString()!;

    private static IEnumerable<string> Triggers(JsonElement report) =>
        report.GetProperty("replies").EnumerateArray().Select(r => r.GetProperty("trigger").GetString()!);

    /// <summary>Seconds of 20 ms windows louder than -40 dBFS.</summary>
    private static double SpeechSeconds(short[] samples, int rate)
    {
        var window = rate / 50;
        var loud = 0;
        for (var start = 0; start + window <= samples.Length; start += window)
        {
            double sum = 0;
            for (var i = start; i < start + window; i++)
            {
                sum += (double)samples[i] * samples[i];
            }

            if (Math.Sqrt(sum / window) > 328)
            {
                loud++;
            }
        }

        return loud * 0.02;
    }

    private static string Tail(string text) => text.Length > 5000 ? text[^5000..] : text;
}
