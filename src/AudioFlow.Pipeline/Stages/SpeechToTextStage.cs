using Akka.Event;
using System.Diagnostics;
using AudioFlow.Audio.Resampling;
using AudioFlow.Engines.Stt;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Elements;
using AudioFlow.Pipeline.Journal;

namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// Decodes each finished caller utterance on the heavy inference pool, listening for what the agent's current
/// dialogue state expects (<see cref="CallContext.Listening"/>: a grammar for pocketsphinx). Other conversation
/// events pass through in order. A failed decode is retried on the same utterance after the restart backoff.
/// </summary>
public sealed class SpeechToTextStage(CallContext call) : SupervisedFlowStage<ConversationEvent, ConversationEvent>(StageNames.Stt, call)
{
    protected override TimeSpan StallTimeout => Call.Options.Supervision.HeavyStallTimeout;

    protected override IElementProcessor<ConversationEvent, ConversationEvent> CreateProcessor() => new Processor(Call);

    private sealed class Processor(CallContext call) : IElementProcessor<ConversationEvent, ConversationEvent>
    {
        public async ValueTask ProcessAsync(ConversationEvent element, List<ConversationEvent> output, CancellationToken cancellationToken)
        {
            if (element is not CallerUtterance utterance)
            {
                output.Add(element);
                return;
            }

            var recognizer = call.Engines.Recognizer;
            var context = call.Listening;
            var turn = utterance.Turn;
            turn.SttStartedAt = Stopwatch.GetTimestamp();
            var transcript = await call.Engines.Schedulers.Heavy.Run(
                () => recognizer.Recognize(ToRecognizerRate(utterance, recognizer.SampleRate), context, cancellationToken),
                cancellationToken).ConfigureAwait(false);
            turn.SttFinishedAt = Stopwatch.GetTimestamp();
            turn.Transcript = transcript.Text;
            turn.Confidence = transcript.Confidence;
            // The transcript itself goes only to the journal (structured), never into log text.
            call.Log.Info("[call {0}] turn {1} recognised in {2:F0} ms: {3} characters, confidence {4:F2}",
                call.CallId, turn.Number, turn.SttMs ?? 0, transcript.Text.Length, transcript.Confidence);
            call.Journal.Record(new CallerTurn(turn.Number, transcript.Text, transcript.Confidence, turn.SpeechStartFrame * 20.0,
                (turn.SpeechEndFrame + 1) * 20.0, turn.EndpointingMs, turn.SttMs));
            output.Add(new CallerTurnRecognized(transcript, turn));
        }

        private static short[] ToRecognizerRate(CallerUtterance utterance, int recognizerRate)
        {
            if (utterance.SampleRate == recognizerRate)
            {
                return utterance.Pcm;
            }

            var resampler = Resampler.Create(utterance.SampleRate, recognizerRate);
            var buffer = new short[resampler.MaxOutputSamples(utterance.Pcm.Length)];
            var written = resampler.Process(utterance.Pcm, buffer);
            return buffer[..written];
        }

        public void Dispose()
        {
        }
    }
}
