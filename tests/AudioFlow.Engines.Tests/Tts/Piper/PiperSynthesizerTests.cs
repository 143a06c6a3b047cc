using System.Text;
using System.Text.Json.Nodes;
using AudioFlow.Engines.Tts;
using AudioFlow.Engines.Tts.Piper;
using Xunit;

namespace AudioFlow.Engines.Tests.Tts.Piper;

/// <summary>
/// Piper on ONNX Runtime against a stand-in voice (<see cref="PiperTestVoice"/>: Piper's exact model signature,
/// echoing its inputs as audio). "text" voices need no eSpeak; the espeak-voice tests need libespeak-ng and run
/// in the native TTS collection (eSpeak NG is process-global).
/// </summary>
[Collection(NativeTtsCollection.Name)]
public sealed class PiperSynthesizerTests : IDisposable
{
    private readonly TempVoiceDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Ids_follow_pipers_interleaving_rule()
    {
        // "həlˈoʊ": ^ _ then each phoneme followed by _, then $ (no pad after the end).
        long[] ids = PiperPhonemeIds.ToIds("həlˈoʊ", PiperTestVoice.IdMap);

        Assert.Equal(new long[] { 1, 0, 20, 0, 59, 0, 24, 0, 120, 0, 27, 0, 100, 0, 2 }, ids);
    }

    [Fact]
    public void Multi_id_phonemes_and_unknown_phonemes()
    {
        var map = new Dictionary<Rune, long[]>(PiperTestVoice.IdMap) { [new Rune('ʁ')] = [7, 8] };
        var missing = new Dictionary<Rune, int>();

        long[] ids = PiperPhonemeIds.ToIds("aʁ€b€", map, missing);

        Assert.Equal(new long[] { 1, 0, 14, 0, 7, 8, 0, 15, 0, 2 }, ids);
        Assert.Equal(2, missing[new Rune('€')]);
    }

    [Fact]
    public void Text_voice_output_has_the_expected_length_and_carries_the_interleaved_ids()
    {
        string model = PiperTestVoice.Write(_dir.Path, "en_US-test-medium", phonemeType: "text");
        using var piper = new PiperSynthesizer(new PiperOptions { ModelPath = model });

        short[] pcm = piper.Synthesize("Hello world", CancellationToken.None);

        // "text" voices use the lower-cased characters as phonemes.
        long[] expected = PiperPhonemeIds.ToIds("hello world", PiperTestVoice.IdMap);
        var echo = PiperTestVoice.Decode(pcm, multiSpeaker: false);
        Assert.Equal(expected, echo.Ids);
        Assert.Equal(expected.Length, echo.Length);
        Assert.Equal(PiperTestVoice.ExpectedSamples(expected.Length, 1f, false), pcm.Length);
        Assert.Equal(expected.Length * PiperTestVoice.SamplesPerId, echo.TailSamples);
        Assert.Equal(0.667f, echo.Scales[0], 0.002f);
        Assert.Equal(1f, echo.Scales[1], 0.002f);
        Assert.Equal(0.8f, echo.Scales[2], 0.002f);
        Assert.Equal(22050, piper.SampleRate);
        Assert.Equal("piper/en_US-test-medium", piper.Name);

        // Piper's peak normalisation: the model's peak (1.0) becomes full scale, the 0.25 tail a quarter of it.
        Assert.Equal(short.MaxValue, pcm[0]);
        Assert.Equal((short)(TailLevelTimesFullScale()), pcm[^1]);
    }

