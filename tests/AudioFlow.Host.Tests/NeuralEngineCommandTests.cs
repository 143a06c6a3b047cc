using System.Text.Json;
using AudioFlow.Engines.Tests.Stt.Whisper;
using AudioFlow.Host.Tests.Support;

namespace AudioFlow.Host.Tests;

/// <summary>
/// The neural engines selected from the command line: <c>audioflow call --stt whisper --whisper-model DIR</c> with a
/// conforming model folder (a tiny model of the real export's signature, built by the tests: no Whisper weights can
/// be downloaded here), and clear errors for missing model folders.
/// </summary>
public sealed class NeuralEngineCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [WhisperPythonFact(NeedsOnnx = true)]
    public async Task A_call_recognised_by_whisper_from_a_model_folder_transcribes_the_caller()
    {
        var models = WhisperTestModels.Get();
        var run = await AudioflowProcess.Run(Timeout, "call", "--wav", WhisperTestEnvironment.JfkWav, "--json", "--fast",
            "--stt", "whisper", "--whisper-model", models.Ok, "--max-seconds", "40");

        Assert.True(run.ExitCode == 0, run.Stderr);
        using var report = JsonDocument.Parse(run.Stdout);
        var transcript = report.RootElement.GetProperty("turns")[0].GetProperty("transcript").GetString();
        Assert.Equal(WhisperAudio.JfkTranscript, transcript);
    }

    [Theory]
    [InlineData("--stt", "whisper", "--whisper-model", "config.json")]
    [InlineData("--tts", "piper", "--piper-voice", "voice.onnx")]
    public async Task A_missing_model_is_a_clear_error_at_start_naming_what_is_missing(string engineOption, string engine, string modelOption, string missing)
    {
        var empty = Directory.CreateTempSubdirectory("audioflow-empty-model-").FullName;
        try
        {
            var wav = Path.Combine(empty, "caller.wav");
            await File.WriteAllBytesAsync(wav, MinimalWav());
            var model = modelOption == "--piper-voice" ? Path.Combine(empty, "voice.onnx") : empty;
            var run = await AudioflowProcess.Run(Timeout, "call", "--wav", wav, engineOption, engine, modelOption, model);

            Assert.Equal(1, run.ExitCode);
            Assert.Contains("audioflow: error:", run.Stderr);
            Assert.Contains(missing, run.Stderr);
            Assert.DoesNotContain("   at ", run.Stderr);
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }

    [Fact]
    public async Task An_llm_agent_whose_server_is_unreachable_still_answers_the_call_with_its_spoken_fallback()
    {
        var dir = Directory.CreateTempSubdirectory("audioflow-llm-").FullName;
        try
        {
            var wav = Path.Combine(dir, "caller.wav");
            await File.WriteAllBytesAsync(wav, MinimalWav());
            var run = await AudioflowProcess.Run(Timeout, "call", "--wav", wav, "--json", "--fast", "--agent", "llm", "--max-seconds", "20",
                "-c", "audioflow.engines.llm { endpoint = \"http://127.0.0.1:1/v1\", greeting = \"Hello from the model agent.\", first-token-timeout = 2s }");

            Assert.True(run.ExitCode == 0, run.Stderr);
            using var report = JsonDocument.Parse(run.Stdout);
            Assert.Equal("Hello from the model agent.", report.RootElement.GetProperty("replies")[0].GetProperty("text").GetString());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>One second of silence at 8 kHz, 16-bit mono.</summary>
    private static byte[] MinimalWav()
    {
        using var stream = new MemoryStream();
        AudioFlow.Audio.Wav.WavFile.Write(stream, new short[8000], 8000);
        return stream.ToArray();
    }
}
