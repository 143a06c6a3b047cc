using System.Text;

namespace AudioFlow.Telephony.Sip.Sdp;

/// <summary>
/// Writes SDP in the RFC 8866 field order (v o s i u e p c b t r z k a, then per media m i c b k a), CRLF line
/// ends. Lines the model keeps uninterpreted go to their RFC position (unknown types just before the a= lines), so
/// parse → write → parse → write is stable.
/// </summary>
internal static class SdpWriter
{
    public static string Write(SdpSession session)
    {
        var sb = new StringBuilder(512);
        Line(sb, 'v', "0");
        if (session.Origin is { } origin)
        {
            Line(sb, 'o', origin.ToString());
        }

        Line(sb, 's', session.SessionName.Length == 0 ? "-" : session.SessionName);
        var others = session.OtherLines.OrderBy(l => SessionRank(l.Type)).ToList(); // stable
        Others(sb, others, SessionRank, r => r < 5);
        if (session.Connection is { } c)
        {
            Line(sb, 'c', c.ToString());
        }

        foreach (var b in session.Bandwidths)
        {
            Line(sb, 'b', b.ToString());
        }

        Others(sb, others, SessionRank, r => r == 6);
        foreach (var t in session.Timings)
        {
            Line(sb, 't', t.ToString());
        }

        Others(sb, others, SessionRank, r => r > 7);
        foreach (var a in session.Attributes)
        {
            Line(sb, 'a', a.ToString());
        }

        foreach (var m in session.Media)
        {
            Line(sb, 'm', m.ToString());
            var mediaOthers = m.OtherLines.OrderBy(l => MediaRank(l.Type)).ToList();
            Others(sb, mediaOthers, MediaRank, r => r == 1);
            if (m.Connection is { } mc)
            {
                Line(sb, 'c', mc.ToString());
            }

            foreach (var b in m.Bandwidths)
            {
                Line(sb, 'b', b.ToString());
            }

            Others(sb, mediaOthers, MediaRank, r => r > 2);
            foreach (var a in m.Attributes)
            {
                Line(sb, 'a', a.ToString());
            }
        }

        return sb.ToString();

        static void Others(StringBuilder builder, List<SdpLine> lines, Func<char, int> rank, Func<int, bool> select)
        {
            foreach (var l in lines.Where(l => select(rank(l.Type))))
            {
                Line(builder, l.Type, l.Value);
            }
        }
    }

    private static int SessionRank(char type) => type switch
    {
        'i' => 1,
        'u' => 2,
        'e' => 3,
        'p' => 4,
        'b' => 6, // malformed b= kept raw
        'r' => 8,
        'z' => 9,
        'k' => 10,
        _ => 11,
    };

    private static int MediaRank(char type) => type switch
    {
        'i' => 1,
        'b' => 3,
        'k' => 4,
        _ => 5,
    };

    private static void Line(StringBuilder sb, char type, string value)
    {
        if (value.AsSpan().ContainsAny('\r', '\n'))
        {
            throw new ArgumentException($"SDP {type}= value contains a line break", nameof(value));
        }

        sb.Append(type).Append('=').Append(value).Append("\r\n");
    }
}