    [Fact]
    public void Length_scale_changes_duration()
    {
        string model = PiperTestVoice.Write(_dir.Path, "voice", phonemeType: "text");
        using var normal = new PiperSynthesizer(new PiperOptions { ModelPath = model });
        using var slow = new PiperSynthesizer(new PiperOptions { ModelPath = model, LengthScale = 2f });
        using var fast = new PiperSynthesizer(new PiperOptions { ModelPath = model, LengthScale = 0.5f });

        var a = PiperTestVoice.Decode(normal.Synthesize("good morning", CancellationToken.None), false);
        var b = PiperTestVoice.Decode(slow.Synthesize("good morning", CancellationToken.None), false);
        var c = PiperTestVoice.Decode(fast.Synthesize("good morning", CancellationToken.None), false);

        Assert.Equal(2f, b.Scales[1], 0.002f);
        Assert.Equal(2 * a.TailSamples, b.TailSamples);
        Assert.Equal(a.TailSamples / 2, c.TailSamples);

        // The config's own length_scale is used when not overridden.
        string slowVoice = PiperTestVoice.Write(_dir.Path, "slow-voice", phonemeType: "text", lengthScale: 1.5f);
        using var configured = new PiperSynthesizer(new PiperOptions { ModelPath = slowVoice });
        var d = PiperTestVoice.Decode(configured.Synthesize("good morning", CancellationToken.None), false);
        Assert.Equal(1.5f, d.Scales[1], 0.002f);
        Assert.Equal((int)Math.Floor(a.Length * 1.5f * PiperTestVoice.SamplesPerId), d.TailSamples);
    }

    [Fact]
    public void Multi_speaker_voices_get_a_sid()
    {
        string model = PiperTestVoice.Write(_dir.Path, "en_US-many-medium", multiSpeaker: true, phonemeType: "text");
        using var byDefault = new PiperSynthesizer(new PiperOptions { ModelPath = model });
        using var bob = new PiperSynthesizer(new PiperOptions { ModelPath = model, Speaker = "bob" });
        using var byNumber = new PiperSynthesizer(new PiperOptions { ModelPath = model, Speaker = "2" });

        Assert.Equal(0, PiperTestVoice.Decode(byDefault.Synthesize("hi there", CancellationToken.None), true).SpeakerId);
        var echo = PiperTestVoice.Decode(bob.Synthesize("hi there", CancellationToken.None), true);
        Assert.Equal(3, echo.SpeakerId);
        Assert.Equal(3, bob.SpeakerId);
        Assert.Equal(PiperPhonemeIds.ToIds("hi there", PiperTestVoice.IdMap), echo.Ids);
        Assert.Equal(2, PiperTestVoice.Decode(byNumber.Synthesize("hi there", CancellationToken.None), true).SpeakerId);

        var unknown = Assert.Throws<SpeechSynthesisException>(() => new PiperSynthesizer(new PiperOptions { ModelPath = model, Speaker = "dave" }));
        Assert.Contains("dave", unknown.Message);
        Assert.Contains("alice", unknown.Message);
    }

    [Fact]
    public void Unknown_phonemes_are_skipped_and_reported()
    {
        string model = PiperTestVoice.Write(_dir.Path, "voice", phonemeType: "text");
        using var piper = new PiperSynthesizer(new PiperOptions { ModelPath = model });

        var echo = PiperTestVoice.Decode(piper.Synthesize("a+b=c", CancellationToken.None), false);

        Assert.Equal(PiperPhonemeIds.ToIds("abc", PiperTestVoice.IdMap), echo.Ids);
        Assert.Equal(1, piper.UnknownPhonemes["+"]);
        Assert.Equal(1, piper.UnknownPhonemes["="]);
        Assert.Empty(piper.Synthesize("+=+", CancellationToken.None));
        Assert.Empty(piper.Synthesize("   ", CancellationToken.None));
    }

    [Fact]
    public void Text_voices_decompose_accented_letters_like_piper()
    {
        string model = PiperTestVoice.Write(_dir.Path, "voice", phonemeType: "text");
        using var piper = new PiperSynthesizer(new PiperOptions { ModelPath = model });

        // NFD: "ç" is c + U+0327 and "ã" is a + U+0303, both in the map.
        Assert.Equal(new[] { "c\u0327a\u0303o" }, piper.Phonemize("Ção"));
        Assert.Equal(PiperPhonemeIds.ToIds("c\u0327a\u0303o", PiperTestVoice.IdMap), piper.PhonemeIds("Ção").Single());
    }

