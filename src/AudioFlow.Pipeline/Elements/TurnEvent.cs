using AudioFlow.Engines.Stt;
using AudioFlow.Pipeline.Calls;

namespace AudioFlow.Pipeline.Elements;

/// <summary>What the turn detector and the recogniser tell the agent stage.</summary>
public abstract record ConversationEvent;

/// <summary>The caller started speaking (confirmed onset). <see cref="FrameIndex"/> is the first speech frame.</summary>
public sealed record CallerSpeechStarted(long FrameIndex) : ConversationEvent;

/// <summary>Speech that interrupted the agent ended too short to be a turn (a cough, a noise): a false barge-in.</summary>
public sealed record CallerFalseStart(long FrameIndex) : ConversationEvent;

/// <summary>
/// The caller's turn ended: the utterance's PCM at the VAD rate (pre-roll included) and its timing record.
/// Consumed by the speech-to-text stage, which turns it into <see cref="CallerTurnRecognized"/>.
/// </summary>
public sealed record CallerUtterance(short[] Pcm, int SampleRate, TurnRecord Turn) : ConversationEvent;

/// <summary>The recogniser's transcript of a finished caller turn.</summary>
public sealed record CallerTurnRecognized(Transcript Transcript, TurnRecord Turn) : ConversationEvent;

/// <summary>The caller pressed a key.</summary>
public sealed record CallerDtmf(char Digit, string Source) : ConversationEvent;

/// <summary>A transfer the agent requested finished.</summary>
public sealed record TransferFinished(string Target, bool Succeeded, string Detail) : ConversationEvent;
