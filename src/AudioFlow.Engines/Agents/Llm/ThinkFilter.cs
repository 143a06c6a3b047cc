using System.Text;

namespace AudioFlow.Engines.Agents.Llm;

/// <summary>
/// Removes reasoning blocks (<c>&lt;think&gt;…&lt;/think&gt;</c>, as reasoning models served by Ollama or llama.cpp
/// emit inside the content) from streamed text, so they are never spoken. Tags split across chunks are
/// recognised; text that might be the start of a tag is held back until the next chunk decides. Not thread-safe.
/// </summary>
internal sealed class ThinkFilter
{
    private const string Open = "<think>";
    private const string Close = "</think>";
    private readonly StringBuilder _pending = new();
    private bool _inside;

    /// <summary>Adds a chunk; returns the text that is certainly outside reasoning blocks.</summary>
    public string Append(string chunk)
    {
        _pending.Append(chunk);
        var output = new StringBuilder();
        while (_pending.Length > 0)
        {
            string text = _pending.ToString();
            string tag = _inside ? Close : Open;
            int found = text.IndexOf(tag, StringComparison.OrdinalIgnoreCase);
            if (found >= 0)
            {
                if (!_inside)
                {
                    output.Append(text, 0, found);
                }

                _pending.Remove(0, found + tag.Length);
                _inside = !_inside;
                continue;
            }

            // Keep a tail that could be the beginning of the tag.
            int keep = PartialTagLength(text, tag);
            if (!_inside)
            {
                output.Append(text, 0, text.Length - keep);
            }

            _pending.Remove(0, text.Length - keep);
            break;
        }

        return output.ToString();
    }

    /// <summary>Ends the stream: returns held-back text (unless inside an unterminated block) and resets.</summary>
    public string Flush()
    {
        string rest = _inside ? string.Empty : _pending.ToString();
        _pending.Clear();
        _inside = false;
        return rest;
    }

    private static int PartialTagLength(string text, string tag)
    {
        for (int length = Math.Min(tag.Length - 1, text.Length); length > 0; length--)
        {
            if (text.AsSpan(text.Length - length).Equals(tag.AsSpan(0, length), StringComparison.OrdinalIgnoreCase))
            {
                return length;
            }
        }

        return 0;
    }
}
