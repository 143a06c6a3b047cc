using System.Text.Json;
using System.Text.Json.Nodes;
using AudioFlow.Engines.Stt;
using AudioFlow.Engines.Stt.Whisper;
using Xunit;
using Xunit.Abstractions;

namespace AudioFlow.Engines.Tests.Stt.Whisper;

public sealed class WhisperTokenizerTests(ITestOutputHelper output)
{
    private static readonly Lazy<WhisperTokenizer> TinyEn = new(() => WhisperTokenizer.FromDirectory(WhisperTestEnvironment.TinyEnDirectory));

    [WhisperDataFact]
    public void SpecialTokens_MatchTheModelsConfigFiles()
    {
        var tokenizer = TinyEn.Value;
        var dir = WhisperTestEnvironment.TinyEnDirectory;
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "config.json")))!;
        var generation = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "generation_config.json")))!;
        var added = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(dir, "added_tokens.json")))!;

        Assert.Equal((int)config["decoder_start_token_id"]!, tokenizer.StartOfTranscript);
        Assert.Equal((int)config["eos_token_id"]!, tokenizer.EndOfText);
        Assert.Equal((int)generation["no_timestamps_token_id"]!, tokenizer.NoTimestamps);
        Assert.Equal((int)generation["forced_decoder_ids"]![0]![1]!, tokenizer.NoTimestamps);
        Assert.Equal(added["<|startoftranscript|>"], tokenizer.StartOfTranscript);
        Assert.Equal(added["<|transcribe|>"], tokenizer.Transcribe);
        Assert.Equal(added["<|translate|>"], tokenizer.Translate);
        Assert.Equal(added["<|startofprev|>"], tokenizer.StartOfPrev);
        Assert.Equal(added["<|startoflm|>"], tokenizer.StartOfLm);
        Assert.Equal(added["<|nocaptions|>"], tokenizer.NoSpeech);
        Assert.Equal(added["<|notimestamps|>"] + 1, tokenizer.TimestampBegin);
        Assert.Equal(50256, tokenizer.EndOfText);
        Assert.Equal(50257, tokenizer.StartOfTranscript);
        Assert.Equal(50258, tokenizer.LanguageToken("en"));
        Assert.Equal(added["<|de|>"], tokenizer.LanguageToken("de"));
        Assert.Equal(99, tokenizer.LanguageTokens.Count);
        Assert.All(tokenizer.LanguageTokens.Values, id => Assert.InRange(id, 50258, 50356));
        Assert.True(tokenizer.IsSpecial(50256));
        Assert.False(tokenizer.IsSpecial(50255));
        Assert.True(tokenizer.IsTimestamp(50363));
    }

    [WhisperDataFact]
    public void EncodesJfk_ToTheKnownIds_AndDecodesBack()
    {
        var tokenizer = TinyEn.Value;
        var text = " " + WhisperAudio.JfkTranscript;
        var ids = tokenizer.Encode(text);

        // Every word of the sentence is a single GPT-2 token ("Ġword" in vocab.json).
        var vocab = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllText(Path.Combine(WhisperTestEnvironment.TinyEnDirectory, "vocab.json")))!;
        var expected = new[] { "ĠAnd", "Ġso", "Ġmy", "Ġfellow", "ĠAmericans", ",", "Ġask", "Ġnot", "Ġwhat", "Ġyour", "Ġcountry", "Ġcan", "Ġdo",
            "Ġfor", "Ġyou", ",", "Ġask", "Ġwhat", "Ġyou", "Ġcan", "Ġdo", "Ġfor", "Ġyour", "Ġcountry", "." }.Select(t => vocab[t]).ToArray();
        Assert.Equal(expected, ids);
        Assert.Equal(new[] { 843, 523, 616, 5891, 3399, 11 }, ids.Take(6));
        Assert.Equal(text, tokenizer.Decode(ids));

        // A whole decoder output: prompt, text, end-of-text, a timestamp; specials are dropped from the text.
        int[] sequence = [tokenizer.StartOfTranscript, tokenizer.NoTimestamps, .. ids, tokenizer.EndOfText, tokenizer.TimestampBegin + 50];
        Assert.Equal(text, tokenizer.Decode(sequence));
        Assert.Equal("<|startoftranscript|><|notimestamps|>" + text + "<|endoftext|><|1.00|>", tokenizer.DecodeWithSpecialTokens(sequence));
    }

    [WhisperDataFact]
    public void RoundTrips_EveryDecodableTokenOfTheVocabulary()
    {
        var tokenizer = TinyEn.Value;
        int checkedTokens = 0, identical = 0;
        var failures = new List<string>();
        for (var id = 0; id < tokenizer.EndOfText; id++)
        {
            var text = tokenizer.Decode([id]);
            if (text.Contains('\uFFFD'))
            {
                continue; // a partial UTF-8 byte sequence: not text on its own
            }

            checkedTokens++;
            var ids = tokenizer.Encode(text);
            if (tokenizer.Decode(ids) != text)
            {
                failures.Add($"{id}: '{text}'");
            }

            if (ids.Count == 1 && ids[0] == id)
            {
                identical++;
            }
        }

        output.WriteLine($"{checkedTokens} tokens decode to valid text; {identical} re-encode to exactly themselves.");
        Assert.Empty(failures);
        Assert.True(checkedTokens > 49_000);
        Assert.Equal(checkedTokens, identical);
    }

    [WhisperDataFact]
    public void RoundTrips_MixedText()
    {
        var tokenizer = TinyEn.Value;
        foreach (var text in new[] { " héllo 日本語 world's  end\n", " It's 3:45pm — call 555-0100!", "  leading spaces", " emoji 🙂 ok", " <|en|> is text here" })
        {
            var ids = tokenizer.Encode(text);
            Assert.Equal(text, tokenizer.Decode(ids));
            Assert.DoesNotContain(ids, tokenizer.IsSpecial); // markup in text never becomes a control token
        }
    }

    [WhisperDataFact]
    public void TokenizerJsonAlone_GivesTheSameTokenizer()
    {
        var dir = Directory.CreateTempSubdirectory("whisper-tok-");
        try
        {
            File.Copy(Path.Combine(WhisperTestEnvironment.TinyEnDirectory, "tokenizer.json"), Path.Combine(dir.FullName, "tokenizer.json"));
            var fromJson = WhisperTokenizer.FromDirectory(dir.FullName);
            var reference = TinyEn.Value;
            Assert.Equal(reference.StartOfTranscript, fromJson.StartOfTranscript);
            Assert.Equal(reference.EndOfText, fromJson.EndOfText);
            Assert.Equal(reference.NoSpeech, fromJson.NoSpeech);
            Assert.Equal(reference.NoTimestamps, fromJson.NoTimestamps);
            Assert.Equal(reference.LanguageTokens.Count, fromJson.LanguageTokens.Count);
            var text = " " + WhisperAudio.JfkTranscript + " Naïve café, 42 ümlauts.";
            Assert.Equal(reference.Encode(text), fromJson.Encode(text));
            Assert.Equal(text, fromJson.Decode(fromJson.Encode(text)));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void MissingFiles_AreNamed()
    {
        var dir = Directory.CreateTempSubdirectory("whisper-tok-");
        try
        {
            var error = Assert.Throws<SpeechEngineException>(() => WhisperTokenizer.FromDirectory(dir.FullName));
            Assert.Contains("vocab.json", error.Message);
            Assert.Contains("tokenizer.json", error.Message);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
