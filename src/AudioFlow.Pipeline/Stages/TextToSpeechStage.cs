using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Elements;

namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// Synthesises reply sentences one at a time on the heavy inference pool, so the first sentence plays while the next
/// is synthesised. Items of an older epoch are dropped, and a barge-in cancels the synthesis in progress (the
/// subscription cancels it from the interrupting thread at once). Commands and reply ends pass through in order.
/// </summary>
public sealed class TextToSpeechStage(CallContext call) : SupervisedFlowStage<ReplyItem, ReplyItem>(StageNames.Tts, call)
{
    protected override TimeSpan StallTimeout => Call.Options.Supervision.HeavyStallTimeout;

    protected override IElementProcessor<ReplyItem, ReplyItem> CreateProcessor() => new Processor(Call);

    private sealed class Processor : IElementProcessor<ReplyItem, ReplyItem>
    {
        private readonly CallContext _call;
        private readonly IDisposable _subscription;
        private CancellationTokenSource _epochCancellation = new();

        public Processor(CallContext call)
        {
            _call = call;
            _subscription = call.Signals.OnInterrupt(_ => Interlocked.Exchange(ref _epochCancellation, new CancellationTokenSource()).Cancel());
        }

        public async ValueTask ProcessAsync(ReplyItem element, List<ReplyItem> output, CancellationToken cancellationToken)
        {
            if (element.Reply.Epoch < _call.Signals.Epoch)
            {
                return;
            }

            if (element is not ReplySentence sentence)
            {
                output.Add(element);
                return;
            }

            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Volatile.Read(ref _epochCancellation).Token);
            var synthesizer = _call.Engines.Synthesizer;
            short[] pcm;
            try
            {
                pcm = await _call.Engines.Schedulers.Heavy.Run(() => synthesizer.Synthesize(sentence.Text, linked.Token), linked.Token)
                    .ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return; // barge-in: this sentence will not be played
            }

            if (element.Reply.Epoch < _call.Signals.Epoch || pcm.Length == 0)
            {
                return;
            }

            sentence.Reply.Turn?.MarkTtsFirstAudio();
            output.Add(new ReplySpeech(sentence.Reply, sentence.Index, sentence.Text, pcm, synthesizer.SampleRate));
        }

        public void Dispose() => _subscription.Dispose();
    }
}
