using Akka.Streams;
using Akka.Streams.Dsl;
using Akka.Streams.Supervision;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Stages;
using AudioFlow.Pipeline.Supervision;
using AudioFlow.Pipeline.Tests.Support;

namespace AudioFlow.Pipeline.Tests.Stages;

/// <summary>Restart-and-retry supervision of the call graph's processing stages.</summary>
public sealed class SupervisedFlowStageTests : IDisposable
{
    private readonly StageHarness _harness = new(
        "audioflow.pipeline.supervision { min-backoff = 1ms, max-backoff = 5ms, max-consecutive-failures = 3 }");

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task Every_element_comes_through_in_order_when_the_stage_keeps_failing_and_restarting()
    {
        // Fails on every 7th element, once each: the element is retried with a fresh processor.
        var plan = new FailurePlan(n => n % 7 == 0 ? 1 : 0);
        var output = await Run(new FlakyStage(_harness.Call, plan), 100);

        Assert.Equal(Enumerable.Range(1, 100), output.Select(i => i.N));
        Assert.Equal(14, _harness.Call.Stats.Restarts.Count);
        Assert.All(_harness.Call.Stats.Restarts, r => Assert.Equal("flaky", r.Stage));
        Assert.Equal(15, plan.ProcessorsCreated); // the first, plus one per restart
    }

    [Fact]
    public async Task Asynchronous_processing_is_retried_the_same_way()
    {
        var plan = new FailurePlan(n => n % 5 == 0 ? 2 : 0, asynchronous: true);
        var output = await Run(new FlakyStage(_harness.Call, plan), 30);
        Assert.Equal(Enumerable.Range(1, 30), output.Select(i => i.N));
        Assert.Equal(12, _harness.Call.Stats.Restarts.Count);
    }

    [Fact]
    public async Task A_stage_that_fails_more_often_in_a_row_than_allowed_fails_the_stream()
    {
        var plan = new FailurePlan(n => n == 10 ? 100 : 0);
        var error = await Assert.ThrowsAsync<StageFailedException>(() => Run(new FlakyStage(_harness.Call, plan), 20));
        Assert.Equal("flaky", error.Stage);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal(3, _harness.Call.Stats.Restarts.Count);
    }

    [Fact]
    public async Task The_streams_decider_is_honoured_resume_skips_the_element()
    {
        var plan = new FailurePlan(n => n % 4 == 0 ? 1 : 0);
        var stage = Flow.FromGraph(new FlakyStage(_harness.Call, plan))
            .WithAttributes(ActorAttributes.CreateSupervisionStrategy(_ => Directive.Resume));
        var output = await Source.From(Enumerable.Range(1, 12).Select(n => new Item(n))).Via(stage)
            .RunWith(Sink.Seq<Item>(), _harness.System.Materializer());
        Assert.Equal([1, 2, 3, 5, 6, 7, 9, 10, 11], output.Select(i => i.N));
        Assert.Empty(_harness.Call.Stats.Restarts);
    }

    [Fact]
    public async Task The_streams_decider_is_honoured_stop_fails_at_once()
    {
        var plan = new FailurePlan(n => n == 3 ? 1 : 0);
        var stage = Flow.FromGraph(new FlakyStage(_harness.Call, plan))
            .WithAttributes(ActorAttributes.CreateSupervisionStrategy(_ => Directive.Stop));
        await Assert.ThrowsAsync<StageFailedException>(() => Source.From(Enumerable.Range(1, 12).Select(n => new Item(n))).Via(stage)
            .RunWith(Sink.Seq<Item>(), _harness.System.Materializer()));
    }

    [Fact]
    public async Task Injected_faults_every_nth_element_restart_the_stage_without_losing_elements()
    {
        using var harness = new StageHarness(
            "audioflow.pipeline.supervision { min-backoff = 1ms, max-backoff = 5ms }",
            "audioflow.chaos { enabled = on, faults = [ { stage = flaky, every-nth = 10 } ] }".Replace("flaky", "vad"));
        var stage = new FlakyStage(harness.Call, new FailurePlan(_ => 0), name: "vad");
        var output = await Source.From(Enumerable.Range(1, 100).Select(n => new Item(n))).Via(stage)
            .WithAttributes(CallSupervision.Attributes)
            .RunWith(Sink.Seq<Item>(), harness.System.Materializer());
        Assert.Equal(Enumerable.Range(1, 100), output.Select(i => i.N));
        Assert.Equal(11, harness.Call.Stats.Restarts.Count); // attempts 10, 20, ... 110 fail (retries count as attempts)
        Assert.All(harness.Call.Stats.Restarts, r => Assert.Equal(nameof(InjectedFaultException), r.ErrorType));
    }

    [Fact]
    public async Task One_element_may_produce_several_outputs_or_none_with_backpressure()
    {
        var plan = new FailurePlan(_ => 0, fanOut: n => n % 3);
        var output = await Run(new FlakyStage(_harness.Call, plan), 9);
        Assert.Equal([1, 2, 2, 4, 5, 5, 7, 8, 8], output.Select(i => i.N));
    }

    private async Task<IReadOnlyList<Item>> Run(FlakyStage stage, int count) =>
        await Source.From(Enumerable.Range(1, count).Select(n => new Item(n))).Via(stage)
            .WithAttributes(CallSupervision.Attributes)
            .RunWith(Sink.Seq<Item>(), _harness.System.Materializer());

    public sealed record Item(int N);

    /// <summary>How often each element fails (shared by all processors of a stage, so a restart sees the same plan).</summary>
    private sealed class FailurePlan(Func<int, int> failures, bool asynchronous = false, Func<int, int>? fanOut = null)
    {
        private readonly Dictionary<int, int> _failed = [];

        public int ProcessorsCreated { get; set; }

        public bool Asynchronous => asynchronous;

        public int Outputs(int n) => fanOut?.Invoke(n) ?? 1;

        public bool ShouldFail(int n)
        {
            lock (_failed)
            {
                _failed.TryGetValue(n, out var done);
                if (done >= failures(n))
                {
                    return false;
                }

                _failed[n] = done + 1;
                return true;
            }
        }
    }

    private sealed class FlakyStage(CallContext call, FailurePlan plan, string name = "flaky") : SupervisedFlowStage<Item, Item>(name, call)
    {
        protected override IElementProcessor<Item, Item> CreateProcessor()
        {
            plan.ProcessorsCreated++;
            return new Processor(plan);
        }

        private sealed class Processor(FailurePlan plan) : IElementProcessor<Item, Item>
        {
            public async ValueTask ProcessAsync(Item element, List<Item> output, CancellationToken cancellationToken)
            {
                if (plan.Asynchronous)
                {
                    await Task.Delay(1, cancellationToken);
                }

                if (plan.ShouldFail(element.N))
                {
                    throw new InvalidOperationException($"planned failure on {element.N}");
                }

                for (var i = 0; i < plan.Outputs(element.N); i++)
                {
                    output.Add(element);
                }
            }

            public void Dispose()
            {
            }
        }
    }
}
