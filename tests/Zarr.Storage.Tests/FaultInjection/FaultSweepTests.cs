using System.Collections.Concurrent;
using Xunit.Abstractions;
using Zarr.Storage.Buffers;
using Zarr.Storage.Tests.Reliability;

namespace Zarr.Storage.Tests.FaultInjection;

/// <summary>
/// Issue 13's fault sweep: the mixed workload (<see cref="MixedWorkload"/>) is run once without faults to count its store
/// calls (M), then once for every N in 1..M on a fresh folder with the Nth call failing: through a
/// <see cref="FaultInjectingStore"/> (503, connection reset, timeout), and, as a full disk, with the Nth write throwing
/// ENOSPC's <see cref="IOException"/>. Each run's failing public call throws a <see cref="ZarrException"/> naming the key
/// (or the failure is absorbed and the run succeeds); reopened without faults, every array's metadata reads and every
/// stored chunk (or shard) decodes to its value before or after the failed step, never a mix; no pooled buffer rented by
/// the run and no file handle under its folder is left open.
/// </summary>
public sealed class FaultSweepTests(ITestOutputHelper output)
{
    private const int Enospc = 28;
    private const int Workers = 4;
    private static readonly ParallelOptions Parallelism = new() { MaxDegreeOfParallelism = Workers };

    // With key locks: the path the array layer takes on a directory store (lock files around read-modify-writes and
    // metadata changes). Without: the path it takes on a store that neither locks keys nor swaps conditionally.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Every_failing_store_call_is_typed_and_leaves_every_chunk_old_or_new(bool keyLocks)
    {
        var calls = await CountCallsAsync(keyLocks);
        var tally = new Tally();
        await Parallel.ForEachAsync(LongRange(1, calls), Parallelism, async (n, _) =>
        {
            using var folder = new TempDirectory();
            var directory = new DirectoryStore(folder.Path);
            var faults = FaultInjectingStore.Wrap(directory, new FaultInjectingStoreOptions { FailCall = n });
            await RunOnceAsync($"N={n}", folder.Path, keyLocks ? faults : new PlainStoreView(faults), InjectedKey, tally);
        });

        tally.Report(output, keyLocks ? "fault-injection" : "fault-injection-no-key-locks", calls);
        tally.AssertClean();
    }

    [Fact]
    public async Task Every_write_failing_on_a_full_disk_is_typed_and_leaves_every_chunk_old_or_new()
    {
        // A real full disk needs a tmpfs mounted, which needs root (or CAP_SYS_ADMIN): without, the run says so and proves nothing.
        if (!FullTmpfs.CanMount(out var reason))
        {
            ReliabilityFigures.Report(output, "fault-injection-enospc", ("tmpfs", "unavailable"), ("runs", 0));
            output.WriteLine($"NOT RUN: the full-disk sweep could not mount a tmpfs ({reason}); run the tests as root to prove ENOSPC gives typed errors and no torn file");
            return;
        }

        // Free pages from none up to the first count with which the whole workload fits: every write that allocates fails once.
        var tally = new Tally();
        var runs = 0;
        for (var first = 0; ; first += Workers)
        {
            var succeeded = Interlocked.Read(ref tally.Succeeded);
            await Parallel.ForEachAsync(Enumerable.Range(first, Workers), Parallelism, async (free, _) =>
            {
                using var disk = FullTmpfs.Mount(free);
                await RunOnceAsync($"free pages={free}", disk.StoreFolder, new DirectoryStore(disk.StoreFolder), DiskFullKey, tally);
            });
            runs += Workers;
            if (Interlocked.Read(ref tally.Succeeded) > succeeded || runs >= 100)
            {
                break;
            }
        }

        tally.Report(output, "fault-injection-enospc", runs);
        Assert.True(tally.Succeeded > 0, "the workload never fitted on the disk");
        Assert.True(tally.Typed > 0, "no write ever failed for lack of space");
        tally.AssertClean();
    }

    [Fact]
    public async Task The_leak_checks_see_a_file_and_a_buffer_left_open()
    {
        using var folder = new TempDirectory();
        Assert.Equal(0, OpenHandlesUnder(folder.Path));
        await using (var file = new FileStream(folder.Combine("held"), FileMode.Create))
        {
            Assert.Equal(1, OpenHandlesUnder(folder.Path));
        }

        Assert.Equal(0, OpenHandlesUnder(folder.Path));
        var store = new DirectoryStore(folder.Path);
        await store.SetAsync("k", new byte[] { 1, 2, 3 });
        using var rentals = BufferRentals.Begin();
        var kept = await store.GetAsync("k");
        Assert.Equal(1, rentals.Outstanding);
        kept!.Dispose();
        Assert.Equal(0, rentals.Outstanding);
    }

    private static async Task<long> CountCallsAsync(bool keyLocks)
    {
        using var folder = new TempDirectory();
        var directory = new DirectoryStore(folder.Path);
        var store = FaultInjectingStore.Wrap(directory);
        var (failure, _) = await MixedWorkload.RunAsync(keyLocks ? store : new PlainStoreView(store));
        Assert.Null(failure);
        return store.Calls;
    }

