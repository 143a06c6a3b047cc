using Akka.Event;
using Akka.Streams;
using Akka.Streams.Stage;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Supervision;

namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// Base of the call graph's processing stages: a one-element-at-a-time flow (like SelectAsync with parallelism 1)
/// whose failures are supervised <em>without losing the element</em>. When processing throws, the stage asks the
/// stream's supervision decider (see <see cref="RestartSupervisor"/>); on Restart it rebuilds its processor after a
/// bounded exponential backoff and retries the same element, while upstream elements wait in the inbound buffer
/// (backpressure) and are processed in order afterwards. Too many failures in a row fail the stage, which the
/// call actor turns into a polite end of call.
/// Each instance is materialized once, by one call.
/// </summary>
public abstract class SupervisedFlowStage<TIn, TOut> : GraphStage<FlowShape<TIn, TOut>>
    where TIn : class
{
    protected SupervisedFlowStage(string stageName, CallContext call)
    {
        StageName = stageName;
        Call = call;
        Shape = new FlowShape<TIn, TOut>(new Inlet<TIn>($"{stageName}.in"), new Outlet<TOut>($"{stageName}.out"));
    }

    public string StageName { get; }

    protected CallContext Call { get; }

    public override FlowShape<TIn, TOut> Shape { get; }

    protected override Attributes InitialAttributes => Attributes.CreateName(StageName);

    /// <summary>How long one element may take before the stall watchdog restarts the stage.</summary>
    protected virtual TimeSpan StallTimeout => Call.Options.Supervision.StallTimeout;

    /// <summary>Builds the stage's working state; called at start and after every failure.</summary>
    protected abstract IElementProcessor<TIn, TOut> CreateProcessor();

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, inheritedAttributes);

    private sealed class Logic : TimerGraphStageLogic
    {
        private const string RetryTimer = "retry";
        private const string StallTimer = "stall";
        private readonly SupervisedFlowStage<TIn, TOut> _stage;
        private readonly RestartSupervisor _supervisor;
        private readonly FaultInjector _faults;
        private readonly CancellationTokenSource _stopping = new();
        private IElementProcessor<TIn, TOut>? _processor;
        private Action<(Task Task, List<TOut> Output, long Attempt)>? _onAsyncDone;
        private CancellationTokenSource? _element;
        private long _attempt;
        private TIn? _pending;
        private bool _busy;
        private bool _emitting;
        private bool _upstreamFinished;

        public Logic(SupervisedFlowStage<TIn, TOut> stage, Attributes attributes) : base(stage.Shape)
        {
            _stage = stage;
            _supervisor = RestartSupervisor.Create(stage.StageName, stage.Call, attributes);
            _faults = stage.Call.FaultsFor(stage.StageName);
            SetHandler(stage.Shape.Inlet, onPush: () => Begin(Grab(stage.Shape.Inlet)), onUpstreamFinish: OnUpstreamFinish);
            SetHandler(stage.Shape.Outlet, onPull: PullIfIdle);
        }

        public override void PreStart()
        {
            _onAsyncDone = GetAsyncCallback<(Task Task, List<TOut> Output, long Attempt)>(AsyncDone);
            _processor = _stage.CreateProcessor();
        }

        public override void PostStop()
        {
            _stopping.Cancel();
            _element?.Dispose();
            DisposeProcessor();
        }

        protected override void OnTimer(object timerKey)
        {
            if (Equals(timerKey, StallTimer))
            {
                // The watchdog: the element has been in the stage too long. Abandon it (its late completion is
                // ignored by attempt number) and restart the stage on the same element.
                _attempt++;
                _element?.Cancel();
                Failed(new StageStalledException(_stage.StageName, _stage.StallTimeout));
                return;
            }

            if (!Equals(timerKey, RetryTimer) || _pending is null)
            {
                return;
            }

            try
            {
                _processor = _stage.CreateProcessor();
            }
            catch (Exception e)
            {
                Failed(e);
                return;
            }

            Begin(_pending);
        }

        private void Begin(TIn element)
        {
            _pending = element;
            _busy = true;
            var output = new List<TOut>();
            ValueTask work;
            try
            {
                var fault = _faults.Next();
                _element?.Dispose();
                _element = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                work = fault.Kind switch
                {
                    FaultKind.Latency => DelayedAsync(fault.Latency, element, output, _element.Token),
                    FaultKind.Stall => new ValueTask(Task.Delay(Timeout.Infinite, _element.Token)),
                    _ => _processor!.ProcessAsync(element, output, _element.Token),
                };
            }
            catch (Exception e)
            {
                Failed(e);
                return;
            }

            if (work.IsCompleted)
            {
                try
                {
                    work.GetAwaiter().GetResult();
                }
                catch (Exception e)
                {
                    Failed(e);
                    return;
                }

                Done(output, succeeded: true);
                return;
            }

            var callback = _onAsyncDone!;
            var attempt = ++_attempt;
            ScheduleOnce(StallTimer, _stage.StallTimeout);
            work.AsTask().ContinueWith(t => callback((t, output, attempt)), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private async ValueTask DelayedAsync(TimeSpan latency, TIn element, List<TOut> output, CancellationToken cancellationToken)
        {
            await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
            await _processor!.ProcessAsync(element, output, cancellationToken).ConfigureAwait(false);
        }

        private void AsyncDone((Task Task, List<TOut> Output, long Attempt) result)
        {
            if (result.Attempt != _attempt)
            {
                return; // abandoned by the stall watchdog
            }

            CancelTimer(StallTimer);
            if (result.Task.IsCompletedSuccessfully)
            {
                Done(result.Output, succeeded: true);
            }
            else if (result.Task.IsCanceled)
            {
                // Processors absorb their own expected cancellations (barge-in); an escaped one skips the element.
                _stage.Call.Log.Debug("[call {0}] stage {1}: element processing cancelled", _stage.Call.CallId, _stage.StageName);
                Done([], succeeded: false);
            }
            else
            {
                Failed(result.Task.Exception!.InnerException ?? result.Task.Exception);
            }
        }

        private void Done(List<TOut> output, bool succeeded)
        {
            if (succeeded)
            {
                _supervisor.Succeeded();
            }

            _pending = null;
            _busy = false;
            if (output.Count == 0)
            {
                AfterEmit();
                return;
            }

            _emitting = true;
            EmitMultiple(_stage.Shape.Outlet, output, AfterEmit);
        }

        private void AfterEmit()
        {
            _emitting = false;
            if (_upstreamFinished)
            {
                CompleteStage();
                return;
            }

            PullIfIdle();
        }

        private void PullIfIdle()
        {
            var inlet = _stage.Shape.Inlet;
            if (!_busy && !_emitting && IsAvailable(_stage.Shape.Outlet) && !HasBeenPulled(inlet) && !IsClosed(inlet))
            {
                Pull(inlet);
            }
        }

        private void Failed(Exception error)
        {
            switch (_supervisor.Decide(error))
            {
                case FailureDecision.Fail:
                    FailStage(_supervisor.Failure(error));
                    break;
                case FailureDecision.SkipElement:
                    Done([], succeeded: false);
                    break;
                default:
                    DisposeProcessor();
                    ScheduleOnce(RetryTimer, _supervisor.Backoff);
                    break;
            }
        }

        private void OnUpstreamFinish()
        {
            _upstreamFinished = true;
            if (!_busy && !_emitting)
            {
                CompleteStage();
            }
        }

        private void DisposeProcessor()
        {
            try
            {
                _processor?.Dispose();
            }
            catch (Exception e)
            {
                _stage.Call.Log.Warning("[call {0}] stage {1}: disposing its state threw {2}", _stage.Call.CallId, _stage.StageName, e.Message);
            }

            _processor = null;
        }
    }
}
