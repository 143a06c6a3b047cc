using System.Runtime.InteropServices;

namespace AudioFlow.Engines.Tts.Flite;

/// <summary>
/// P/Invoke declarations for Flite 2.2 (<c>libflite.so.1</c>, headers /usr/include/flite) and the voice
/// libraries of Debian's libflite1 (<c>libflite_cmu_us_{slt,kal,kal16,rms,awb}.so.1</c>, each exporting
/// <c>cst_voice *register_cmu_us_X(const char *voxdir)</c>). Only what <see cref="FliteSynthesizer"/> needs.
/// <para>
/// Flite stores feature <em>names</em> by pointer (feat_set keeps the <c>const char *</c> it is given), so
/// every name passed to a feat_set function must stay valid for the life of the process: see
/// <see cref="FliteEngine"/>, which allocates them once and never frees them.
/// </para>
/// </summary>
internal static unsafe class FliteNative
{
    public const string Library = "libflite.so.1";

    /// <summary>The Debian package with libflite.so.1 and all the voice libraries.</summary>
    public const string AptPackages = "libflite1";

    public const string SltLibrary = "libflite_cmu_us_slt.so.1";
    public const string KalLibrary = "libflite_cmu_us_kal.so.1";
    public const string Kal16Library = "libflite_cmu_us_kal16.so.1";
    public const string RmsLibrary = "libflite_cmu_us_rms.so.1";
    public const string AwbLibrary = "libflite_cmu_us_awb.so.1";

    /// <summary>CST_AUDIO_STREAM_CONT / CST_AUDIO_STREAM_STOP (cst_audio.h).</summary>
    public const int StreamContinue = 0;
    public const int StreamStop = -1;

    /// <summary>cst_wave (cst_wave.h): const char *type; int sample_rate; int num_samples; int num_channels; short *samples.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CstWave
    {
        public IntPtr Type;
        public int SampleRate;
        public int NumSamples;
        public int NumChannels;
        public short* Samples;
    }

    /// <summary>The head of cst_voice (cst_voice.h): const char *name; cst_features *features; ...</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CstVoiceHead
    {
        public IntPtr Name;
        public IntPtr Features;
        public IntPtr FFunctions;
    }

    /// <summary>
    /// cst_audio_streaming_info (cst_audio.h): int min_buffsize; int (*asc)(const cst_wave *w, int start,
    /// int size, int last, cst_audio_streaming_info *asi); const cst_utterance *utt; const cst_item *item; void *userdata.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct CstAudioStreamingInfo
    {
        public int MinBufferSize;
        public delegate* unmanaged[Cdecl]<CstWave*, int, int, int, CstAudioStreamingInfo*, int> Callback;
        public IntPtr Utterance;
        public IntPtr Item;
        public IntPtr UserData;
    }

    /// <summary>int flite_init(void).</summary>
    [DllImport(Library, EntryPoint = "flite_init")]
    public static extern int Init();

    /// <summary>cst_wave *flite_text_to_wave(const char *text, cst_voice *voice) — caller frees with delete_wave.</summary>
    [DllImport(Library, EntryPoint = "flite_text_to_wave")]
    public static extern CstWave* TextToWave(byte* text, IntPtr voice);

    /// <summary>void delete_wave(cst_wave *val).</summary>
    [DllImport(Library, EntryPoint = "delete_wave")]
    public static extern void DeleteWave(CstWave* wave);

    /// <summary>void flite_feat_set_float(cst_features *f, const char *name, float v) — name must outlive f.</summary>
    [DllImport(Library, EntryPoint = "flite_feat_set_float")]
    public static extern void FeatSetFloat(IntPtr features, byte* name, float value);

    /// <summary>void flite_feat_set(cst_features *f, const char *name, const cst_val *v) — name must outlive f.</summary>
    [DllImport(Library, EntryPoint = "flite_feat_set")]
    public static extern void FeatSet(IntPtr features, byte* name, IntPtr value);

    /// <summary>int flite_feat_remove(cst_features *f, const char *name).</summary>
    [DllImport(Library, EntryPoint = "flite_feat_remove")]
    public static extern int FeatRemove(IntPtr features, byte* name);

    /// <summary>float flite_get_param_float(const cst_features *f, const char *name, float def).</summary>
    [DllImport(Library, EntryPoint = "flite_get_param_float")]
    public static extern float GetParamFloat(IntPtr features, byte* name, float defaultValue);

    /// <summary>int flite_get_param_int(const cst_features *f, const char *name, int def).</summary>
    [DllImport(Library, EntryPoint = "flite_get_param_int")]
    public static extern int GetParamInt(IntPtr features, byte* name, int defaultValue);

    /// <summary>cst_audio_streaming_info *new_audio_streaming_info(void) — min_buffsize 256, no callback.</summary>
    [DllImport(Library, EntryPoint = "new_audio_streaming_info")]
    public static extern CstAudioStreamingInfo* NewAudioStreamingInfo();

    /// <summary>cst_val *audio_streaming_info_val(const cst_audio_streaming_info *v) — wraps it for feat_set.</summary>
    [DllImport(Library, EntryPoint = "audio_streaming_info_val")]
    public static extern IntPtr AudioStreamingInfoVal(CstAudioStreamingInfo* info);

    [DllImport(SltLibrary, EntryPoint = "register_cmu_us_slt")]
    public static extern IntPtr RegisterSlt(IntPtr voxDirectory);

    [DllImport(KalLibrary, EntryPoint = "register_cmu_us_kal")]
    public static extern IntPtr RegisterKal(IntPtr voxDirectory);

    [DllImport(Kal16Library, EntryPoint = "register_cmu_us_kal16")]
    public static extern IntPtr RegisterKal16(IntPtr voxDirectory);

    [DllImport(RmsLibrary, EntryPoint = "register_cmu_us_rms")]
    public static extern IntPtr RegisterRms(IntPtr voxDirectory);

    [DllImport(AwbLibrary, EntryPoint = "register_cmu_us_awb")]
    public static extern IntPtr RegisterAwb(IntPtr voxDirectory);

    /// <summary>void srand(unsigned int seed) from glibc: Flite's clustergen vocoder draws its noise excitation from rand().</summary>
    [DllImport("libc.so.6", EntryPoint = "srand")]
    public static extern void SeedRandom(uint seed);
}