    // One run on a fresh folder, named by run in the problems it finds.
    private static async Task RunOnceAsync(string run, string folder, IStore store, Func<Exception, string?> failedKey, Tally tally)
    {
        using var rentals = BufferRentals.Begin();
        var (failure, states) = await MixedWorkload.RunAsync(store);
        if (failure is null)
        {
            Interlocked.Increment(ref tally.Succeeded);
        }
        else if (failure is ZarrException && failedKey(failure) is { } key && failure.Message.Contains(key, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref tally.Typed);
        }
        else
        {
            tally.Problems.Add($"{run}: {failure.GetType().Name} not typed or not naming the key {failedKey(failure) ?? "(none)"}: {failure.Message}");
        }

        foreach (var problem in await CheckAsync(new DirectoryStore(folder), states))
        {
            Interlocked.Increment(ref tally.Torn);
            tally.Problems.Add($"{run}: {problem}");
        }

        var buffers = rentals.Outstanding;
        var handles = OpenHandlesUnder(folder);
        if (buffers != 0 || handles != 0)
        {
            Interlocked.Increment(ref tally.Leaks);
            tally.Problems.Add($"{run}: {buffers} pooled buffers and {handles} file handles left open");
        }
    }

    // Every array reopened without faults: metadata readable, length and attribute old or new, each stored unit old or new.
    private static async Task<List<string>> CheckAsync(IStore store, Dictionary<string, (MixedWorkload.State Before, MixedWorkload.State After)> states)
    {
        var problems = new List<string>();
        foreach (var (name, _, unit) in MixedWorkload.Arrays)
        {
            if (!states.TryGetValue(name, out var pair))
            {
                continue;
            }

            ZarrArray<int> array;
            try
            {
                array = await ZarrArray.OpenAsync<int>(store, name);
            }
            catch (ZarrNodeException) when (!pair.Before.Exists)
            {
                continue;
            }
            catch (Exception e)
            {
                problems.Add($"array {name}: metadata not readable: {e.Message}");
                continue;
            }

            var length = array.Shape[0];
            if (length != pair.Before.Length && length != pair.After.Length)
            {
                problems.Add($"array {name}: length {length}, neither {pair.Before.Length} nor {pair.After.Length}");
                continue;
            }

            int? step = array.Attributes.TryGetValue("step", out var node) && node is not null ? (int)node : null;
            if (step != pair.Before.Step && step != pair.After.Step)
            {
                problems.Add($"array {name}: attribute step={step}, neither {pair.Before.Step} nor {pair.After.Step}");
            }

            for (var start = 0; start < length; start += unit)
            {
                var end = (int)Math.Min(start + unit, length);
                int[] values;
                try
                {
                    values = (await array.ReadAsync([Slice.Range(start, end)])).ToArray();
                }
                catch (Exception e)
                {
                    problems.Add($"array {name}: elements {start}..{end} do not decode: {e.Message}");
                    continue;
                }

                if (!values.AsSpan().SequenceEqual(pair.Before.Values.AsSpan(start, end - start))
                    && !values.AsSpan().SequenceEqual(pair.After.Values.AsSpan(start, end - start)))
                {
                    problems.Add($"array {name}: elements {start}..{end} are torn: [{string.Join(',', values)}]");
                }
            }
        }

        return problems;
    }

    // The key of the call the fault injector failed: the injected ZarrStoreException is the one whose cause says "(injected)".
    private static string? InjectedKey(Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (e is ZarrStoreException { Key: { } key } && e.InnerException?.Message.Contains("(injected)", StringComparison.Ordinal) == true)
            {
                return key;
            }
        }

        return null;
    }

    // The key of the write the full disk refused: the ZarrStoreException whose cause is the system's ENOSPC.
    private static string? DiskFullKey(Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            if (e is ZarrStoreException { Key: { } key } && e.InnerException is IOException { HResult: Enospc })
            {
                return key;
            }
        }

        return null;
    }

    // Counts this process's descriptors that point under the folder: other tests' and threads' handles are not counted.
    private static int OpenHandlesUnder(string folder)
    {
        var count = 0;
        foreach (var fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(folder + "/", StringComparison.Ordinal))
                {
                    count++;
                }
            }
            catch (IOException)
            {
                // Closed while we looked.
            }
        }

        return count;
    }

    private static IEnumerable<long> LongRange(long first, long last)
    {
        for (var n = first; n <= last; n++)
        {
            yield return n;
        }
    }

    private sealed class Tally
    {
        public long Typed;
        public long Succeeded;
        public long Torn;
        public long Leaks;
        public readonly ConcurrentBag<string> Problems = [];

        public void Report(ITestOutputHelper output, string id, long runs)
        {
            ReliabilityFigures.Report(output, id, ("runs", runs), ("typed", Typed), ("succeeded", Succeeded), ("untyped", runs - Typed - Succeeded), ("torn", Torn), ("leaks", Leaks));
            foreach (var problem in Problems.Take(20))
            {
                output.WriteLine(problem);
            }
        }

        public void AssertClean() => Assert.Empty(Problems);
    }
}
