using Akka.Configuration;
using AudioFlow.Audio.Wav;
using AudioFlow.Engines.Agents.Flow;
using AudioFlow.Host.Composition;

namespace AudioFlow.Host.Cli;

/// <summary>
/// Turns the failures a user can cause (bad file, bad flow, bad configuration, missing engine) into one clear line on
/// standard error and a non-zero exit code; anything else is a bug and is printed in full.
/// </summary>
public static class CliErrors
{
    public const int BadInput = 2;
    public const int Failure = 1;

    public static async Task<int> Run(Func<Task<int>> action)
    {
        try
        {
            return await action().ConfigureAwait(false);
        }
        catch (UsageException e)
        {
            return Fail(e.Message, BadInput);
        }
        catch (WavFormatException e)
        {
            return Fail(e.Message, BadInput);
        }
        catch (FlowValidationException e)
        {
            return Fail(e.Message, BadInput);
        }
        catch (ConfigurationException e)
        {
            return Fail($"configuration: {e.Message}", BadInput);
        }
        catch (StartupException e)
        {
            return Fail(e.Message, Failure);
        }
        catch (AudioFlow.Pipeline.Journal.JournalUnavailableException e)
        {
            return Fail(e.Message, Failure);
        }
        catch (OperationCanceledException)
        {
            return Fail("cancelled", Failure);
        }
    }

    private static int Fail(string message, int code)
    {
        Console.Error.WriteLine($"audioflow: error: {message}");
        return code;
    }
}

/// <summary>The command line was used wrongly (a file that is not there, an option out of range).</summary>
public sealed class UsageException(string message) : Exception(message);
