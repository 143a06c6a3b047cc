namespace AudioFlow.Engines.Stt.Sphinx;

/// <summary>
/// Confidence of a hypothesis from a likelihood ratio against an unconstrained phone loop:
/// <list type="number">
/// <item>for every word of the hypothesis, its acoustic score minus the phone loop's acoustic score over
/// the same frames (how much worse the constrained words explain the audio than any phone sequence);</item>
/// <item>speech the hypothesis does not explain with words — frames the phone loop decodes as phones but
/// the hypothesis covers with silence/noise fillers, beyond a tolerance for word boundaries — counts with a
/// fixed bad ratio (a grammar search absorbs out-of-grammar speech into silence this way);</item>
/// <item>the average ratio per frame (pocketsphinx score units, about 0.1 nat each) is mapped through a
/// logistic function centred on the operating point measured on synthetic telephone speech
/// (<see cref="GrammarCenter"/>, <see cref="FreeFormCenter"/>).</item>
/// </list>
/// The result is a score in [0, 1] that orders hypotheses by plausibility; 0.5 is the measured boundary
/// between in-grammar and out-of-grammar speech. It is not a calibrated probability.
/// </summary>
internal static class SphinxConfidence
{
    /// <summary>Average per-frame ratio that maps to confidence 0.5 for grammar results.</summary>
    internal const double GrammarCenter = -25;

    /// <summary>
    /// The same for free-form results. The n-gram search picks words by language model as much as by
    /// acoustics, so even correct transcripts score lower: measured -29 to -32 for 0-25% WER,
    /// -37 to -42 for 40-90% WER.
    /// </summary>
    internal const double FreeFormCenter = -34;

    /// <summary>
    /// Divisor for the n-gram search's segment acoustic scores: it reports them without the 10-bit
    /// senone score shift the FSG and phone-loop searches apply (measured: ~1024 times larger).
    /// </summary>
    internal const double NgramScoreScale = 1 << 10;

    /// <summary>Spread of the logistic mapping (score units per frame).</summary>
    internal const double Scale = 4;

    /// <summary>Fraction of the phone loop's speech frames that may fall outside words (boundary slack).</summary>
    internal const double AbsorbedTolerance = 0.2;

    /// <summary>Ratio per frame charged for speech covered only by fillers.</summary>
    internal const double AbsorbedPenalty = -100;

    /// <summary>Computes the evidence for <paramref name="hypothesis"/> given the phone-loop decode of the same audio.</summary>
    public static ConfidenceEvidence Evaluate(DecodeResult hypothesis, DecodeResult phoneLoop, bool freeForm)
    {
        var hypothesisScale = freeForm ? 1 / NgramScoreScale : 1.0;
        // Per-frame phone-loop acoustic score and speech flag (phone-loop segments are contiguous).
        var frameCount = 0;
        foreach (var s in phoneLoop.Segments)
        {
            frameCount = Math.Max(frameCount, s.EndFrame + 1);
        }

        foreach (var s in hypothesis.Segments)
        {
            frameCount = Math.Max(frameCount, s.EndFrame + 1);
        }

        var reference = new double[frameCount];
        var speech = new bool[frameCount];
        foreach (var s in phoneLoop.Segments)
        {
            if (s.StartFrame < 0 || s.EndFrame < s.StartFrame)
            {
                continue;
            }

            var perFrame = (double)s.AcousticScore / s.FrameCount;
            for (var f = s.StartFrame; f <= s.EndFrame; f++)
            {
                reference[f] = perFrame;
                speech[f] = !s.IsFiller;
            }
        }

        var covered = new bool[frameCount];
        double ratioSum = 0;
        var wordFrames = 0;
        foreach (var s in hypothesis.Segments)
        {
            if (s.IsFiller || s.StartFrame < 0 || s.EndFrame < s.StartFrame)
            {
                continue;
            }

            double referenceSum = 0;
            for (var f = s.StartFrame; f <= s.EndFrame; f++)
            {
                referenceSum += reference[f];
                covered[f] = true;
            }

            ratioSum += (s.AcousticScore * hypothesisScale) - referenceSum;
            wordFrames += s.FrameCount;
        }

        int speechFrames = 0, absorbed = 0;
        for (var f = 0; f < frameCount; f++)
        {
            if (speech[f])
            {
                speechFrames++;
                if (!covered[f])
                {
                    absorbed++;
                }
            }
        }

        var excess = Math.Max(0, absorbed - (AbsorbedTolerance * speechFrames));
        var denominator = wordFrames + excess;
        var ratio = denominator > 0 ? (ratioSum + (excess * AbsorbedPenalty)) / denominator : AbsorbedPenalty;
        var center = freeForm ? FreeFormCenter : GrammarCenter;
        var confidence = 1.0 / (1.0 + Math.Exp(-(ratio - center) / Scale));
        return new ConfidenceEvidence(ratio, wordFrames, speechFrames, absorbed, (float)confidence);
    }
}

/// <summary>What <see cref="SphinxConfidence"/> measured.</summary>
/// <param name="RatioPerFrame">Average log-likelihood ratio per frame against the phone loop (score units, ~0.1 nat).</param>
/// <param name="WordFrames">Frames covered by words of the hypothesis.</param>
/// <param name="SpeechFrames">Frames the phone loop decoded as speech.</param>
/// <param name="AbsorbedFrames">Speech frames not covered by words.</param>
/// <param name="Confidence">The mapped confidence in [0, 1].</param>
internal readonly record struct ConfidenceEvidence(double RatioPerFrame, int WordFrames, int SpeechFrames, int AbsorbedFrames, float Confidence);
