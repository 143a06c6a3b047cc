using Akka.Actor;
using Akka.Event;
using Akka.Streams;
using AudioFlow.Audio.Channel;
using AudioFlow.Audio.Codecs;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Journal;
using AudioFlow.Pipeline.Metrics;
using AudioFlow.Pipeline.Supervision;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// Owns one call: materializes its graph (the stream's actors become this actor's children, so they die with it),
/// watches it, and ends the call. Stage failures are handled inside the graph (restart and retry, see
/// <see cref="RestartSupervisor"/>); when a stage gives up, the graph fails and this actor ends the call politely:
/// the apology is spoken straight to the channel, then it hangs up. Either way it reports <see cref="CallFinished"/>
/// to its parent and stops. Nothing a call does can take the node down.
/// </summary>
public sealed class CallActor : ReceiveActor
{
    private static readonly TimeSpan ApologyTimeout = TimeSpan.FromSeconds(20);
    private readonly ICallChannel _channel;
    private readonly CallEngines _engines;
    private readonly PipelineOptions _options;
    private readonly CallClock _clock;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly CallContext _call;
    private bool _finished;

    public CallActor(ICallChannel channel, CallEngines engines, PipelineOptions options, CallClock clock, ICallJournal journal)
    {
        _channel = channel;
        _engines = engines;
        _options = options;
        _clock = clock;
        _call = new CallContext(channel.CallId, channel.InboundFormat, channel.OutboundFormat, options, engines,
            new CallStats(channel.CallId, channel.Transport), _log, clock, journal);
        Receive<GraphFinished>(OnGraphFinished);
        Receive<ApologyFinished>(_ => Finish());
        Receive<EndRecorded>(_ => Stop());
        Receive<ProviderCallbackReceived>(callback => _call.Journal.Record(new ProviderCallback(callback.Kind, callback.Fields)));
        Receive<EndCall>(end => _ = _channel.SendAsync(new HangUp(end.Reason)));
    }

    public static Props Props(ICallChannel channel, CallEngines engines, PipelineOptions options, CallClock clock, ICallJournal journal) =>
        Akka.Actor.Props.Create(() => new CallActor(channel, engines, options, clock, journal));

    /// <summary>How long the end of a call waits for its CallEnded event to be stored before reporting anyway.</summary>
    public static readonly TimeSpan EndJournalWait = TimeSpan.FromSeconds(5);

    /// <summary>The graph completed (error null) or failed.</summary>
    private sealed record GraphFinished(Exception? Error);

    private sealed record ApologyFinished;

    private sealed record EndRecorded;

    /// <summary>Asks the call to hang up (operator action, node shutdown).</summary>
    public sealed record EndCall(string Reason);

    protected override void PreStart()
    {
        AudioFlowMetrics.CallsStarted.Add(1, new KeyValuePair<string, object?>("transport", _channel.Transport));
        _log.Info("[call {0}] started on {1}: in {2}, out {3}", _call.CallId, _channel.Transport, _channel.InboundFormat, _channel.OutboundFormat);
        _call.Journal.Record(new CallStarted(_call.CallId, _channel.Transport, _channel.InboundFormat.ToString(),
            _channel.OutboundFormat.ToString(), _channel.From, _channel.To, _channel.ProviderCallId, _call.Recording?.Path));
        try
        {
            PayloadCodec.For(_channel.InboundFormat);
            PayloadCodec.For(_channel.OutboundFormat);
        }
        catch (NotSupportedException e)
        {
            _log.Error("[call {0}] cannot take the call: {1}", _call.CallId, e.Message);
            _call.Stats.Ended($"unsupported media: {e.Message}");
            _ = _channel.SendAsync(new HangUp("unsupported media"));
            Self.Tell(new ApologyFinished());
            return;
        }

        var done = CallGraph.Create(_channel, _call).Run(Context.Materializer(namePrefix: "call"));
        done.ContinueWith(t => new GraphFinished(t.IsFaulted ? t.Exception!.GetBaseException() : null), TaskScheduler.Default)
            .PipeTo(Self);
    }

    protected override void PostStop()
    {
        if (!_finished)
        {
            _call.Stats.Ended("call actor stopped");
            _ = _channel.SendAsync(new HangUp("call actor stopped"));
            SaveRecording(); // completes the file (it is on disk already, up to the last second)
            Report();
        }
    }

