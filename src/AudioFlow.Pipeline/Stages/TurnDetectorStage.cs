using Akka.Event;
using System.Diagnostics;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Elements;
using AudioFlow.Pipeline.Turns;

namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// Turns analysed frames into conversation events: <see cref="CallerSpeechStarted"/>, <see cref="CallerUtterance"/>,
/// and <see cref="CallerFalseStart"/> when speech that barged in was too short for a turn.
/// Barge-in goes out of band: the moment the caller has spoken for the barge-in minimum, the call's epoch is bumped
/// through <see cref="CallSignals.Interrupt"/>, not queued behind audio.
/// The <see cref="TurnDetector"/> is deterministic logic whose state belongs to the stage, so it survives a restart:
/// the utterance in progress is never lost.
/// </summary>
public sealed class TurnDetectorStage(CallContext call) : SupervisedFlowStage<AnalyzedFrame, ConversationEvent>(StageNames.Turn, call)
{
    private readonly TurnDetector _detector = new(call.Options.Turn, call.Options.Vad);

    protected override IElementProcessor<AnalyzedFrame, ConversationEvent> CreateProcessor() => new Processor(this);

    private sealed class Processor(TurnDetectorStage stage) : IElementProcessor<AnalyzedFrame, ConversationEvent>
    {
        public ValueTask ProcessAsync(AnalyzedFrame element, List<ConversationEvent> output, CancellationToken cancellationToken)
        {
            var call = stage.Call;
            var detection = stage._detector.Process(element);
            if (detection.IsBargeIn)
            {
                call.Signals.Interrupt("caller speech");
            }

            if (detection.IsFalseStart)
            {
                call.Log.Debug("[call {0}] speech at frame {1} was too short for a turn", call.CallId, element.Frame.Index);
                output.Add(new CallerFalseStart(element.Frame.Index));
            }

            if (detection.TurnStartedAt is { } start)
            {
                output.Add(new CallerSpeechStarted(start));
            }

            if (detection.Ended is { } ended)
            {
                var turn = call.Stats.StartTurn(ended.StartFrame, ended.LastSpeechFrame, ended.LastSpeechReceivedAt, Stopwatch.GetTimestamp());
                if (ended.CutAtMaxDuration)
                {
                    call.Stats.Note($"turn {turn.Number} cut at the maximum turn duration");
                }

                output.Add(new CallerUtterance(ended.Pcm, ended.SampleRate, turn));
            }

            return ValueTask.CompletedTask;
        }

        public void Dispose()
        {
        }
    }
}
