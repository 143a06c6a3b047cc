using AudioFlow.Host.Tests.Support;

namespace AudioFlow.Host.Tests;

/// <summary>Inputs a user gets wrong: one clear line on stderr, a non-zero exit code, never a bare stack trace.</summary>
public sealed class BadInputTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(1);
    private readonly string _dir = Directory.CreateTempSubdirectory("audioflow-bad-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_file_that_is_not_a_wav_is_refused()
    {
        var path = Write("notes.wav", "this is not audio at all, just some text");
        await AssertRefused(["call", "--wav", path], "not a WAV file");
    }

    [Fact]
    public async Task An_empty_file_is_refused()
    {
        var path = Write("empty.wav", string.Empty);
        await AssertRefused(["call", "--wav", path], "is empty");
    }

    [Fact]
    public async Task A_missing_file_is_refused()
    {
        await AssertRefused(["call", "--wav", Path.Combine(_dir, "nowhere.wav")], "caller audio not found");
    }

    [RequiresToolsFact("sox")]
    public async Task A_wav_at_an_unusable_rate_is_refused()
    {
        var path = Path.Combine(_dir, "slow.wav");
        ExternalTools.Run("sox", "-n", "-r", "4000", "-b", "16", path, "synth", "1", "sine", "440");
        await AssertRefused(["call", "--wav", path], "sampled at 4000 Hz");
    }

    [RequiresToolsFact("sox")]
    public async Task A_flow_file_with_errors_is_refused_with_each_problem_and_its_line()
    {
        var wav = Path.Combine(_dir, "tone.wav");
        ExternalTools.Run("sox", "-n", "-r", "8000", "-b", "16", wav, "synth", "1", "sine", "440");
        var flow = Write("broken.yaml", "name: broken\nstart: welcome\nstates:\n  hello:\n    promt: Hi there\n");
        var stderr = await AssertRefused(["call", "--wav", wav, "--flow", flow], "broken.yaml");
        Assert.Matches(@"broken\.yaml:\d+:\d+: ", stderr);
        Assert.Contains("welcome", stderr);
        Assert.Contains("promt", stderr);
    }

    [Fact]
    public async Task A_bad_configuration_override_is_refused_with_the_key_named()
    {
        var path = Write("notes.wav", "not audio");
        await AssertRefused(["call", "--wav", path, "-c", "audioflow.pipeline.vad.activation-threshold = 7"], "not a WAV file");
        var stderr = await AssertRefused(["bench", "latency", "--calls", "1", "-c", "audioflow.pipeline.vad.activation-threshold = 7"],
            "audioflow.pipeline.vad.activation-threshold must be between 0 and 1");
        Assert.StartsWith("audioflow: error: configuration:", stderr.Trim());
    }

    private string Write(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<string> AssertRefused(string[] args, string expected)
    {
        var run = await AudioflowProcess.Run(Timeout, args);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(expected, run.Stderr);
        Assert.Contains("audioflow: error:", run.Stderr);
        Assert.DoesNotContain("   at ", run.Stderr);
        return run.Stderr;
    }
}
