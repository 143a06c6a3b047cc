using Akka.Event;
using System.Text;
using Akka.Streams;
using Akka.Streams.Stage;
using AudioFlow.Audio.Channel;
using AudioFlow.Engines.Agents;
using AudioFlow.Engines.Tts;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Configuration;
using AudioFlow.Pipeline.Elements;
using AudioFlow.Pipeline.Supervision;

namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// The call's conversation: feeds caller turns, DTMF, the call's answer and silence timeouts to the agent session one
/// at a time, and streams its replies downstream as sentences and commands tagged with the current epoch.
/// <list type="bullet">
/// <item>Barge-in (epoch bump) cancels the running response and drops its queued items; DTMF interrupts too. A
/// barge-in that turns out to be a false start (a cough) resumes the cut reply (<see cref="TurnOptions.ResumeAfterFalseStart"/>).</item>
/// <item>Playout feedback: a reply cut short is reported to the session with what was actually heard, once the
/// session is not busy; when the last reply finished playing, the no-input timer starts.</item>
/// <item>Failures: a response that throws before it produced anything is retried after the restart backoff with the
/// same input; too many in a row fail the stage (the call actor ends the call politely).</item>
/// </list>
/// </summary>
public sealed class AgentStage(CallContext call) : GraphStage<FlowShape<ConversationEvent, ReplyItem>>
{
    private CallContext Call => call;

    private readonly Inlet<ConversationEvent> _in = new($"{StageNames.Agent}.in");
    private readonly Outlet<ReplyItem> _out = new($"{StageNames.Agent}.out");

    public override FlowShape<ConversationEvent, ReplyItem> Shape => new(_in, _out);

