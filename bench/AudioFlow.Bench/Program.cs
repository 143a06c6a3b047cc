using BenchmarkDotNet.Running;

// BenchmarkDotNet micro-benchmarks of the media path. Run: dotnet run -c Release --project bench/AudioFlow.Bench -- --filter '*'
// (add --job short for a quick pass). Results and the machine: bench/RESULTS.md.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
