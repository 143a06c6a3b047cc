using Akka.Event;
using Akka;
using Akka.Streams;
using Akka.Streams.Dsl;
using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Elements;
using AudioFlow.Pipeline.Journal;
using AudioFlow.Pipeline.Stages;
using AudioFlow.Pipeline.Supervision;

namespace AudioFlow.Pipeline.Calls;

/// <summary>
/// Builds one call's Akka.Streams graph:
/// <code>
/// channel.Inbound ─┬─ media ─▶ decode ▶ resample ▶ VAD ▶ turn detector ▶ STT ─┐
///                  └─ DTMF, transfer results ─────────────────────────────────┴▶ agent ▶ TTS ▶ resample ▶ encode ▶ paced playout ▶ channel
/// </code>
/// Playout-mark acks and hang-ups are not conversation events: they go to the call's signals and stats.
/// The graph completes when the channel completes its inbound side (the caller or the agent hung up) and fails
/// only when a stage gives up (see <see cref="SupervisedFlowStage{TIn,TOut}"/>).
/// </summary>
public static class CallGraph
{
    /// <summary>How long the call waits for an event it is about to act on to be stored.</summary>
    public static readonly TimeSpan JournalWait = TimeSpan.FromSeconds(2);

    public static IRunnableGraph<Task<Done>> Create(ICallChannel channel, CallContext call)
    {
        var inbound = ChannelSource.FromReader(channel.Inbound);
        var outbound = Sink.ForEachAsync<OutboundCommand>(1, command => Send(channel, call, command));

        var hearing = Flow.Create<InboundEvent>()
            .Select(e => (InboundMedia)e)
            .Via(new DecodeStage(call))
            .Via(new InboundResampleStage(call))
            .Via(new VadStage(call))
            .Via(new TurnDetectorStage(call))
            .Via(new SpeechToTextStage(call))
            .Async();

        var control = Flow.Create<InboundEvent>()
            .Select(e => ToConversationEvent(e, call))
            .Where(e => e is not null)
            .Select(e => e!);

        var speaking = Flow.FromGraph(new AgentStage(call))
            .Via(new TextToSpeechStage(call))
            .Via(new OutboundResampleStage(call))
            .Via(new EncodeStage(call))
            .Via(new PacedPlayoutStage(call));

        return RunnableGraph.FromGraph(GraphDsl.Create(outbound, (builder, sink) =>
        {
            var source = builder.Add(inbound.Select(e => CountReceived(e, call)));
            var split = builder.Add(new Partition<InboundEvent>(2, e => e is InboundMedia ? 0 : 1));
            var merge = builder.Add(new Merge<ConversationEvent>(2));
            builder.From(source).To(split.In);
            builder.From(split.Out(0)).Via(hearing).To(merge.In(0));
            builder.From(split.Out(1)).Via(control).To(merge.In(1));
            builder.From(merge.Out).Via(speaking).To(sink);
            return ClosedShape.Instance;
        })).WithAttributes(CallSupervision.Attributes);
    }

    private static InboundEvent CountReceived(InboundEvent e, CallContext call)
    {
        if (e is InboundMedia)
        {
            call.Stats.FrameReceived();
        }

        return e;
    }

    private static ConversationEvent? ToConversationEvent(InboundEvent e, CallContext call)
    {
        switch (e)
        {
            case InboundDtmf dtmf:
                call.Log.Info("[call {0}] DTMF ({1})", call.CallId, dtmf.Source);
                call.Journal.Record(new DtmfReceived(dtmf.Digit, dtmf.Source));
                return new CallerDtmf(dtmf.Digit, dtmf.Source);
            case PlayoutMarkReached mark:
                call.Signals.PublishMarkReached(mark.Name);
                return null;
            case TransportProblem problem:
                call.Journal.Record(new TransportError(problem.Kind, problem.Detail));
                return null;
            case TransferResult transfer:
                call.Journal.Record(new TransferCompleted(transfer.Target, transfer.Succeeded, transfer.Detail));
                if (transfer.Succeeded)
                {
                    call.Stats.Ended($"transferred to {transfer.Target}");
                }

                return new TransferFinished(transfer.Target, transfer.Succeeded, transfer.Detail);
            case CallerHungUp hangUp:
                call.Stats.Ended(hangUp.Reason);
                return null;
            default:
                return null;
        }
    }

    private static async Task Send(ICallChannel channel, CallContext call, OutboundCommand command)
    {
        switch (command)
        {
            case HangUp hangUp:
                call.Stats.Ended($"agent hung up ({hangUp.Reason})");
                break;
            case TransferCall transfer:
                call.Stats.Note($"transfer to {transfer.Target} requested");
                await WhenStored(call, new TransferRequested(transfer.Target)).ConfigureAwait(false);
                break;
        }

        await channel.SendAsync(command).ConfigureAwait(false);
    }

    /// <summary>
    /// Records an event the call is about to act on and waits (bounded) until it is stored. If the journal is down the
    /// event stays in its backlog and the call acts anyway: a caller is never kept waiting on the database.
    /// </summary>
    private static async Task WhenStored(CallContext call, CallEvent callEvent)
    {
        var stored = call.Journal.RecordAndWaitAsync(callEvent);
        if (await Task.WhenAny(stored, Task.Delay(JournalWait)).ConfigureAwait(false) != stored)
        {
            call.Log.Warning("[call {0}] {1} not yet stored after {2} ms; going ahead (it stays in the journal backlog)",
                call.CallId, callEvent.GetType().Name, JournalWait.TotalMilliseconds);
        }
    }
}