    protected override Attributes InitialAttributes => Attributes.CreateName(StageNames.Agent);

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this, inheritedAttributes);

    /// <summary>An input for the agent session, or (<see cref="Replay"/>) outputs to say again without asking it.</summary>
    private sealed record PendingInput(AgentInput? Input, TurnRecord? Turn, string Trigger, IReadOnlyList<AgentOutput>? Replay = null);

    private sealed class ActiveResponse(PendingInput input, ReplyTag tag, ReplyRecord record)
    {
        public PendingInput Input { get; } = input;
        public ReplyTag Tag { get; } = tag;
        public ReplyRecord Record { get; } = record;
        public CancellationTokenSource Cancellation { get; set; } = new();
        public StringBuilder Text { get; } = new();
        public int Sentences { get; set; }
        public int ItemsEmitted { get; set; }
    }

    private sealed class Logic : TimerGraphStageLogic
    {
        private const string NoInputTimer = "no-input";
        private const string RetryTimer = "retry";
        private readonly AgentStage _stage;
        private readonly CallContext _call;
        private readonly RestartSupervisor _supervisor;
        private readonly FaultInjector _faults;
        private readonly Queue<PendingInput> _inputs = new();
        private readonly Queue<ReplyItem> _outbox = new();
        private readonly SortedDictionary<int, ReplyRecord> _unfinishedReplies = [];
        private readonly List<ReplyRecord> _interruptedReplies = [];
        private readonly Dictionary<int, List<AgentOutput>> _commandsByReply = [];
        private readonly List<IDisposable> _subscriptions = [];
        private IAgentSession? _session;
        private ActiveResponse? _active;
        private Action<(ActiveResponse Response, AgentOutput Output)>? _onOutput;
        private Action<(ActiveResponse Response, Task Task)>? _onDone;
        private int _nextReplyId;
        private int _lastCompletedReplyId;
        private bool _callerSpeaking;

        public Logic(AgentStage stage, Attributes attributes) : base(stage.Shape)
        {
            _stage = stage;
            _call = stage.Call;
            _supervisor = RestartSupervisor.Create(StageNames.Agent, _call, attributes);
            _faults = _call.FaultsFor(StageNames.Agent);
            SetHandler(stage._in, onPush: OnPush, onUpstreamFinish: CompleteStage);
            SetHandler(stage._out, onPull: PushOutbox);
        }

        public override void PreStart()
        {
            _onOutput = GetAsyncCallback<(ActiveResponse, AgentOutput)>(OnOutput);
            _onDone = GetAsyncCallback<(ActiveResponse, Task)>(OnResponseDone);
            var onInterrupt = GetAsyncCallback<InterruptSignal>(OnInterrupt);
            var onPlayed = GetAsyncCallback<ReplyPlayed>(OnReplyPlayed);
            var onCutShort = GetAsyncCallback<ReplyCutShort>(OnReplyCutShort);
            _subscriptions.Add(_call.Signals.OnInterrupt(onInterrupt));
            _subscriptions.Add(_call.Signals.OnReplyPlayed(onPlayed));
            _subscriptions.Add(_call.Signals.OnReplyCutShort(onCutShort));
            _session = _call.Engines.Agents.CreateSession(_call.CallId);
            _call.Listening = _session.Listening;
            Enqueue(new PendingInput(new CallAnswered(), null, "answered"));
            Pull(_stage._in);
        }

        public override void PostStop()
        {
            _active?.Cancellation.Cancel();
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
        }

        protected override void OnTimer(object timerKey)
        {
            if (Equals(timerKey, NoInputTimer))
            {
                if (_active is null && _inputs.Count == 0 && !_callerSpeaking)
                {
                    Enqueue(new PendingInput(new CallerSilent(), null, "silence"));
                }
            }
            else if (Equals(timerKey, RetryTimer) && _active is not null)
            {
                Run(_active);
            }
        }

        private void OnPush()
        {
            switch (Grab(_stage._in))
            {
                case CallerSpeechStarted:
                    _callerSpeaking = true;
                    CancelTimer(NoInputTimer);
                    break;
                case CallerFalseStart:
                    ResumeAfterFalseStart();
                    break;
                case CallerTurnRecognized recognized:
                    _callerSpeaking = false;
                    Enqueue(new PendingInput(new CallerSaid(recognized.Transcript), recognized.Turn, "turn"));
                    break;
                case CallerDtmf dtmf:
                    // A key press interrupts the agent like speech does (IVR convention).
                    _call.Signals.Interrupt("dtmf");
                    Enqueue(new PendingInput(new DtmfPressed(dtmf.Digit), null, $"dtmf {dtmf.Digit}"));
                    break;
                case TransferFinished transfer:
                    _call.Stats.Note($"transfer to {transfer.Target} {(transfer.Succeeded ? "succeeded" : "failed")}: {transfer.Detail}");
                    break;
            }

            Pull(_stage._in);
        }

        private void Enqueue(PendingInput input)
        {
            CancelTimer(NoInputTimer);
            _inputs.Enqueue(input);
            StartNextResponse();
        }

        private void StartNextResponse()
        {
            if (_active is not null || _session is null)
            {
                return;
            }

            if (!_inputs.TryDequeue(out var input))
            {
                return; // replies cut short stay pending: a false start may still resume them
            }

            // Tell the session what the caller actually heard of replies cut short, before it answers again. Playout
            // reports the heard text shortly after the interruption; the next input comes much later (a whole turn).
            foreach (var interrupted in _interruptedReplies)
            {
                interrupted.Interrupted = true;
                interrupted.HeardText ??= string.Empty;
                if (input.Replay is null)
                {
                    _session.ReplyInterrupted(interrupted.Text, interrupted.HeardText);
                }

                JournalReply(interrupted, null);
            }

            _interruptedReplies.Clear();

            var tag = new ReplyTag(_call.Signals.Epoch, ++_nextReplyId, input.Turn);
            var record = _call.Stats.StartReply(tag.ReplyId, input.Turn?.Number, input.Trigger);
            _unfinishedReplies[tag.ReplyId] = record;
            _active = new ActiveResponse(input, tag, record);
            Run(_active);
        }

        private void Run(ActiveResponse response)
        {
            FaultAction fault;
            try
            {
                fault = _faults.Next();
            }
            catch (Exception e)
            {
                OnResponseDone((response, Task.FromException(e)));
                return;
            }

            response.Cancellation = new CancellationTokenSource();
            var session = _session!;
            var onOutput = _onOutput!;
            var token = response.Cancellation.Token;
            var stallTimeout = _call.Options.Supervision.HeavyStallTimeout;
            var work = Task.Run(async () =>
            {
                switch (fault.Kind)
                {
                    case FaultKind.Latency:
                        await Task.Delay(fault.Latency, token).ConfigureAwait(false);
                        break;
                    case FaultKind.Stall:
                        // A stalled agent: the watchdog's verdict after the stall timeout (nothing was emitted).
                        await Task.Delay(stallTimeout, token).ConfigureAwait(false);
                        throw new StageStalledException(StageNames.Agent, stallTimeout);
                }

                var outputs = response.Input.Replay is { } replay ? Replayed(replay) : session.RespondAsync(response.Input.Input!, token);
                await foreach (var output in outputs.WithCancellation(token).ConfigureAwait(false))
                {
                    onOutput((response, output));
                }
            }, token);
            var onDone = _onDone!;
            work.ContinueWith(t => onDone((response, t)), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        private void OnOutput((ActiveResponse Response, AgentOutput Output) produced)
        {
            var (response, output) = produced;
            if (response != _active || response.Tag.Epoch != _call.Signals.Epoch)
            {
                return;
            }

            response.Input.Turn?.MarkAgentFirstOutput();
            switch (output)
            {
                case Say say:
                    foreach (var sentence in SentenceSplitter.Split(say.Text))
                    {
                        response.Text.Append(response.Text.Length > 0 ? " " : string.Empty).Append(sentence);
                        Emit(response, new ReplySentence(response.Tag, response.Sentences++, sentence));
                    }

                    break;
                case Transfer transfer:
                    KeepCommand(response, transfer);
                    response.Record.Actions.Add($"transfer {transfer.Target}");
                    Emit(response, new ReplyCommand(response.Tag, new TransferCall(transfer.Target)));
                    break;
                case EndCall end:
                    KeepCommand(response, end);
                    response.Record.Actions.Add($"hang up ({end.Reason})");
                    Emit(response, new ReplyCommand(response.Tag, new HangUp(end.Reason)));
                    break;
            }

            response.Record.Text = response.Text.ToString();
        }

        private static async IAsyncEnumerable<AgentOutput> Replayed(IReadOnlyList<AgentOutput> outputs)
        {
            await Task.Yield();
            foreach (var output in outputs)
            {
                yield return output;
            }
        }

        private void KeepCommand(ActiveResponse response, AgentOutput command)
        {
            if (!_commandsByReply.TryGetValue(response.Tag.ReplyId, out var commands))
            {
                _commandsByReply[response.Tag.ReplyId] = commands = [];
            }

            commands.Add(command);
        }

        /// <summary>
        /// The speech that barged in was a false start (too short for a turn): unless the caller has said or pressed
        /// something since, the reply that was cut is resumed from its first sentence not heard whole, with the
        /// commands that were to follow it (a transfer, a hang-up). The session is not told of the interruption: the
        /// caller is about to hear the rest. The cut reply is journaled as interrupted, the resumption as a reply of
        /// its own ("resume").
        /// </summary>
        private void ResumeAfterFalseStart()
        {
            if (!_call.Options.Turn.ResumeAfterFalseStart || _active is not null || _inputs.Count > 0 || _interruptedReplies.Count == 0)
            {
                return;
            }

            var cut = _interruptedReplies[^1];
            if (ReplyRemainder.After(cut.Text, cut.HeardText) is not { } rest)
            {
                return;
            }

            List<AgentOutput> replay = [new Say(rest)];
            if (_commandsByReply.TryGetValue(cut.ReplyId, out var commands))
            {
                replay.AddRange(commands);
            }

            _call.Log.Info("[call {0}] false barge-in: resuming reply {1} ({2} of {3} characters left)", _call.CallId, cut.ReplyId, rest.Length, cut.Text.Length);
            _call.Stats.Note($"false barge-in: reply {cut.ReplyId} resumed");
            Enqueue(new PendingInput(null, null, "resume", replay));
        }

        private void Emit(ActiveResponse response, ReplyItem item)
        {
            response.ItemsEmitted++;
            _outbox.Enqueue(item);
            PushOutbox();
        }

        private void OnResponseDone((ActiveResponse Response, Task Task) done)
        {
            var (response, task) = done;
            if (response != _active)
            {
                return;
            }

            var interrupted = response.Tag.Epoch != _call.Signals.Epoch;
            if (task.IsFaulted && !interrupted && response.ItemsEmitted == 0)
            {
                var error = task.Exception!.InnerException ?? task.Exception;
                switch (_supervisor.Decide(error))
                {
                    case FailureDecision.Fail:
                        FailStage(_supervisor.Failure(error));
                        return;
                    case FailureDecision.RestartAndRetry:
                        ScheduleOnce(RetryTimer, _supervisor.Backoff);
                        return;
                }
            }
            else if (task.IsFaulted)
            {
                var error = task.Exception!.InnerException ?? task.Exception;
                _call.Log.Warning("[call {0}] agent response {1} failed after it started ({2}); keeping what it said",
                    _call.CallId, response.Tag.ReplyId, error.Message);
                _call.Stats.Note($"agent response {response.Tag.ReplyId} failed part-way: {error.Message}");
            }
            else
            {
                _supervisor.Succeeded();
            }

            _active = null;
            if (!interrupted)
            {
                _lastCompletedReplyId = response.Tag.ReplyId;
                Emit(response, new ReplyEnd(response.Tag, response.Text.ToString()));
            }

            _call.Listening = _session!.Listening;
            StartNextResponse();
        }

        private void OnInterrupt(InterruptSignal signal)
        {
            CancelTimer(NoInputTimer);
            foreach (var record in _unfinishedReplies.Values)
            {
                _interruptedReplies.Add(record);
            }

            _unfinishedReplies.Clear();
            if (_active is { } active && active.Tag.Epoch < signal.Epoch)
            {
                active.Cancellation.Cancel();
            }

            var keep = _outbox.Where(item => item.Reply.Epoch >= signal.Epoch).ToArray();
            _outbox.Clear();
            foreach (var item in keep)
            {
                _outbox.Enqueue(item);
            }
        }

        private void OnReplyPlayed(ReplyPlayed played)
        {
            if (_unfinishedReplies.Remove(played.Reply.ReplyId, out var finished))
            {
                JournalReply(finished, played.Reply.Turn?.ResponseLatencyMs);
            }

            if (played.Reply.ReplyId == _lastCompletedReplyId && _active is null && _inputs.Count == 0 && !_callerSpeaking
                && _session?.NoInputTimeout is { } timeout)
            {
                ScheduleOnce(NoInputTimer, _call.Clock.ToWall(timeout));
            }
        }

        private void OnReplyCutShort(ReplyCutShort cut)
        {
            var record = _interruptedReplies.FirstOrDefault(r => r.ReplyId == cut.Reply.ReplyId);
            if (record is not null)
            {
                record.HeardText = cut.HeardText;
            }
        }

        private void JournalReply(ReplyRecord reply, double? latencyMs)
        {
            _commandsByReply.Remove(reply.ReplyId);
            if (!reply.Journaled)
            {
                reply.Journaled = true;
                _call.Journal.Record(reply.ToEvent(latencyMs));
            }
        }

        private void PushOutbox()
        {
            if (IsAvailable(_stage._out) && _outbox.TryDequeue(out var item))
            {
                Push(_stage._out, item);
            }
        }
    }
}
