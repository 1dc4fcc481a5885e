using SharpFuzz;
using Zarr.Fuzz;

// zarr-fuzz seeds [CORPUS]          writes every target's seed corpus (default: fuzz/corpus above the current folder)
// zarr-fuzz list                    prints the targets
// zarr-fuzz replay TARGET [N] [SEED] replays the corpus and N seeded mutations in process (as the tests do)
// zarr-fuzz TARGET                  runs under afl-fuzz: one input per run, read from standard input (fuzz/README.md)
if (args.Length == 0)
{
    Console.Error.WriteLine("usage: Zarr.Fuzz seeds [CORPUS] | list | replay TARGET [MUTATIONS] [SEED] | TARGET (under afl-fuzz)");
    return 2;
}

switch (args[0])
{
    case "seeds":
        await FuzzTargets.WriteSeedsAsync(args.Length > 1 ? args[1] : FuzzTargets.CorpusRoot(Environment.CurrentDirectory));
        return 0;
    case "list":
        foreach (var target in FuzzTargets.All)
        {
            Console.WriteLine(target.Name);
        }

        return 0;
    case "replay":
        {
            var target = FuzzTargets.Get(args[1]);
            var corpus = FuzzTargets.ReadCorpus(FuzzTargets.CorpusRoot(Environment.CurrentDirectory), target);
            var mutations = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
            var seed = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 13;
            var result = Replay.Run(target, corpus, mutations, seed);
            Console.WriteLine(result.Figure);
            foreach (var finding in result.Crashes.Concat(result.Hangs).Concat(result.OverAllocations).Take(5))
            {
                Console.WriteLine($"--- {Convert.ToBase64String(finding.Input)}\n{finding.What}");
            }

            return result.Crashes.Count + result.Hangs.Count + result.OverAllocations.Count == 0 ? 0 : 1;
        }

    default:
        {
            // Under afl-fuzz: an input that is refused is a normal run; any other exception is reported to AFL++ as a crash.
            // The targets are built inside Run: instrumented code (Zarr.Storage's constructors) may only run once SharpFuzz
            // has set up the coverage map.
            var name = args[0];
            FuzzTarget? target = null;
            Fuzzer.OutOfProcess.Run(stream =>
            {
                target ??= FuzzTargets.Get(name);
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                target.Execute(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            });
            return 0;
        }
}