    private void OnGraphFinished(GraphFinished finished)
    {
        if (finished.Error is null)
        {
            _call.Stats.Ended("completed");
            Finish();
            return;
        }

        var stage = finished.Error is StageFailedException failed ? failed.Stage : "pipeline";
        _log.Error(finished.Error, "[call {0}] {1} failed for good; apologising and hanging up", _call.CallId, stage);
        _call.Stats.Ended($"stage {stage} failed repeatedly; apologised and hung up");
        Apologize().PipeTo(Self, success: () => new ApologyFinished(), failure: _ => new ApologyFinished());
    }

    /// <summary>Speaks the apology straight to the channel (the graph is gone), paced in real time, then hangs up.</summary>
    private async Task Apologize()
    {
        using var timeout = new CancellationTokenSource(ApologyTimeout);
        try
        {
            var synthesizer = _engines.Synthesizer;
            var pcm = await _engines.Schedulers.Heavy.Run(() => synthesizer.Synthesize(_options.Apology, timeout.Token), timeout.Token)
                .ConfigureAwait(false);
            var codec = PayloadCodec.For(_channel.OutboundFormat);
            var frames = OutboundSpeech.EncodeFrames(OutboundSpeech.ToRate(pcm, synthesizer.SampleRate, codec.Format.SampleRate), codec);
            await _channel.SendAsync(new ClearPlayout(), timeout.Token).ConfigureAwait(false);
            var frameTime = _clock.ToWall(TimeSpan.FromMilliseconds(Audio.FrameDuration.Milliseconds));
            var start = DateTime.UtcNow;
            for (var i = 0; i < frames.Count; i++)
            {
                var due = start + i * frameTime - _clock.ToWall(_options.Playout.Lead);
                var wait = due - DateTime.UtcNow;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, timeout.Token).ConfigureAwait(false);
                }

                await _channel.SendAsync(new OutboundMedia(frames[i]), timeout.Token).ConfigureAwait(false);
            }

            await Task.Delay(_clock.ToWall(_options.Playout.Lead), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _log.Warning("[call {0}] apology could not be played: {1}", _call.CallId, e.Message);
        }
        finally
        {
            await _channel.SendAsync(new HangUp("technical failure"), CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <summary>Journals what is left (replies cut by the hang-up, the end itself), reports, and stops once CallEnded is stored.</summary>
    private void Finish()
    {
        _finished = true;
        var stats = _call.Stats;
        SaveRecording();
        foreach (var reply in stats.Replies.Where(r => !r.Journaled))
        {
            reply.Journaled = true;
            _call.Journal.Record(reply.ToEvent(null));
        }

        var ended = _call.Journal.RecordAndWaitAsync(new CallEnded(stats.EndReason ?? "unknown", Math.Round(stats.Duration.TotalMilliseconds),
            stats.FramesReceived, stats.FramesAnalyzed, stats.Turns.Count, stats.Restarts.Count));
        Task.WhenAny(ended, Task.Delay(EndJournalWait)).PipeTo(Self, success: _ => new EndRecorded(), failure: _ => new EndRecorded());
    }

    /// <summary>The end is stored (or the journal is down and keeps it in its backlog): now the call is reported finished.</summary>
    private void SaveRecording()
    {
        if (_call.Recording is not { } recording)
        {
            return;
        }

        var path = recording.Path;
        try
        {
            var duration = recording.Finish();
            _call.Journal.Record(new RecordingSaved(path, Math.Round(duration.TotalMilliseconds)));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _log.Error(e, "[call {0}] recording could not be written to {1}", _call.CallId, path);
            _call.Journal.Record(new TransportError("recording", $"could not write {path}: {e.Message}"));
        }
    }

    private void Stop()
    {
        Report();
        Context.Stop(Self);
    }

    private void Report()
    {
        AudioFlowMetrics.CallsEnded.Add(1, new KeyValuePair<string, object?>("transport", _channel.Transport));
        foreach (var turn in _call.Stats.Turns)
        {
            if (turn.ResponseLatencyMs is { } latency)
            {
                AudioFlowMetrics.ResponseLatencyMs.Record(latency);
            }
        }

        _log.Info("[call {0}] ended: {1} ({2} turns, {3} frames in, {4} analysed, {5} restarts)", _call.CallId, _call.Stats.EndReason,
            _call.Stats.Turns.Count, _call.Stats.FramesReceived, _call.Stats.FramesAnalyzed, _call.Stats.Restarts.Count);
        Context.Parent.Tell(new CallFinished(_call.Stats));
    }
}

/// <summary>A call ended; its stats are final.</summary>
public sealed record CallFinished(CallStats Stats);
