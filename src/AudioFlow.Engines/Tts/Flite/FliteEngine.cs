using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AudioFlow.Engines.Tts.Flite;

/// <summary>
/// Process-wide Flite state: library initialisation, the registered voices and the lock that serialises
/// synthesis.
/// <para>
/// Thread safety: all syntheses, whatever the voice, run one at a time under <see cref="Gate"/>. A
/// per-voice lock is not enough: the US English voices share one lexicon and letter-to-sound rules,
/// Flite's <c>cst_val</c> reference counts are not atomic, the per-synthesis settings this class applies
/// (duration stretch, the streaming callback used for cancellation) live in the voice's shared feature
/// set, and the clustergen voices (slt, rms, awb) draw their noise excitation from the process-wide C
/// <c>rand()</c>, which is reseeded before each synthesis so a sentence always gives the same samples
/// (the same as the <c>flite</c> CLI). Flite runs at about 50× real time (slt, rms, awb) to several
/// hundred times (kal, kal16) on one core, so one sentence at a time is usually fine — roughly 50
/// simultaneous speaking slt calls per process; more would need several processes.
/// </para>
/// </summary>
internal static unsafe class FliteEngine
{
    /// <summary>Serialises every call into Flite.</summary>
    public static readonly Lock Gate = new();

    private const string EngineName = "flite";

    // Feature names handed to Flite are kept by pointer: allocate once, never free.
    private static readonly byte* DurationStretchName = AllocateName("duration_stretch");
    private static readonly byte* StreamingInfoName = AllocateName("streaming_info");
    private static readonly byte* SampleRateName = AllocateName("sample_rate");

    private static readonly Dictionary<string, FliteVoice> Voices = new(StringComparer.Ordinal);
    private static bool s_initialized;
    private static CancellationToken s_currentToken;
    private static bool s_aborted;

    /// <summary>Voice names <see cref="FliteOptions.Voice"/> accepts.</summary>
    public static IReadOnlyList<string> VoiceNames { get; } = ["slt", "kal", "kal16", "rms", "awb"];

    /// <summary>Initialises Flite if needed and registers <paramref name="name"/> (once per process).</summary>
    public static FliteVoice GetVoice(string name)
    {
        string key = name.Trim().ToLowerInvariant();
        string library = key switch
        {
            "slt" => FliteNative.SltLibrary,
            "kal" => FliteNative.KalLibrary,
            "kal16" => FliteNative.Kal16Library,
            "rms" => FliteNative.RmsLibrary,
            "awb" => FliteNative.AwbLibrary,
            _ => throw new SpeechSynthesisException(
                $"{EngineName}: unknown voice '{name}'. Available voices: {string.Join(", ", VoiceNames)} " +
                $"(all in `apt-get install {FliteNative.AptPackages}`)."),
        };

        lock (Gate)
        {
            if (Voices.TryGetValue(key, out FliteVoice? known))
            {
                return known;
            }

            NativeLibraryCheck.Require(EngineName, FliteNative.Library, FliteNative.AptPackages);
            NativeLibraryCheck.Require($"{EngineName} voice '{key}'", library, FliteNative.AptPackages);
            try
            {
                if (!s_initialized)
                {
                    FliteNative.Init();
                    s_initialized = true;
                }

                IntPtr handle = key switch
                {
                    "slt" => FliteNative.RegisterSlt(IntPtr.Zero),
                    "kal" => FliteNative.RegisterKal(IntPtr.Zero),
                    "kal16" => FliteNative.RegisterKal16(IntPtr.Zero),
                    "rms" => FliteNative.RegisterRms(IntPtr.Zero),
                    _ => FliteNative.RegisterAwb(IntPtr.Zero),
                };
                if (handle == IntPtr.Zero)
                {
                    throw new SpeechSynthesisException(
                        $"{EngineName}: registering the voice '{key}' from '{library}' failed. " +
                        $"Reinstall it with `apt-get install --reinstall {FliteNative.AptPackages}`.");
                }

                var voice = CreateVoice(key, handle);
                Voices.Add(key, voice);
                return voice;
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                throw NativeLibraryCheck.BindingFailed(EngineName, library, FliteNative.AptPackages, e);
            }
        }
    }

