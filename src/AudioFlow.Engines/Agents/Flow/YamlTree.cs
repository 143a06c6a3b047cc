using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace AudioFlow.Engines.Agents.Flow;

/// <summary>
/// A minimal YAML document tree with source positions, built from YamlDotNet's event parser. Unlike
/// YamlDotNet's representation model it keeps duplicate mapping keys (so they can be reported together
/// with every other problem) and it never lets a YamlDotNet exception escape.
/// </summary>
internal abstract class YNode(Mark start)
{
    public int Line { get; } = (int)start.Line;

    public int Column { get; } = (int)start.Column;

    public abstract string Kind { get; }
}

internal sealed class YScalar(Mark start, string value, bool plain) : YNode(start)
{
    public string Value { get; } = value;

    /// <summary>Unquoted: only plain scalars can be null, numbers or booleans.</summary>
    public bool Plain { get; } = plain;

    public bool IsNull => Plain && Value is "" or "~" or "null" or "Null" or "NULL";

    public override string Kind => IsNull ? "nothing" : "a text value";
}

internal sealed class YSequence(Mark start) : YNode(start)
{
    public List<YNode> Items { get; } = [];

    public override string Kind => "a list";
}

internal sealed class YMapping(Mark start) : YNode(start)
{
    public List<KeyValuePair<YScalar, YNode>> Entries { get; } = [];

    public override string Kind => "a mapping";
}

internal static class YamlTree
{
    /// <summary>Parses one YAML document. On failure returns null and adds the problem(s) to <paramref name="errors"/>.</summary>
    public static YNode? Parse(string text, string sourceName, List<FlowProblem> errors)
    {
        var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
        var stack = new Stack<(YNode Node, string? Anchor, bool Flow, YScalar? PendingKey)>();
        YNode? root = null;
        var documents = 0;
        Mark last = Mark.Empty;
        var parser = new Parser(new StringReader(text));
        try
        {
            while (parser.MoveNext())
            {
                var ev = parser.Current!;
                last = ev.End;
                switch (ev)
                {
                    case DocumentStart:
                        documents++;
                        if (documents == 2)
                        {
                            errors.Add(new FlowProblem(sourceName, (int)ev.Start.Line, (int)ev.Start.Column,
                                "a flow file must contain exactly one YAML document; remove the second '---' document"));
                            return null;
                        }

                        break;
                    case Scalar scalar:
                        {
                            var node = new YScalar(scalar.Start, scalar.Value, scalar.Style == ScalarStyle.Plain && scalar.IsPlainImplicit);
                            Remember(scalar.Anchor, node);
                            if (!Add(node))
                            {
                                return null;
                            }

                            break;
                        }

                    case AnchorAlias alias:
                        {
                            if (!anchors.TryGetValue(alias.Value.Value, out var target))
                            {
                                errors.Add(new FlowProblem(sourceName, (int)alias.Start.Line, (int)alias.Start.Column,
                                    $"alias '*{alias.Value.Value}' refers to an anchor '&{alias.Value.Value}' that is not defined before it"));
                                return null;
                            }

                            if (!Add(target))
                            {
                                return null;
                            }

                            break;
                        }

                    case SequenceStart seq:
                        stack.Push((new YSequence(seq.Start), seq.Anchor.IsEmpty ? null : seq.Anchor.Value, seq.Style == SequenceStyle.Flow, null));
                        break;
                    case MappingStart map:
                        stack.Push((new YMapping(map.Start), map.Anchor.IsEmpty ? null : map.Anchor.Value, map.Style == MappingStyle.Flow, null));
                        break;
                    case SequenceEnd:
                    case MappingEnd:
                        {
                            var (node, anchor, _, _) = stack.Pop();
                            if (anchor is not null)
                            {
                                anchors[anchor] = node;
                            }

                            if (!Add(node))
                            {
                                return null;
                            }

                            break;
                        }
                }
            }
        }
        catch (YamlException ex)
        {
            var (line, column) = ((int)ex.Start.Line, (int)ex.Start.Column);
            if (ex.Message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FindIndentationTab(text) is { } tab)
            {
                (line, column) = tab; // YamlDotNet reports tab errors at the start of the enclosing mapping
            }

            errors.Add(new FlowProblem(sourceName, line, column, "invalid YAML: " + TrimMessage(ex.Message)));
            return null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or OverflowException or IndexOutOfRangeException)
        {
            // YamlDotNet occasionally fails with a non-YAML exception (e.g. an unclosed flow list "[a, b" followed
            // by more lines). Report the position of the last thing that parsed and the innermost open bracket.
            var open = stack.FirstOrDefault(s => s.Flow);
            var hint = open.Node is null
                ? string.Empty
                : $" (the '{(open.Node is YSequence ? '[' : '{')}' opened at line {open.Node.Line}, column {open.Node.Column} is probably not closed)";
            errors.Add(new FlowProblem(sourceName, last.Line > 0 ? (int)last.Line : null, last.Line > 0 ? (int)last.Column : null,
                $"invalid YAML after this point{hint}"));
            return null;
        }

        if (root is null)
        {
            errors.Add(new FlowProblem(sourceName, null, null, "the flow file is empty"));
        }

        return root;

        void Remember(AnchorName anchor, YNode node)
        {
            if (!anchor.IsEmpty)
            {
                anchors[anchor.Value] = node;
            }
        }

        bool Add(YNode node)
        {
            if (stack.Count == 0)
            {
                root = node;
                return true;
            }

            var (parent, anchor, flow, pendingKey) = stack.Pop();
            switch (parent)
            {
                case YSequence seq:
                    seq.Items.Add(node);
                    stack.Push((parent, anchor, flow, null));
                    return true;
                case YMapping when pendingKey is null:
                    if (node is not YScalar key)
                    {
                        errors.Add(new FlowProblem(sourceName, node.Line, node.Column, "mapping keys must be plain names, not lists or mappings"));
                        return false;
                    }

                    stack.Push((parent, anchor, flow, key));
                    return true;
                case YMapping map:
                    map.Entries.Add(new KeyValuePair<YScalar, YNode>(pendingKey, node));
                    stack.Push((parent, anchor, flow, null));
                    return true;
                default:
                    return false;
            }
        }
    }

    /// <summary>Position of the first tab used in a line's indentation (YAML indents with spaces only).</summary>
    private static (int Line, int Column)? FindIndentationTab(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            for (var c = 0; c < line.Length && line[c] is ' ' or '\t'; c++)
            {
                if (line[c] == '\t')
                {
                    return (i + 1, c + 1);
                }
            }
        }

        return null;
    }

    private static string TrimMessage(string message)
    {
        // YamlDotNet messages read "(Line: 3, Col: 5, Idx: 20) - (Line: …): While scanning …"; the position is reported separately.
        var marker = message.IndexOf("): ", StringComparison.Ordinal);
        return marker >= 0 && message.StartsWith("(Line:", StringComparison.Ordinal) ? message[(marker + 3)..] : message;
    }
}
