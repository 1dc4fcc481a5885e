using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Zarr.Storage;
using Zarr.Storage.S3;

namespace Zarr.Benchmarks;

/// <summary>
/// Issue 12's object store figures, against a real Ceph RGW on loopback (ObjectStoreServer: reused from ZARR_S3_* or
/// started by scripts/services/rgw.sh). One uncompressed float32 array of 1,000 chunks of 1 MiB is written once; then,
/// each repetition measuring every pass once, in turn, so that the machine's drift falls on all of them alike:
/// <list type="number">
/// <item>reading its 1,000 chunk objects with 64 requests in flight through our <see cref="S3Store"/>, plain (the
/// transfer time) and wrapped in a <see cref="FaultInjectingStore"/> that delays each request by 20 ms; the latter
/// against the theory 1,000 × 20 ms / 64 + the transfer time; the same for 1,000 objects of 4 KiB, where the latency,
/// not the transfer, is what the concurrency has to hide;</item>
/// <item>the whole array read through the library (64 chunks in flight) against a plain AWSSDK <c>GetObject</c> loop
/// with 64 requests in flight on the same objects, each body read into a pooled buffer as the store does; and with
/// 20 ms a request, the array opened with 64 chunks in flight and with the default (the CPU count);</item>
/// <item>the requests a read of one inner chunk of a 64-chunk shard costs, counted by the SDK client's request event.</item>
/// </list>
/// Medians of the repetitions, with this process's CPU time and the rest of the machine's (RGW's, on loopback); markdown
/// on stdout, progress on stderr. What it wrote is deleted at the end (RGW's memstore holds 2 GiB).
/// </summary>
internal static class ObjectStoreWorkloads
{
    private const int Objects = 1000;
    private const int ChunkElements = 1 << 18; // float32: 1 MiB a chunk
    private const int Concurrency = 64;
    private const int SmallObjectBytes = 4096;
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(20);

    public static async Task<int> RunAsync(int reps)
    {
        await using var server = await ObjectStoreServer.StartOrReuseAsync();
        Console.Error.WriteLine($"objectstores: RGW at {server.Endpoint} ({(server.Started ? "started for this run" : "from ZARR_S3_ENDPOINT")}), reps={reps}");
        using var sdk = server.NewClient(Concurrency);
        var bucket = "bench-" + Guid.NewGuid().ToString("N")[..12];
        await sdk.PutBucketAsync(new PutBucketRequest { BucketName = bucket });
        var options = S3StoreOptions.ForServer(server.Endpoint, server.Credentials, server.Region);
        options.MaxConcurrency = Concurrency;
        using var store = new S3Store(bucket, "objects", options);

        var clock = Stopwatch.StartNew();
        var shape = new long[] { (long)Objects * ChunkElements };
        var created = await ZarrArray.CreateAsync<float>(store, "a", shape, new ArrayOptions { Chunks = [ChunkElements], Compressors = [], MaxDegreeOfParallelism = Concurrency });
        var values = new float[Objects * ChunkElements];
        new Random(12).NextBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
        await created.WriteAsync([Slice.All], values);
        var keys = new List<string>();
        await foreach (var entry in store.ListPrefixAsync("a/c/"))
        {
            keys.Add(entry.Key);
        }

        if (keys.Count != Objects)
        {
            throw new InvalidOperationException($"{keys.Count} chunk objects written, not {Objects}");
        }

        Console.Error.WriteLine($"objectstores: wrote {Objects} chunks of 1 MiB in {clock.Elapsed.TotalSeconds:F1} s");

        // The same count of small objects: there the 20 ms, not the transfer, is what the concurrency has to hide.
        var small = new byte[SmallObjectBytes];
        await Parallel.ForEachAsync(Enumerable.Range(0, Objects), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, ct) =>
            await store.SetAsync($"small/{i}", small, ct));
        var smallKeys = Enumerable.Range(0, Objects).Select(i => $"small/{i}").ToList();