    /// <summary>
    /// Synthesises <paramref name="text"/> (already folded to ASCII, not empty) with <paramref name="voice"/>.
    /// <paramref name="durationStretch"/> null keeps the voice's own value.
    /// </summary>
    public static short[] Synthesize(FliteVoice voice, string text, float? durationStretch, bool deterministic, CancellationToken cancellationToken)
    {
        byte[] bytes = TtsText.ToNullTerminatedUtf8(text);
        short[] samples;
        bool aborted;
        CancellableLock.Enter(Gate, cancellationToken);
        try
        {
            ApplyDurationStretch(voice, durationStretch);
            if (deterministic)
            {
                FliteNative.SeedRandom(1);
            }

            s_currentToken = cancellationToken;
            s_aborted = false;
            FliteNative.CstWave* wave;
            try
            {
                fixed (byte* p = bytes)
                {
                    wave = FliteNative.TextToWave(p, voice.Handle);
                }
            }
            finally
            {
                aborted = s_aborted;
                s_currentToken = default;
                s_aborted = false;
            }

            try
            {
                samples = aborted ? [] : CopySamples(voice, wave);
            }
            finally
            {
                if (wave is not null)
                {
                    FliteNative.DeleteWave(wave);
                }
            }
        }
        finally
        {
            Gate.Exit();
        }

        if (aborted || (samples.Length == 0 && cancellationToken.IsCancellationRequested))
        {
            throw new OperationCanceledException("Speech synthesis was cancelled.", cancellationToken);
        }

        return samples;
    }

    private static short[] CopySamples(FliteVoice voice, FliteNative.CstWave* wave)
    {
        if (wave is null || wave->NumSamples <= 0 || wave->Samples is null)
        {
            return []; // nothing speakable
        }

        if (wave->SampleRate != voice.SampleRate || wave->NumChannels != 1)
        {
            throw new SpeechSynthesisException(
                $"{EngineName}: voice '{voice.Name}' returned {wave->NumChannels}-channel audio at {wave->SampleRate} Hz; " +
                $"expected mono at {voice.SampleRate} Hz.");
        }

        return new ReadOnlySpan<short>(wave->Samples, wave->NumSamples).ToArray();
    }

    /// <summary>Must hold <see cref="Gate"/>.</summary>
    private static FliteVoice CreateVoice(string name, IntPtr handle)
    {
        IntPtr features = ((FliteNative.CstVoiceHead*)handle)->Features;
        float originalStretch = FliteNative.GetParamFloat(features, DurationStretchName, float.NaN);
        int sampleRate = FliteNative.GetParamInt(features, SampleRateName, 0);
        var voice = new FliteVoice(name, handle, features, float.IsNaN(originalStretch) ? null : originalStretch, sampleRate);

        // Cancellation: Flite calls the streaming callback every 256 samples it generates and stops when it
        // returns CST_AUDIO_STREAM_STOP. The info block and its cst_val belong to the voice from now on.
        FliteNative.CstAudioStreamingInfo* streaming = FliteNative.NewAudioStreamingInfo();
        streaming->Callback = &OnAudioChunk;
        FliteNative.FeatSet(features, StreamingInfoName, FliteNative.AudioStreamingInfoVal(streaming));

        if (voice.SampleRate <= 0)
        {
            // No sample_rate feature: learn it from a first synthesis.
            fixed (byte* probe = "a\0"u8)
            {
                FliteNative.CstWave* wave = FliteNative.TextToWave(probe, handle);
                voice.SampleRate = wave is null ? 0 : wave->SampleRate;
                if (wave is not null)
                {
                    FliteNative.DeleteWave(wave);
                }
            }

            if (voice.SampleRate <= 0)
            {
                throw new SpeechSynthesisException($"{EngineName}: voice '{name}' produced no audio for a test word.");
            }
        }

        return voice;
    }

    /// <summary>Must hold <see cref="Gate"/>.</summary>
    private static void ApplyDurationStretch(FliteVoice voice, float? durationStretch)
    {
        float? wanted = durationStretch ?? voice.OriginalDurationStretch;
        if (wanted == voice.AppliedDurationStretch)
        {
            return;
        }

        if (wanted is { } value)
        {
            FliteNative.FeatSetFloat(voice.Features, DurationStretchName, value);
        }
        else
        {
            FliteNative.FeatRemove(voice.Features, DurationStretchName);
        }

        voice.AppliedDurationStretch = wanted;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int OnAudioChunk(FliteNative.CstWave* wave, int start, int size, int last, FliteNative.CstAudioStreamingInfo* info)
    {
        if (s_currentToken.IsCancellationRequested)
        {
            s_aborted = true;
            return FliteNative.StreamStop;
        }

        return FliteNative.StreamContinue;
    }

    private static byte* AllocateName(string name)
    {
        var bytes = (byte*)NativeMemory.Alloc((nuint)name.Length + 1);
        for (int i = 0; i < name.Length; i++)
        {
            bytes[i] = (byte)name[i];
        }

        bytes[name.Length] = 0;
        return bytes;
    }
}
