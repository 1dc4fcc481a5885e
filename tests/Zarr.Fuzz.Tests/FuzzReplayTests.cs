using System.Globalization;
using Xunit.Abstractions;
using Zarr.Tests;

namespace Zarr.Fuzz.Tests;

/// <summary>
/// Every fuzz target over its committed corpus and then over seeded mutations of it (100,000 per target;
/// <c>ZARR_FUZZ_MUTATIONS</c> sets another count, <c>ZARR_FUZZ_SEED</c> another seed): no input may end in anything but
/// acceptance or the target's documented refusal, take more than a second, or allocate more than the chunk it may decode
/// to plus 1 MiB (plus, for parsers, a bounded tree per input byte). A failure prints the input in base64: save it
/// under fuzz/corpus/TARGET/ as a regression seed, then fix the code.
/// </summary>
/// <remarks>Two classes (codecs, and the rest), so that xunit runs the two halves side by side.</remarks>
public abstract class FuzzReplayTests(ITestOutputHelper output)
{
    private const int DefaultMutations = 100_000;
    private const int DefaultSeed = 20261207;

    protected void Replays(string name)
    {
        var target = FuzzTargets.Get(name);
        var corpus = FuzzTargets.ReadCorpus(FuzzTargets.CorpusRoot(AppContext.BaseDirectory), target);
        Assert.NotEmpty(corpus);

        var result = Replay.Run(target, corpus, Setting("ZARR_FUZZ_MUTATIONS", DefaultMutations), Setting("ZARR_FUZZ_SEED", DefaultSeed));
        output.WriteLine(result.Figure);
        Console.WriteLine(result.Figure);
        foreach (var finding in result.Crashes.Concat(result.Hangs).Concat(result.OverAllocations).Where(f => f.Input.Length > 0).Take(5))
        {
            output.WriteLine($"input (base64) {Convert.ToBase64String(finding.Input)}\n{finding.What}");
        }

        Assert.True(result.Executions >= corpus.Count + Setting("ZARR_FUZZ_MUTATIONS", DefaultMutations));
        Assert.True(result.Crashes.Count == 0, $"{result.Crashes.Count} crashes; first: {result.Crashes.FirstOrDefault()?.What}");
        Assert.True(result.Hangs.Count == 0, $"{result.Hangs.Count} inputs over {Replay.HangLimit.TotalSeconds} s; first: {result.Hangs.FirstOrDefault()?.What}");
        Assert.True(result.OverAllocations.Count == 0, $"{result.OverAllocations.Count} inputs over the allocation bound; first: {result.OverAllocations.FirstOrDefault()?.What}");
    }

    private static int Setting(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

/// <summary>The codec decoders' replay.</summary>
public sealed class CodecFuzzReplayTests(ITestOutputHelper output) : FuzzReplayTests(output)
{
    public static TheoryData<string> Targets => [.. FuzzTargets.Codecs.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    [Trait(SlowTests.Category, SlowTests.Slow)]
    public void Corpus_and_mutations_end_in_acceptance_or_a_typed_refusal(string name) => Replays(name);
}

/// <summary>The metadata, container, key and .npy header targets' replay.</summary>
public sealed class DocumentFuzzReplayTests(ITestOutputHelper output) : FuzzReplayTests(output)
{
    public static TheoryData<string> Targets => [.. FuzzTargets.Documents.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    [Trait(SlowTests.Category, SlowTests.Slow)]
    public void Corpus_and_mutations_end_in_acceptance_or_a_typed_refusal(string name) => Replays(name);
}

/// <summary>The corpus and the mutator the replays stand on.</summary>
public sealed class FuzzCorpusTests
{
    [Fact]
    public void Every_target_has_a_committed_corpus()
    {
        var root = FuzzTargets.CorpusRoot(AppContext.BaseDirectory);
        var missing = FuzzTargets.All.Where(t => FuzzTargets.ReadCorpus(root, t).Count == 0).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, $"no corpus under {root} for: {string.Join(", ", missing)} (dotnet run --project fuzz/Zarr.Fuzz -- seeds)");
    }

    [Fact]
    public void Every_found_input_is_accepted_or_refused_by_its_target()
    {
        // The inputs that once broke a rule (found-* files, e.g. AFL++'s blosc frame whose zlib stream made zlib return an
        // error code that escaped as a ZLibException), each run alone: a crash names the file.
        var root = FuzzTargets.CorpusRoot(AppContext.BaseDirectory);
        var found = FuzzTargets.All
            .SelectMany(t => Directory.Exists(Path.Combine(root, t.Name)) ? Directory.GetFiles(Path.Combine(root, t.Name), "found-*").Select(f => (Target: t, File: f)) : [])
            .ToList();
        Assert.Contains(found, f => f.File.EndsWith(Path.Combine("blosc-managed", "found-zlib-error-code"), StringComparison.Ordinal));
        foreach (var (target, file) in found)
        {
            var input = File.ReadAllBytes(file);
            var outcome = Record.Exception(() => target.Execute(input));
            Assert.True(outcome is null, $"{target.Name} {Path.GetFileName(file)}: {outcome}");
        }
    }

    [Fact]
    public void The_mutator_is_deterministic_for_a_seed()
    {
        byte[][] corpus = ["{\"zarr_format\": 2}"u8.ToArray(), [1, 2, 3, 4, 5, 6, 7, 8]];
        var first = new Mutator(7, corpus);
        var second = new Mutator(7, corpus);
        var produced = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 1000; i++)
        {
            var a = first.Next();
            Assert.Equal(a, second.Next());
            produced.Add(Convert.ToBase64String(a));
        }

        // Mutations, not copies: most of a thousand differ from each other and from the corpus.
        Assert.True(produced.Count > 500, $"only {produced.Count} distinct inputs of 1000");
    }
}
