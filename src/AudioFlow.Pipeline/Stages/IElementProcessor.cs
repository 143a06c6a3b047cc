namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// The replaceable part of a supervised stage: its per-call working state (a VAD session, a resampler's filter
/// memory, a decoder). When processing throws, the stage disposes the processor, builds a fresh one and retries the
/// same element, so state is rebuilt but no element is lost.
/// </summary>
public interface IElementProcessor<TIn, TOut> : IDisposable
{
    /// <summary>
    /// Processes one element, appending zero or more results to <paramref name="output"/>. Cheap work completes
    /// synchronously on the stream's thread; inference returns an incomplete task that runs on a dedicated scheduler.
    /// <paramref name="output"/> is only read after the returned task completes.
    /// </summary>
    ValueTask ProcessAsync(TIn element, List<TOut> output, CancellationToken cancellationToken);
}
