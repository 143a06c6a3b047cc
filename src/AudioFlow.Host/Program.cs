using System.CommandLine;
using AudioFlow.Host.Cli;

var root = new RootCommand("AudioFlow: answers phone calls with a local AI voice agent, fully offline.")
{
    GlobalOptions.ConfigFile,
    GlobalOptions.Set,
    ServeCommand.Create(),
    CallCommand.Create(),
    DialCommand.Create(),
    CallsCommand.Create(),
    ChaosCommand.Create(),
    BenchCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