        var delayed = FaultInjectingStore.Wrap(store, new FaultInjectingStoreOptions { Delay = Latency, Operations = FaultOperations.Read });
        var array = await ZarrArray.OpenOrCreateAsync<float>(store, "a", AccessMode.Append, shape, new ArrayOptions { MaxDegreeOfParallelism = Concurrency });
        var slowArray = await ZarrArray.OpenOrCreateAsync<float>(delayed, "a", AccessMode.Append, shape, new ArrayOptions { MaxDegreeOfParallelism = Concurrency });
        var slowArrayByDefault = await ZarrArray.OpenAsync<float>(delayed, "a");
        var destination = new float[values.Length];
        var arrayBytes = (long)Objects * ChunkElements * sizeof(float);
        var passes = new Pass[]
        {
            new("store, no latency", arrayBytes, () => ReadThroughStoreAsync(store, keys)),
            new("store, 20 ms a request", arrayBytes, () => ReadThroughStoreAsync(delayed, keys)),
            new("AWSSDK GetObject loop", arrayBytes, () => ReadThroughSdkAsync(sdk, bucket, "objects/", keys)),
            new("array, 64 chunks in flight", arrayBytes, () => ReadArrayAsync(array, destination)),
            new("array, 64 chunks in flight, 20 ms a request", arrayBytes, () => ReadArrayAsync(slowArray, destination)),
            new($"array opened with defaults ({slowArrayByDefault.MaxDegreeOfParallelism} chunks in flight), 20 ms a request", arrayBytes, () => ReadArrayAsync(slowArrayByDefault, destination)),
            new($"{Objects:N0} objects of {SmallObjectBytes / 1024} KiB, store, no latency", (long)Objects * SmallObjectBytes, () => ReadThroughStoreAsync(store, smallKeys)),
            new($"{Objects:N0} objects of {SmallObjectBytes / 1024} KiB, store, 20 ms a request", (long)Objects * SmallObjectBytes, () => ReadThroughStoreAsync(delayed, smallKeys)),
        };
        var seconds = passes.Select(_ => new List<double>()).ToArray();
        var ownCpu = passes.Select(_ => new List<double>()).ToArray();
        var othersCpu = passes.Select(_ => new List<double>()).ToArray();
        for (var rep = 0; rep <= reps; rep++)
        {
            // Each repetition starts at another pass, so that no pass always follows the same one.
            for (var n = 0; n < passes.Length; n++)
            {
                var i = (n + rep) % passes.Length;
                GC.Collect();
                var (busyBefore, _) = Machine.CpuTimes();
                var cpuBefore = Machine.OwnCpu();
                clock.Restart();
                var bytes = await passes[i].Run();
                var elapsed = clock.Elapsed.TotalSeconds;
                var own = Machine.OwnCpu() - cpuBefore;
                var others = Machine.CpuTimes().Busy - busyBefore - own;
                if (bytes != passes[i].Bytes)
                {
                    throw new InvalidOperationException($"{passes[i].Name} read {bytes} bytes, not {passes[i].Bytes}");
                }

                if (rep > 0)
                {
                    // Repetition 0 warms the connections and the JIT.
                    seconds[i].Add(elapsed);
                    ownCpu[i].Add(own);
                    othersCpu[i].Add(others);
                }

                Console.Error.WriteLine($"objectstores: rep {rep} {passes[i].Name}: {elapsed:F3} s, own CPU {own:F2} s, others' CPU {others:F2} s");
            }
        }

        if (!destination.AsSpan().SequenceEqual(values))
        {
            throw new InvalidOperationException("the array read back differs from what was written");
        }

        var shardRequests = await CountShardReadRequestsAsync(server, bucket);
        await store.DeletePrefixAsync("a/");
        await store.DeletePrefixAsync("small/");

        var median = seconds.Select(Median).ToArray();
        var transfer = median[0];
        var theory = Objects * Latency.TotalSeconds / Concurrency + transfer;
        var latencyRatio = median[1] / theory;
        var arrayLatencyRatio = median[4] / theory;
        var smallTheory = Objects * Latency.TotalSeconds / Concurrency + median[6];
        var smallRatio = median[7] / smallTheory;
        var arrayRatio = median[2] / median[3]; // throughput ours / SDK = time SDK / time ours
        var storeRatio = median[2] / median[0];

