using AudioFlow.Engines.Tts;

namespace AudioFlow.Pipeline.Stages;

/// <summary>What is left to say of a reply cut short, restarting at the first sentence the caller did not hear whole.</summary>
public static class ReplyRemainder
{
    /// <summary>
    /// The sentences of <paramref name="text"/> from the first one not fully inside <paramref name="heardText"/> (the
    /// playout's report: whole heard sentences, then the heard words of the cut one); null when all was heard.
    /// </summary>
    public static string? After(string text, string? heardText)
    {
        var sentences = SentenceSplitter.Split(text);
        var heardWords = WordCount(heardText ?? string.Empty);
        var wordsBefore = 0;
        for (var i = 0; i < sentences.Count; i++)
        {
            var words = WordCount(sentences[i]);
            if (wordsBefore + words > heardWords)
            {
                return string.Join(' ', sentences.Skip(i));
            }

            wordsBefore += words;
        }

        return null;
    }

    private static int WordCount(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
}
