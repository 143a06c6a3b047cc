using System.Text;

namespace AudioFlow.Telephony.Providers.Control;

/// <summary>
/// The call-flow documents for a blind transfer: TwiML for Twilio (sent inline with the call update) and
/// Plivo/Vobiz XML (served from the URL given by <see cref="TransferXmlUrlBuilder"/>). Targets are XML-escaped;
/// a target starting with "sip:" or "sips:" is dialled as a SIP endpoint, anything else as a number.
/// </summary>
public static class DialXml
{
    /// <summary>Longest accepted transfer target.</summary>
    public const int MaxTargetLength = 256;

    public static bool IsSipUri(string target) =>
        target.StartsWith("sip:", StringComparison.OrdinalIgnoreCase)
        || target.StartsWith("sips:", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// TwiML: <c>&lt;Response&gt;&lt;Dial&gt;+1…&lt;/Dial&gt;&lt;/Response&gt;</c>, or
    /// <c>&lt;Dial&gt;&lt;Sip&gt;sip:…&lt;/Sip&gt;&lt;/Dial&gt;</c> for a SIP URI (twilio.com/docs/voice/twiml/dial, …/sip).
    /// </summary>
    public static string Twilio(string target)
    {
        RequireTarget(target, nameof(target));
        var escaped = Escape(target);
        return IsSipUri(target)
            ? $"<Response><Dial><Sip>{escaped}</Sip></Dial></Response>"
            : $"<Response><Dial>{escaped}</Dial></Response>";
    }

    /// <summary>
    /// Plivo / Vobiz XML: <c>&lt;Dial&gt;&lt;Number&gt;…&lt;/Number&gt;&lt;/Dial&gt;</c>, or
    /// <c>&lt;Dial&gt;&lt;User&gt;sip:…&lt;/User&gt;&lt;/Dial&gt;</c> for a SIP URI (docs.vobiz.ai/xml/dial, …/dial/user;
    /// Plivo's Dial has the same nouns). Serve it with content type <c>application/xml</c>.
    /// </summary>
    public static string PlivoFamily(string target)
    {
        RequireTarget(target, nameof(target));
        var escaped = Escape(target);
        var noun = IsSipUri(target) ? $"<User>{escaped}</User>" : $"<Number>{escaped}</Number>";
        return $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Dial>{noun}</Dial></Response>";
    }

    /// <summary>Throws <see cref="ArgumentException"/> for an empty, over-long or control-character target.</summary>
    internal static void RequireTarget(string target, string paramName)
    {
        if (string.IsNullOrWhiteSpace(target))
        {
            throw new ArgumentException("A transfer target is required.", paramName);
        }

        if (target.Length > MaxTargetLength || target.Any(char.IsControl))
        {
            throw new ArgumentException(
                $"A transfer target is at most {MaxTargetLength} characters without control characters.", paramName);
        }
    }

    private static string Escape(string text)
    {
        var escaped = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            escaped.Append(c switch
            {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&apos;",
                _ => c.ToString(),
            });
        }

        return escaped.ToString();
    }
}
