// BenchmarkDotNet micro-benchmarks of the hot paths, each with [MemoryDiagnoser]: the Allocated column shows that no
// path allocates per element (a whole 4 MiB chunk costs a few hundred bytes of bookkeeping at most).
//   dotnet run -c Release --project benchmarks/Zarr.MicroBenchmarks -- --filter '*'          (everything)
//   dotnet run -c Release --project benchmarks/Zarr.MicroBenchmarks -- --filter '*Blosc*'    (one class)
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Zarr.MicroBenchmarks.BloscBenchmarks).Assembly).Run(args);
