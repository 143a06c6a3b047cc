using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace AudioFlow.Engines.Stt.Sphinx;

/// <summary>
/// P/Invoke declarations for Debian's pocketsphinx / sphinxbase "5prealpha" C API
/// (<c>libpocketsphinx.so.3</c>, <c>libsphinxbase.so.3</c>; headers in /usr/include/pocketsphinx and
/// /usr/include/x86_64-linux-gnu/sphinxbase). Only what <see cref="SphinxRecognizer"/> needs.
/// All pointers to native objects are plain <see cref="IntPtr"/> here; ownership is expressed by
/// <see cref="SphinxDecoderHandle"/> and <see cref="SphinxConfigHandle"/>.
/// </summary>
internal static unsafe partial class SphinxNative
{
    public const string PocketSphinxLibrary = "libpocketsphinx.so.3";
    public const string SphinxBaseLibrary = "libsphinxbase.so.3";

    /// <summary>What to tell an operator when the libraries or the model are missing.</summary>
    public const string InstallHint = "install them with `apt-get install libpocketsphinx3 pocketsphinx-en-us`";

    /// <summary>err_lvl_t from sphinxbase/err.h.</summary>
    public enum ErrorLevel
    {
        Debug = 0,
        Info = 1,
        InfoCont = 2,
        Warn = 3,
        Error = 4,
        Fatal = 5,
    }

    // ---- sphinxbase: command line (configuration) -------------------------------------------------

    /// <summary>cmd_ln_t *cmd_ln_parse_r(cmd_ln_t *inout, arg_t const *defn, int32 argc, char *argv[], int32 strict)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "cmd_ln_parse_r")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr CmdLnParse(IntPtr inout, IntPtr definitions, int argc, byte** argv, int strict);

    /// <summary>int cmd_ln_free_r(cmd_ln_t *cmdln) — drops one reference.</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "cmd_ln_free_r")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int CmdLnFree(IntPtr config);

    /// <summary>char const *cmd_ln_str_r(cmd_ln_t *cmdln, char const *name)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "cmd_ln_str_r", StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr CmdLnString(IntPtr config, string name);

    /// <summary>double cmd_ln_float_r(cmd_ln_t *cmdln, char const *name)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "cmd_ln_float_r", StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial double CmdLnFloat(IntPtr config, string name);

    /// <summary>long cmd_ln_int_r(cmd_ln_t *cmdln, char const *name)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "cmd_ln_int_r", StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial CLong CmdLnInt(IntPtr config, string name);

    /// <summary>void cmd_ln_set_float_r(cmd_ln_t *cmdln, char const *name, double fv)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "cmd_ln_set_float_r", StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void CmdLnSetFloat(IntPtr config, string name, double value);

    /// <summary>cmd_ln_t *cmd_ln_retain(cmd_ln_t *cmdln)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "cmd_ln_retain")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr CmdLnRetain(IntPtr config);

    // ---- sphinxbase: logging ----------------------------------------------------------------------

    /// <summary>
    /// void err_set_callback(err_cb_f callback, void *user_data); the callback is
    /// <c>void (*)(void *user_data, err_lvl_t, const char *fmt, ...)</c>.
    /// </summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "err_set_callback")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void ErrSetCallback(IntPtr callback, IntPtr userData);

    /// <summary>void err_set_logfp(FILE *stream); NULL disables logging entirely.</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "err_set_logfp")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void ErrSetLogFile(IntPtr stream);

    // ---- sphinxbase: log math, cepstral mean normalisation ----------------------------------------

    /// <summary>float64 logmath_exp(logmath_t *lmath, int logb_p)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "logmath_exp")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial double LogMathExp(IntPtr logMath, int logValue);

    /// <summary>float64 logmath_log_to_ln(logmath_t *lmath, int logb_p)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "logmath_log_to_ln")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial double LogMathToNaturalLog(IntPtr logMath, int logValue);

    /// <summary>void cmn_live_set(cmn_t *cmn, mfcc_t const *vec) — mfcc_t is float (FIXED_POINT is off in Debian's build).</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "cmn_live_set")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void CmnLiveSet(IntPtr cmn, float* vector);

    /// <summary>void cmn_live_get(cmn_t *cmn, mfcc_t *vec)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "cmn_live_get")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void CmnLiveGet(IntPtr cmn, float* vector);

    // ---- sphinxbase: front end (used to compute an utterance's cepstral mean) -----------------------

    /// <summary>fe_t *fe_init_auto_r(cmd_ln_t *config) — takes over one reference to config.</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "fe_init_auto_r")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr FeInit(IntPtr config);

    /// <summary>int fe_free(fe_t *fe)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "fe_free")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int FeFree(IntPtr fe);

    /// <summary>void fe_start_stream(fe_t *fe)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "fe_start_stream")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void FeStartStream(IntPtr fe);

    /// <summary>int fe_start_utt(fe_t *fe)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "fe_start_utt")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int FeStartUtt(IntPtr fe);

