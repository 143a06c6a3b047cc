using Akka.Event;
using System.Text;
using Akka.Streams;
using Akka.Streams.Stage;
using AudioFlow.Audio;
using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Calls;
using AudioFlow.Pipeline.Elements;
using AudioFlow.Pipeline.Metrics;

namespace AudioFlow.Pipeline.Stages;

/// <summary>
/// Paces encoded agent audio to the transport: a timer ticks every 20 ms and releases the frames whose slot has come,
/// up to <c>playout.lead</c> ahead of real time. It never sends faster because TTS produced faster, and after a gap
/// it restarts the clock instead of bursting to catch up. Upstream is pulled only while less than
/// <c>playout.max-buffer</c> of audio is queued (backpressure on TTS).
/// <para>Barge-in arrives out of band (<see cref="CallSignals.OnInterrupt"/>): the queue is flushed, a
/// <see cref="ClearPlayout"/> goes out ahead of anything else, and the agent is told which part of the reply was heard.
/// After a reply's last frame a <see cref="PlayoutMark"/> is sent; the reply counts as played when the transport acks
/// it or <c>playout.mark-timeout</c> passes (some providers never ack).</para>
/// </summary>
public sealed class PacedPlayoutStage(CallContext call) : GraphStage<FlowShape<ReplyItem, OutboundCommand>>
{
    private CallContext Call => call;

    private const string TickTimer = "tick";
    private static readonly TimeSpan FrameTime = TimeSpan.FromMilliseconds(FrameDuration.Milliseconds);

    /// <summary>A frame sent this much later than its slot counts as late (the transports' jitter budget).</summary>
    public static readonly TimeSpan LateThreshold = TimeSpan.FromMilliseconds(60);

    private readonly Inlet<ReplyItem> _in = new("playout.in");
    private readonly Outlet<OutboundCommand> _out = new("playout.out");

    public override FlowShape<ReplyItem, OutboundCommand> Shape => new(_in, _out);

    protected override Attributes InitialAttributes => Attributes.CreateName("playout");

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private abstract record Entry(ReplyTag Reply);

    private sealed record FrameEntry(ReplyTag Reply, int Sentence, byte[] Payload) : Entry(Reply);

    private sealed record CommandEntry(ReplyTag Reply, OutboundCommand Command) : Entry(Reply);

    private sealed record EndEntry(ReplyTag Reply) : Entry(Reply);

    /// <summary>How much of each sentence of one reply has been played, to report what the caller heard.</summary>
    private sealed class ReplyProgress
    {
        public SortedDictionary<int, (string Text, int Frames, int Played)> Sentences { get; } = [];

        public string HeardText()
        {
            var heard = new StringBuilder();
            foreach (var (text, frames, played) in Sentences.Values)
            {
                if (played == 0)
                {
                    break;
                }

                var words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                var heardWords = played >= frames ? words.Length : words.Length * played / frames;
                if (heardWords > 0)
                {
                    heard.Append(heard.Length > 0 ? " " : string.Empty).AppendJoin(' ', words.Take(heardWords));
                }

                if (played < frames)
                {
                    break;
                }
            }

            return heard.ToString();
        }
    }

    private sealed class Logic : TimerGraphStageLogic
    {
        private readonly PacedPlayoutStage _stage;
        private readonly CallContext _call;
        private readonly CallClock _clock;
        private readonly Queue<Entry> _queue = new();
        private readonly LinkedList<OutboundCommand> _outbox = new();
        private readonly Dictionary<int, ReplyProgress> _progress = [];
        private readonly Dictionary<string, (ReplyTag Reply, TimeSpan SentAt)> _pendingMarks = [];
        private readonly List<IDisposable> _subscriptions = [];
        private readonly int _maxBufferedFrames;
        private int _queuedFrames;
        private bool _clockRunning;
        private TimeSpan _playStart;
        private long _framesSinceStart;
        private TimeSpan? _lastMediaSentAt;

