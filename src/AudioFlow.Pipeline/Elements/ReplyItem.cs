using AudioFlow.Audio.Channel;
using AudioFlow.Pipeline.Calls;

namespace AudioFlow.Pipeline.Elements;

/// <summary>
/// Identifies one agent reply. <see cref="Epoch"/> is the call's interruption epoch when the reply started: once the
/// caller barges in the epoch moves on and every stage drops items of older epochs. <see cref="Turn"/> is the caller
/// turn the reply answers (null for the greeting or a no-input reprompt).
/// </summary>
public sealed record ReplyTag(long Epoch, int ReplyId, TurnRecord? Turn);

/// <summary>Items flowing from the agent through TTS, resampling and encoding into the paced playout.</summary>
public abstract record ReplyItem(ReplyTag Reply);

/// <summary>A sentence to synthesise (<see cref="Index"/> counts sentences within the reply).</summary>
public sealed record ReplySentence(ReplyTag Reply, int Index, string Text) : ReplyItem(Reply);

/// <summary>Synthesised speech for one sentence, PCM16 mono at <see cref="SampleRate"/>.</summary>
public sealed record ReplySpeech(ReplyTag Reply, int Index, string Text, short[] Pcm, int SampleRate) : ReplyItem(Reply);

/// <summary>One sentence encoded for the wire as 20 ms frames.</summary>
public sealed record ReplyEncodedSpeech(ReplyTag Reply, int Index, string Text, IReadOnlyList<byte[]> Frames) : ReplyItem(Reply);

/// <summary>A call-control command (transfer, hang up) to send once everything before it has been played.</summary>
public sealed record ReplyCommand(ReplyTag Reply, OutboundCommand Command) : ReplyItem(Reply);

/// <summary>The end of a reply: after its last frame plays, the agent is told the reply was heard in full.</summary>
public sealed record ReplyEnd(ReplyTag Reply, string FullText) : ReplyItem(Reply);