        var w = Console.Out;
        w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ceph RGW 16 (memstore OSD) on 127.0.0.1, {Machine.Cpus} CPUs shared with other work, .NET {Environment.Version}; {Objects} objects of 1 MiB (an uncompressed float32 array, 1 chunk = 1 object), {Concurrency} requests in flight, medians of {reps} repetitions after a warm-up one. Own CPU: this process (client side); others' CPU: the rest of the machine meanwhile (RGW, and whatever else ran)."));
        w.WriteLine();
        w.WriteLine("| pass | median | throughput | own CPU | others' CPU |");
        w.WriteLine("|---|---:|---:|---:|---:|");
        for (var i = 0; i < passes.Length; i++)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {passes[i].Name} | {median[i] * 1000:F0} ms | {passes[i].Bytes / (double)(1 << 20) / median[i]:F1} MiB/s | {Median(ownCpu[i]):F2} s | {Median(othersCpu[i]):F2} s |"));
        }

        w.WriteLine();
        w.WriteLine("| target | measured | result |");
        w.WriteLine("|---|---:|---|");
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| 1,000 × 1 MiB at 64 in flight, 20 ms a request, ≤ 1.5 × theory (1,000 × 20 ms / 64 + transfer {transfer * 1000:F0} ms = {theory * 1000:F0} ms) | {median[1] * 1000:F0} ms = {latencyRatio:F2} × theory | {Verdict(latencyRatio <= 1.5)} |"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| the same through a whole-array read (64 chunks in flight) | {median[4] * 1000:F0} ms = {arrayLatencyRatio:F2} × theory | {Verdict(arrayLatencyRatio <= 1.5)} |"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| 1,000 × {SmallObjectBytes / 1024} KiB (latency-bound), theory {smallTheory * 1000:F0} ms | {median[7] * 1000:F0} ms = {smallRatio:F2} × theory | {Verdict(smallRatio <= 1.5)} |"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| whole-array read throughput ≥ 90% of an AWSSDK GetObject loop (64 in flight, same objects) | {arrayRatio:P0} | {Verdict(arrayRatio >= 0.9)} |"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| (the store's own reads, no array, against the same loop) | {storeRatio:P0} | {Verdict(storeRatio >= 0.9)} |"));
        w.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| one inner chunk of a 64-chunk shard costs 2 requests | {shardRequests} requests | {Verdict(shardRequests == 2)} |"));
        return 0;
    }

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static async Task<long> ReadArrayAsync(ZarrArray<float> array, float[] destination)
    {
        await array.ReadIntoAsync([Slice.All], destination);
        return (long)destination.Length * sizeof(float);
    }

    private static async Task<long> ReadThroughStoreAsync(IStore store, List<string> keys)
    {
        long bytes = 0;
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (key, ct) =>
        {
            using var value = await store.GetAsync(key, null, ct) ?? throw new InvalidOperationException(key + " is missing");
            Interlocked.Add(ref bytes, value.Length);
        });
        return bytes;
    }

    // The baseline a user without this library would write: GetObject with the same concurrency, each body read whole
    // into a pooled buffer (the store hands out pooled buffers too).
    private static async Task<long> ReadThroughSdkAsync(IAmazonS3 client, string bucket, string prefix, List<string> keys)
    {
        long bytes = 0;
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (key, ct) =>
        {
            using var response = await client.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = prefix + key }, ct);
            var length = (int)response.ContentLength;
            var buffer = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                await response.ResponseStream.ReadExactlyAsync(buffer.AsMemory(0, length), ct);
                Interlocked.Add(ref bytes, length);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });
        return bytes;
    }

    // As ArrayOnS3Tests does: every request the store's client sends while one inner chunk is read.
    private static async Task<int> CountShardReadRequestsAsync(ObjectStoreServer server, string bucket)
    {
        using var client = server.NewClient(Concurrency);
        var requests = 0;
        client.BeforeRequestEvent += (_, e) =>
        {
            if (e is WebServiceRequestEventArgs)
            {
                Interlocked.Increment(ref requests);
            }
        };
        var options = S3StoreOptions.ForServer(server.Endpoint, server.Credentials, server.Region);
        options.Client = client;
        using var store = new S3Store(bucket, "shard", options);
        var array = await ZarrArray.CreateAsync<int>(store, "s", [64 * 4096], new ArrayOptions { Shards = [64 * 4096], Chunks = [4096] });
        await array.WriteAsync([Slice.All], Enumerable.Range(0, 64 * 4096).ToArray());
        var opened = await ZarrArray.OpenAsync<int>(store, "s");
        Interlocked.Exchange(ref requests, 0);
        var part = await opened.ReadAsync([Slice.Range(33 * 4096, 34 * 4096)]);
        var counted = Volatile.Read(ref requests);
        await store.DeletePrefixAsync("s/");
        if (!part.ToArray().AsSpan().SequenceEqual(Enumerable.Range(33 * 4096, 4096).ToArray()))
        {
            throw new InvalidOperationException("the inner chunk read back differs from what was written");
        }

        return counted;
    }

    private sealed record Pass(string Name, long Bytes, Func<Task<long>> Run);

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