        public Logic(PacedPlayoutStage stage) : base(stage.Shape)
        {
            _stage = stage;
            _call = stage.Call;
            _clock = _call.Clock;
            _maxBufferedFrames = Math.Max(1, (int)(_call.Options.Playout.MaxBuffer / FrameTime));
            SetHandler(stage._in, onPush: OnPush, onUpstreamFinish: CompleteStage);
            SetHandler(stage._out, onPull: PushOutbox);
        }

        public override void PreStart()
        {
            _subscriptions.Add(_call.Signals.OnInterrupt(GetAsyncCallback<InterruptSignal>(OnInterrupt)));
            _subscriptions.Add(_call.Signals.OnMarkReached(GetAsyncCallback<string>(OnMarkReached)));
            ScheduleRepeatedly(TickTimer, _clock.ToWall(FrameTime));
            Pull(_stage._in);
        }

        public override void PostStop()
        {
            foreach (var subscription in _subscriptions)
            {
                subscription.Dispose();
            }
        }

        private void OnPush()
        {
            var item = Grab(_stage._in);
            if (item.Reply.Epoch >= _call.Signals.Epoch)
            {
                Accept(item);
            }

            PullIfRoom();
        }

        private void Accept(ReplyItem item)
        {
            switch (item)
            {
                case ReplyEncodedSpeech speech:
                    ProgressOf(speech.Reply).Sentences[speech.Index] = (speech.Text, speech.Frames.Count, 0);
                    foreach (var payload in speech.Frames)
                    {
                        _queue.Enqueue(new FrameEntry(speech.Reply, speech.Index, payload));
                    }

                    _queuedFrames += speech.Frames.Count;
                    break;
                case ReplyCommand command:
                    _queue.Enqueue(new CommandEntry(command.Reply, command.Command));
                    break;
                case ReplyEnd end:
                    _queue.Enqueue(new EndEntry(end.Reply));
                    break;
                default:
                    _call.Log.Error("[call {0}] playout received {1}, which should have been encoded first", _call.CallId, item.GetType().Name);
                    break;
            }

            Release();
        }

        protected override void OnTimer(object timerKey)
        {
            Release();
            ExpireMarks();
        }

        /// <summary>Moves everything that is due from the queue to the outbox.</summary>
        private void Release()
        {
            var now = _clock.Now;
            while (_queue.TryPeek(out var head))
            {
                if (head is FrameEntry frame)
                {
                    if (!_clockRunning)
                    {
                        _clockRunning = true;
                        _playStart = now;
                        _framesSinceStart = 0;
                    }

                    var slot = _playStart + _framesSinceStart * FrameTime;
                    if (slot > now + _call.Options.Playout.Lead)
                    {
                        break;
                    }

                    if (now - slot > LateThreshold)
                    {
                        _call.Stats.FrameLate();
                        AudioFlowMetrics.LatePlayoutFrames.Add(1);
                    }

                    _queue.Dequeue();
                    _queuedFrames--;
                    _framesSinceStart++;
                    SendFrame(frame, now);
                    continue;
                }

                _queue.Dequeue();
                if (head is CommandEntry command)
                {
                    _outbox.AddLast(command.Command);
                }
                else
                {
                    EndReply(head.Reply, now);
                }
            }

            if (_queuedFrames == 0)
            {
                _clockRunning = false;
            }

            PushOutbox();
            PullIfRoom();
        }

        private void SendFrame(FrameEntry frame, TimeSpan now)
        {
            var progress = ProgressOf(frame.Reply);
            var sentence = progress.Sentences[frame.Sentence];
            progress.Sentences[frame.Sentence] = sentence with { Played = sentence.Played + 1 };
            frame.Reply.Turn?.MarkFirstReplyFrameSent();
            _lastMediaSentAt = now;
            _call.Stats.FrameSent();
            _call.Recording?.Agent(now, frame.Payload);
            _outbox.AddLast(new OutboundMedia(frame.Payload));
        }