    /// <summary>int fe_get_output_size(fe_t *fe) — values per cepstral frame.</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "fe_get_output_size")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int FeGetOutputSize(IntPtr fe);

    /// <summary>int fe_process_utt(fe_t *fe, int16 const *spch, size_t nsamps, mfcc_t ***cep_block, int32 *nframes) — block freed with fe_free_2d.</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "fe_process_utt")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int FeProcessUtt(IntPtr fe, short* samples, nuint count, float*** cepstra, int* frames);

    /// <summary>int fe_end_utt(fe_t *fe, mfcc_t *out_cepvector, int32 *out_nframes)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "fe_end_utt")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int FeEndUtt(IntPtr fe, float* lastFrame, int* frames);

    /// <summary>void fe_free_2d(void *arr)</summary>
    [LibraryImport(SphinxBaseLibrary, EntryPoint = "fe_free_2d")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void FeFree2d(void* array);

    // ---- pocketsphinx: decoder ---------------------------------------------------------------------

    /// <summary>arg_t const *ps_args(void) — the argument definitions for <see cref="CmdLnParse"/>.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_args")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr PsArgs();

    /// <summary>ps_decoder_t *ps_init(cmd_ln_t *config) — retains the config; NULL on failure.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_init")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr PsInit(IntPtr config);

    /// <summary>int ps_free(ps_decoder_t *ps)</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_free")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsFree(IntPtr decoder);

    /// <summary>cmd_ln_t *ps_get_config(ps_decoder_t *ps) — borrowed.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_get_config")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr PsGetConfig(IntPtr decoder);

    /// <summary>logmath_t *ps_get_logmath(ps_decoder_t *ps) — borrowed.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_get_logmath")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr PsGetLogMath(IntPtr decoder);

    /// <summary>feat_t *ps_get_feat(ps_decoder_t *ps) — borrowed.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_get_feat")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr PsGetFeat(IntPtr decoder);

    /// <summary>fe_t *ps_get_fe(ps_decoder_t *ps) — borrowed.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_get_fe")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr PsGetFe(IntPtr decoder);

    /// <summary>int ps_add_word(ps_decoder_t *ps, char const *word, char const *phones, int update) — word id or &lt;0.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_add_word", StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsAddWord(IntPtr decoder, string word, string phones, int update);

    /// <summary>char *ps_lookup_word(ps_decoder_t *ps, const char *word) — malloc'ed phone string or NULL.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_lookup_word", StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr PsLookupWord(IntPtr decoder, string word);

    /// <summary>int ps_start_stream(ps_decoder_t *ps) — resets the front end's noise / VAD state.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_start_stream")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsStartStream(IntPtr decoder);

    /// <summary>int ps_start_utt(ps_decoder_t *ps)</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_start_utt")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsStartUtt(IntPtr decoder);

    /// <summary>int ps_process_raw(ps_decoder_t *ps, int16 const *data, size_t n_samples, int no_search, int full_utt) — frames processed or &lt;0.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_process_raw")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsProcessRaw(IntPtr decoder, short* data, nuint samples, int noSearch, int fullUtterance);

    /// <summary>int ps_end_utt(ps_decoder_t *ps)</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_end_utt")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsEndUtt(IntPtr decoder);

    /// <summary>char const *ps_get_hyp(ps_decoder_t *ps, int32 *out_best_score) — borrowed string or NULL.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_get_hyp")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr PsGetHyp(IntPtr decoder, int* bestScore);

    /// <summary>int32 ps_get_prob(ps_decoder_t *ps) — log posterior of the hypothesis (logmath base).</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_get_prob")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsGetProb(IntPtr decoder);

    /// <summary>int ps_get_n_frames(ps_decoder_t *ps)</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_get_n_frames")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsGetFrameCount(IntPtr decoder);

    /// <summary>ps_seg_t *ps_seg_iter(ps_decoder_t *ps) — NULL if no hypothesis.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_seg_iter")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr PsSegIter(IntPtr decoder);

    /// <summary>ps_seg_t *ps_seg_next(ps_seg_t *seg) — frees the iterator and returns NULL at the end.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_seg_next")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr PsSegNext(IntPtr segment);

    /// <summary>char const *ps_seg_word(ps_seg_t *seg)</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_seg_word")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr PsSegWord(IntPtr segment);

    /// <summary>void ps_seg_frames(ps_seg_t *seg, int *out_sf, int *out_ef)</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_seg_frames")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void PsSegFrames(IntPtr segment, int* startFrame, int* endFrame);

    /// <summary>int32 ps_seg_prob(ps_seg_t *seg, int32 *out_ascr, int32 *out_lscr, int32 *out_lback)</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_seg_prob")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsSegProb(IntPtr segment, int* acousticScore, int* languageScore, int* languageBackoff);

    /// <summary>void ps_seg_free(ps_seg_t *seg) — for an iterator abandoned before its end.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_seg_free")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial void PsSegFree(IntPtr segment);

    // ---- pocketsphinx: searches (ps_search.h) -----------------------------------------------------

    /// <summary>int ps_set_search(ps_decoder_t *ps, const char *name) — only between utterances.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_set_search", StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsSetSearch(IntPtr decoder, string name);

    /// <summary>const char *ps_get_search(ps_decoder_t *ps)</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_get_search")]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial IntPtr PsGetSearch(IntPtr decoder);

    /// <summary>int ps_unset_search(ps_decoder_t *ps, const char *name)</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_unset_search", StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsUnsetSearch(IntPtr decoder, string name);

    /// <summary>int ps_set_jsgf_string(ps_decoder_t *ps, const char *name, const char *jsgf_string)</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_set_jsgf_string", StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsSetJsgfString(IntPtr decoder, string name, string jsgf);

    /// <summary>int ps_set_lm_file(ps_decoder_t *ps, const char *name, const char *path)</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_set_lm_file", StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsSetLmFile(IntPtr decoder, string name, string path);

    /// <summary>int ps_set_allphone_file(ps_decoder_t *ps, const char *name, const char *path) — phone-loop search.</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_set_allphone_file", StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsSetAllphoneFile(IntPtr decoder, string name, string? path);

    /// <summary>int ps_set_keyphrase(ps_decoder_t *ps, const char *name, const char *keyphrase)</summary>
    [LibraryImport(PocketSphinxLibrary, EntryPoint = "ps_set_keyphrase", StringMarshalling = StringMarshalling.Utf8)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    public static partial int PsSetKeyphrase(IntPtr decoder, string name, string keyphrase);

    // ---- helpers ------------------------------------------------------------------------------------

    /// <summary>UTF-8 C string to managed (null for NULL).</summary>
    public static string? PtrToString(IntPtr value) => value == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(value);

    /// <summary>Whether both native libraries can be loaded; <paramref name="missing"/> names the first that cannot.</summary>
    public static bool TryLoadLibraries(out string? missing)
    {
        foreach (var library in new[] { SphinxBaseLibrary, PocketSphinxLibrary })
        {
            if (!NativeLibrary.TryLoad(library, typeof(SphinxNative).Assembly, null, out _))
            {
                missing = library;
                return false;
            }
        }

        missing = null;
        return true;
    }
}

/// <summary>Owns a <c>cmd_ln_t*</c> and the native argv strings it was parsed from (cmd_ln may keep pointers into them).</summary>
internal sealed unsafe class SphinxConfigHandle : SafeHandle
{
    private byte** _argv;
    private int _argc;

    private SphinxConfigHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Parses "-name value" pairs against pocketsphinx's argument definitions (strict: unknown names fail).</summary>
    public static SphinxConfigHandle Parse(IReadOnlyList<string> arguments)
    {
        var result = new SphinxConfigHandle();
        result._argc = arguments.Count;
        result._argv = (byte**)NativeMemory.AllocZeroed((nuint)(arguments.Count + 1), (nuint)sizeof(byte*));
        for (var i = 0; i < arguments.Count; i++)
        {
            result._argv[i] = (byte*)Marshal.StringToCoTaskMemUTF8(arguments[i]);
        }

        var config = SphinxNative.CmdLnParse(IntPtr.Zero, SphinxNative.PsArgs(), arguments.Count, result._argv, strict: 1);
        result.SetHandle(config);
        return result;
    }

    protected override bool ReleaseHandle()
    {
        if (handle != IntPtr.Zero)
        {
            SphinxNative.CmdLnFree(handle);
        }

        FreeArguments();
        return true;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);

        // ReleaseHandle is not called for an invalid handle (parsing failed): free the argv copy here.
        if (IsInvalid)
        {
            FreeArguments();
        }
    }

    private void FreeArguments()
    {
        if (_argv == null)
        {
            return;
        }

        for (var i = 0; i < _argc; i++)
        {
            Marshal.FreeCoTaskMem((IntPtr)_argv[i]);
        }

        NativeMemory.Free(_argv);
        _argv = null;
    }
}

/// <summary>
/// Owns a <c>ps_decoder_t*</c>; releasing it calls <c>ps_free</c>. It holds a reference on the config
/// handle it was created from, so the config (and the argv strings behind it) outlives the decoder even
/// when both are finalised.
/// </summary>
internal sealed class SphinxDecoderHandle : SafeHandle
{
    private SphinxConfigHandle? _config;

    private SphinxDecoderHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static SphinxDecoderHandle Create(SphinxConfigHandle config)
    {
        var result = new SphinxDecoderHandle();
        var added = false;
        config.DangerousAddRef(ref added);
        var decoder = SphinxNative.PsInit(config.DangerousGetHandle());
        if (decoder == IntPtr.Zero)
        {
            config.DangerousRelease();
            return result;
        }

        result._config = config;
        result.SetHandle(decoder);
        return result;
    }

    protected override bool ReleaseHandle()
    {
        SphinxNative.PsFree(handle);
        _config?.DangerousRelease();
        return true;
    }
}