    [Fact]
    public void Missing_files_name_the_file()
    {
        string missingModel = Path.Combine(_dir.Path, "nope.onnx");
        var e = Assert.Throws<SpeechSynthesisException>(() => new PiperSynthesizer(new PiperOptions { ModelPath = missingModel }));
        Assert.Contains(missingModel, e.Message);

        string model = PiperTestVoice.Write(_dir.Path, "voice", phonemeType: "text");
        File.Delete(model + ".json");
        e = Assert.Throws<SpeechSynthesisException>(() => new PiperSynthesizer(new PiperOptions { ModelPath = model }));
        Assert.Contains(model + ".json", e.Message);

        File.WriteAllText(model + ".json", "{ \"audio\": ");
        e = Assert.Throws<SpeechSynthesisException>(() => new PiperSynthesizer(new PiperOptions { ModelPath = model }));
        Assert.Contains(model + ".json", e.Message);
        Assert.Contains("JSON", e.Message);

        File.WriteAllText(model + ".json", "{ \"audio\": { \"sample_rate\": 22050 } }");
        e = Assert.Throws<SpeechSynthesisException>(() => new PiperSynthesizer(new PiperOptions { ModelPath = model }));
        Assert.Contains("phoneme_id_map", e.Message);

        File.WriteAllBytes(model, [1, 2, 3, 4]);
        string config = PiperTestVoice.Write(_dir.Path, "other", phonemeType: "text") + ".json";
        e = Assert.Throws<SpeechSynthesisException>(() => new PiperSynthesizer(new PiperOptions { ModelPath = model, ConfigPath = config }));
        Assert.Contains(model, e.Message);
    }

    [Fact]
    public void Mismatched_model_and_config_are_refused()
    {
        // A multi-speaker config next to a single-speaker model.
        string single = PiperTestVoice.Write(_dir.Path, "single", phonemeType: "text");
        string multiConfig = PiperTestVoice.Write(_dir.Path, "multi", multiSpeaker: true, phonemeType: "text") + ".json";
        var e = Assert.Throws<SpeechSynthesisException>(() => new PiperSynthesizer(new PiperOptions { ModelPath = single, ConfigPath = multiConfig }));
        Assert.Contains(single, e.Message);
        Assert.Contains(multiConfig, e.Message);
        Assert.Contains("sid", e.Message);

        // And the reverse.
        string multi = Path.ChangeExtension(multiConfig, null);
        e = Assert.Throws<SpeechSynthesisException>(() => new PiperSynthesizer(new PiperOptions { ModelPath = multi, ConfigPath = single + ".json" }));
        Assert.Contains("single speaker", e.Message);

        // A model that isn't a Piper export at all.
        string other = Path.Combine(_dir.Path, "other.onnx");
        new OnnxModelWriter()
            .Input("x", OnnxModelWriter.Float, 1)
            .Output("y", OnnxModelWriter.Float, 1)
            .Node("Identity", ["x"], ["y"])
            .Save(other);
        e = Assert.Throws<SpeechSynthesisException>(() => new PiperSynthesizer(new PiperOptions { ModelPath = other, ConfigPath = single + ".json" }));
        Assert.Contains(other, e.Message);
        Assert.Contains("'input'", e.Message);
    }

    [Fact]
    public void Unsupported_phoneme_types_are_refused_at_load()
    {
        string model = PiperTestVoice.Write(_dir.Path, "zh", editConfig: c => c["phoneme_type"] = "pinyin");
        var e = Assert.Throws<SpeechSynthesisException>(() => new PiperSynthesizer(new PiperOptions { ModelPath = model }));
        Assert.Contains("pinyin", e.Message);
        Assert.Contains(model + ".json", e.Message);
    }