        private void EndReply(ReplyTag reply, TimeSpan now)
        {
            _progress.Remove(reply.ReplyId);
            var name = $"reply-{reply.ReplyId}";
            _pendingMarks[name] = (reply, now);
            _outbox.AddLast(new PlayoutMark(name));
        }

        private void OnMarkReached(string name)
        {
            if (_pendingMarks.Remove(name, out var pending))
            {
                _call.Signals.PublishReplyPlayed(new ReplyPlayed(pending.Reply));
            }
        }

        private void ExpireMarks()
        {
            if (_pendingMarks.Count == 0)
            {
                return;
            }

            var now = _clock.Now;
            foreach (var (name, pending) in _pendingMarks.ToArray())
            {
                if (now - pending.SentAt > _call.Options.Playout.MarkTimeout)
                {
                    _pendingMarks.Remove(name);
                    _call.Log.Debug("[call {0}] no ack for playout mark {1}; assuming it played", _call.CallId, name);
                    _call.Signals.PublishReplyPlayed(new ReplyPlayed(pending.Reply));
                }
            }
        }

        private void OnInterrupt(InterruptSignal signal)
        {
            var now = _clock.Now;
            var affected = new SortedDictionary<int, ReplyTag>();
            foreach (var entry in _queue)
            {
                affected[entry.Reply.ReplyId] = entry.Reply;
            }

            foreach (var (replyId, _) in _progress)
            {
                affected.TryAdd(replyId, new ReplyTag(signal.Epoch - 1, replyId, null));
            }

            var unsentMedia = _outbox.Count(c => c is OutboundMedia);
            var stillAudible = _lastMediaSentAt is { } lastSent && now - lastSent <= _call.Options.Playout.Lead + FrameTime;
            _queue.Clear();
            _queuedFrames = 0;
            _clockRunning = false;
            RemoveUnsentMedia();
            foreach (var name in _pendingMarks.Where(m => m.Value.Reply.Epoch < signal.Epoch).Select(m => m.Key).ToArray())
            {
                _pendingMarks.Remove(name); // providers may never ack marks after a clear
            }

            if (affected.Count > 0 || unsentMedia > 0 || stillAudible)
            {
                _outbox.AddFirst(new ClearPlayout());
                _call.Stats.ClearSent(now);
                AudioFlowMetrics.BargeIns.Add(1);
                _call.Log.Info("[call {0}] barge-in ({1}): playout flushed", _call.CallId, signal.Reason);
            }

            foreach (var reply in affected.Values)
            {
                var heard = _progress.TryGetValue(reply.ReplyId, out var progress) ? progress.HeardText() : string.Empty;
                _call.Signals.PublishReplyCutShort(new ReplyCutShort(reply, heard));
            }

            _progress.Clear();
            PushOutbox();
            PullIfRoom();
        }

        private void RemoveUnsentMedia()
        {
            var node = _outbox.First;
            while (node is not null)
            {
                var next = node.Next;
                if (node.Value is OutboundMedia)
                {
                    _outbox.Remove(node);
                }

                node = next;
            }
        }

        private ReplyProgress ProgressOf(ReplyTag reply)
        {
            if (!_progress.TryGetValue(reply.ReplyId, out var progress))
            {
                progress = new ReplyProgress();
                _progress[reply.ReplyId] = progress;
            }

            return progress;
        }

        private void PushOutbox()
        {
            if (_outbox.First is { } first && IsAvailable(_stage._out))
            {
                _outbox.RemoveFirst();
                Push(_stage._out, first.Value);
            }
        }

        private void PullIfRoom()
        {
            if (_queuedFrames < _maxBufferedFrames && !HasBeenPulled(_stage._in) && !IsClosed(_stage._in))
            {
                Pull(_stage._in);
            }
        }
    }
}
