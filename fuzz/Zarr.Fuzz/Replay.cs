using System.Diagnostics;

namespace Zarr.Fuzz;

/// <summary>One input that broke a rule: the input itself and what happened.</summary>
/// <param name="Input">The input, to save as a regression seed.</param>
/// <param name="What">The exception, the time or the allocation that broke the rule.</param>
internal sealed record FuzzFinding(byte[] Input, string What);

/// <summary>What a replay found.</summary>
internal sealed class ReplayResult(string target)
{
    public string Target { get; } = target;

    public long Executions { get; set; }

    public long Accepted { get; set; }

    public long Refused { get; set; }

    /// <summary>Inputs that threw something other than a documented refusal.</summary>
    public List<FuzzFinding> Crashes { get; } = [];

    /// <summary>Inputs that took longer than the hang limit three times in a row.</summary>
    public List<FuzzFinding> Hangs { get; } = [];

    /// <summary>Inputs whose run allocated more than the target's bound.</summary>
    public List<FuzzFinding> OverAllocations { get; } = [];

    /// <summary>The most one run allocated.</summary>
    public long MaxAllocated { get; set; }

    /// <summary>The slowest run.</summary>
    public TimeSpan Slowest { get; set; }

    public TimeSpan Elapsed { get; set; }

    /// <summary>The figure line.</summary>
    public string Figure => FormattableString.Invariant(
        $"RELIABILITY fuzz-{Target} executions={Executions} crashes={Crashes.Count} hangs={Hangs.Count} over-allocation={OverAllocations.Count} accepted={Accepted} refused={Refused} max-allocated={MaxAllocated} seconds={Elapsed.TotalSeconds:F1}");
}

/// <summary>
/// Runs a target in process over its corpus and then over seeded mutations of it, as CI does: every run must end in
/// acceptance or a documented refusal, within the hang limit, allocating at most the target's bound (measured with
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> around each run; every target runs on the calling thread).
/// </summary>
internal static class Replay
{
    /// <summary>The longest one input may take: the "0 hangs over 1 s".</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(1);

    private const int MaxFindingsKept = 5;

    /// <summary>Replays <paramref name="corpus"/>, then <paramref name="mutations"/> mutations of it drawn from <paramref name="seed"/>.</summary>
    public static ReplayResult Run(FuzzTarget target, IReadOnlyList<byte[]> corpus, int mutations, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfZero(corpus.Count);
        var result = new ReplayResult(target.Name);
        var clock = Stopwatch.StartNew();

        // Once unmeasured, so that first-call costs (static constructors, the JIT, pools filling) are not counted as the input's.
        foreach (var input in corpus)
        {
            try
            {
                target.Execute(input);
            }
            catch (Exception e)
            {
                result.Crashes.Add(new FuzzFinding(input, e.ToString()));
            }
        }

        foreach (var input in corpus)
        {
            RunOne(target, input, result);
        }

        var mutator = new Mutator(seed, corpus);
        for (var i = 0; i < mutations; i++)
        {
            RunOne(target, mutator.Next(), result);
        }

        result.Elapsed = clock.Elapsed;
        return result;
    }

    private static void RunOne(FuzzTarget target, byte[] input, ReplayResult result)
    {
        result.Executions++;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (target.Execute(input))
            {
                result.Accepted++;
            }
            else
            {
                result.Refused++;
            }
        }
        catch (Exception e)
        {
            Keep(result.Crashes, input, e.ToString());
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        result.MaxAllocated = Math.Max(result.MaxAllocated, allocated);
        if (elapsed > result.Slowest)
        {
            result.Slowest = elapsed;
        }

        if (allocated > target.AllocationBound(input))
        {
            Keep(result.OverAllocations, input, FormattableString.Invariant($"allocated {allocated} bytes for a {input.Length}-byte input; the bound is {target.AllocationBound(input)}"));
        }

        if (elapsed > HangLimit)
        {
            // Twice more before it counts, the best of three: a garbage collection or a starved core on a shared machine
            // (the load of many builds at once) can stall any run; an input that hangs is slow every time.
            var best = elapsed;
            for (var again = 0; again < 2 && best > HangLimit; again++)
            {
                var started2 = Stopwatch.GetTimestamp();
                try
                {
                    target.Execute(input);
                }
                catch (Exception)
                {
                    // Already counted above.
                }

                var took = Stopwatch.GetElapsedTime(started2);
                best = took < best ? took : best;
            }

            if (best > HangLimit)
            {
                Keep(result.Hangs, input, FormattableString.Invariant($"took {elapsed.TotalSeconds:F2} s, and at best {best.TotalSeconds:F2} s in two more runs"));
            }
        }
    }

    private static void Keep(List<FuzzFinding> findings, byte[] input, string what)
    {
        // Counted all, kept the first few (each one is saved as a regression seed).
        if (findings.Count < MaxFindingsKept)
        {
            findings.Add(new FuzzFinding(input, what));
        }
        else
        {
            findings.Add(new FuzzFinding([], what));
        }
    }
}