    [Fact]
    public void Cancelled_synthesis_throws()
    {
        string model = PiperTestVoice.Write(_dir.Path, "voice", phonemeType: "text");
        using var piper = new PiperSynthesizer(new PiperOptions { ModelPath = model });
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => piper.Synthesize("hello", cts.Token));
    }

    [EspeakFact]
    public void Espeak_voice_phonemises_like_piper_and_synthesises_a_sentence()
    {
        string model = PiperTestVoice.Write(_dir.Path, "en_US-test-medium");
        using var piper = new PiperSynthesizer(new PiperOptions { ModelPath = model });

        // espeak-ng's IPA for the sentence, with the terminator appended as a phoneme, as piper-phonemize does.
        Assert.Equal(new[] { "həlˈoʊ wˈɜːld." }, piper.Phonemize("Hello world."));

        short[] pcm = piper.Synthesize("Hello world.", CancellationToken.None);
        long[] expected = PiperPhonemeIds.ToIds("həlˈoʊ wˈɜːld.", PiperTestVoice.IdMap);
        var echo = PiperTestVoice.Decode(pcm, multiSpeaker: false);
        Assert.Equal(expected, echo.Ids);
        Assert.Equal(PiperTestVoice.ExpectedSamples(expected.Length, 1f, false), pcm.Length);
        Assert.Empty(piper.UnknownPhonemes);
    }

    [EspeakFact]
    public void Espeak_clauses_and_sentences()
    {
        string model = PiperTestVoice.Write(_dir.Path, "voice");
        using var piper = new PiperSynthesizer(new PiperOptions { ModelPath = model, SentenceSilence = TimeSpan.FromMilliseconds(100) });

        // A comma becomes ", "; '.', '?' and '!' end a sentence, and each sentence is one inference.
        IReadOnlyList<string> phonemes = piper.Phonemize("Hello, world. How are you?");
        Assert.Equal(2, phonemes.Count);
        Assert.StartsWith("həlˈoʊ, w", phonemes[0]);
        Assert.EndsWith(".", phonemes[0]);
        Assert.EndsWith("?", phonemes[1]);

        IReadOnlyList<long[]> ids = piper.PhonemeIds("Hello, world. How are you?");
        short[] pcm = piper.Synthesize("Hello, world. How are you?", CancellationToken.None);
        int first = PiperTestVoice.ExpectedSamples(ids[0].Length, 1f, false);
        int second = PiperTestVoice.ExpectedSamples(ids[1].Length, 1f, false);
        int gap = 22050 / 10;
        Assert.Equal(first + gap + second, pcm.Length);
        Assert.Equal(ids[0], PiperTestVoice.Decode(pcm[..first], false).Ids);
        Assert.Equal(ids[1], PiperTestVoice.Decode(pcm[(first + gap)..], false).Ids);
        Assert.All(pcm[first..(first + gap)], s => Assert.Equal(0, s));
    }

    [EspeakFact]
    public void Espeak_and_piper_share_the_engine()
    {
        string model = PiperTestVoice.Write(_dir.Path, "voice");
        using var piper = new PiperSynthesizer(new PiperOptions { ModelPath = model });
        using var espeak = new AudioFlow.Engines.Tts.Espeak.EspeakSynthesizer(new AudioFlow.Engines.Tts.Espeak.EspeakOptions { Voice = "en-gb" });

        // Interleaved use from several threads: phonemisation and eSpeak's own synthesis take turns on the one engine.
        var phonemes = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, i =>
        {
            if (i % 2 == 0)
            {
                phonemes.Add(piper.Phonemize("Hello world.").Single());
            }
            else
            {
                Assert.NotEmpty(espeak.Synthesize("Good morning.", CancellationToken.None));
            }
        });

        Assert.All(phonemes, p => Assert.Equal("həlˈoʊ wˈɜːld.", p));
    }

    private static int TailLevelTimesFullScale() => (int)(PiperTestVoice.TailLevel * 32767f);
}
