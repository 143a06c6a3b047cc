using Akka.Streams;
using Akka.Streams.Supervision;

namespace AudioFlow.Pipeline.Supervision;

/// <summary>
/// The supervision decider of every call graph: restart the failing stage and retry its element (bounded by
/// <c>audioflow.pipeline.supervision</c>), except when the process itself is in trouble.
/// </summary>
public static class CallSupervision
{
    public static readonly Decider Decider = error => error is OutOfMemoryException or InsufficientExecutionStackException
        ? Directive.Stop
        : Directive.Restart;

    public static Attributes Attributes => ActorAttributes.CreateSupervisionStrategy(Decider);
}
