using System.Globalization;
using System.Numerics.Tensors;
using System.Threading.Tasks.Dataflow;
using Zarr.Dataflow.Blocks;
using Zarr.Dataflow;
using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;

namespace Zarr.Benchmarks;

/// <summary>One workload: untimed setup before every repetition, the timed run, and an untimed check at the end.</summary>
internal sealed record Workload(Func<Task> Setup, Func<Task> Run, Func<Task<Dictionary<string, object?>>> Post);

/// <summary>
/// The workloads of ../shared/bench/peer_zarr.py under the same names, on the same data, chunks and codecs (Zarr v2,
/// '.' keys), plus the realistic ones (benchmarks/peer_real.py), the c-blosc ceilings and the engine's stage scaling.
/// </summary>
internal static class Workloads
{
    /// <summary>
    /// The side of the square arrays: 8192, as the peer's, unless <c>BENCH_N</c> says otherwise (a multiple of 1024 up
    /// to 32768, where arange(N²) · 2 + 1 still fits an int32): the same workloads 4× or 16× longer, for comparing two
    /// builds of ours where 20–80 ms runs are too short to rise above a shared machine's noise. Ours against ours only:
    /// the peer's scripts and their arrays are 8192².
    /// </summary>
    public static readonly int N = Side();
    public static readonly long NBytes = (long)N * N * 4;

    public static readonly string[] All =
    [
        "ceiling-lz4", "ceiling-zstd3", "ceiling-real",
        "W1-lz4", "W2-lz4", "W2c-lz4", "W1-c128", "W2-c128", "W2c-c128",
        "W1-zstd3", "W2-zstd3", "W1-raw", "W2-raw", "W2c-raw",
        "W3-sum", "W3-mean0", "W3-sum-c128", "W4",
        "W1-real", "W2-real", "W3-real-sum",
        "stage-decode", "stage-encode", "stage-decode-real", "stage-encode-real",
    ];

    private static int _sequence;
    private static int[]? _data;
    private static float[]? _real;

    public static string Root { get; } = Environment.GetEnvironmentVariable("BENCH_ROOT") ?? "/tmp/zarrbench/dotnet";

    private static int Side()
    {
        var text = Environment.GetEnvironmentVariable("BENCH_N");
        if (string.IsNullOrEmpty(text))
        {
            return 8192;
        }

        return int.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1024 && n <= 32768 && n % 1024 == 0
            ? n
            : throw new ArgumentException($"BENCH_N={text}: the side must be a multiple of 1024 from 1024 to 32768");
    }

    /// <summary>arange(N²) as int32, built once per process and touched (untimed, as the peer's data()).</summary>
    public static int[] Data()
    {
        if (_data is null)
        {
            var d = GC.AllocateUninitializedArray<int>(N * N);
            Parallel.For(0, N, i =>
            {
                var row = d.AsSpan(i * N, N);
                for (var j = 0; j < N; j++)
                {
                    row[j] = (i * N) + j;
                }
            });
            _data = d;
        }

        return _data;
    }

    public static float[] Real() => _real ??= RealData.Create(N);

    public static ArrayOptions Options(string variant) => variant switch
    {
        "lz4" or "real" => new ArrayOptions { Format = ZarrFormat.V2, Chunks = [1024, 1024], Compressors = [Lz4()] },
        "c128" => new ArrayOptions { Format = ZarrFormat.V2, Chunks = [128, 128], Compressors = [Lz4()] },
        "zstd3" => new ArrayOptions { Format = ZarrFormat.V2, Chunks = [1024, 1024], Compressors = [new BloscCodec(BloscCompressor.Zstd, 3, BloscShuffle.Shuffle, 4)] },
        "raw" => new ArrayOptions { Format = ZarrFormat.V2, Chunks = [1024, 1024], Compressors = [] },
        _ => throw new ArgumentException("unknown variant " + variant),
    };

    private static BloscCodec Lz4() => new(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 4);

    public static string PathOf(string name) => System.IO.Path.Combine(Root, name + ".zarr");

    /// <summary>A directory that does not exist yet (pid + counter): no deletes during a run.</summary>
    public static string NewPath(string name)
    {
        while (true)
        {
            var p = PathOf(string.Create(CultureInfo.InvariantCulture, $"{name}-{Environment.ProcessId}-{_sequence++}"));
            if (!Directory.Exists(p))
            {
                return p;
            }
        }
    }

    /// <summary>The source array of a variant (built once, by whichever workload needs it first).</summary>
    public static async Task<string> EnsureSourceAsync(string variant)
    {
        var p = PathOf("src-" + variant);
        if (!File.Exists(System.IO.Path.Combine(p, ".zarray")))
        {
            Console.Error.WriteLine($"building {p}");
            var store = new DirectoryStore(p);
            if (variant == "real")
            {
                var z = await ZarrArray.CreateAsync<float>(store, "", [N, N], Options(variant), overwrite: true);
                await z[.., ..].WriteAsync(Real());
            }
            else
            {
                var z = await ZarrArray.CreateAsync<int>(store, "", [N, N], Options(variant), overwrite: true);
                await z[.., ..].WriteAsync(Data());
            }
        }

        return p;
    }

    /// <summary>Uncompressed bytes over stored bytes (every file of the array, as zarr's nbytes_stored).</summary>
    public static double RatioOf(string path)
    {
        long stored = 0;
        foreach (var f in Directory.EnumerateFiles(path))
        {
            stored += new FileInfo(f).Length;
        }

        return NBytes / (double)stored;
    }

    public static Workload Get(string name)
    {
        if (name == "W4")
        {
            return MapStore();
        }

        var dash = name.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            throw new ArgumentException("unknown workload " + name);
        }

        var kind = name[..dash];
        var variant = name[(dash + 1)..];
        return kind switch
        {
            "W1" when variant == "real" => Write<float>(variant, Real),
            "W1" => Write<int>(variant, Data),
            "W2" or "W2c" when variant == "real" => Read<float>(variant, kind == "W2c", t => t[N - 1, N - 1] > 0),
            "W2" or "W2c" => Read<int>(variant, kind == "W2c", t => t[N - 1, N - 1] == (N * N) - 1),
            "W3" => Reduce(variant),
            _ => throw new ArgumentException("unknown workload " + name),
        };
    }

    private static Workload Write<T>(string variant, Func<T[]> data)
        where T : unmanaged
    {
        ZarrArray<T>? z = null;
        string? path = null;
        return new Workload(
            async () =>
            {
                path = NewPath("w1-" + variant);
                z = await ZarrArray.CreateAsync<T>(new DirectoryStore(path), "", [N, N], Options(variant));
                _ = data();
                Machine.Sync();
            },
            () => z![.., ..].WriteAsync(data()),
            () => Task.FromResult(new Dictionary<string, object?> { ["ratio"] = RatioOf(path!) }));
    }

    private static Workload Read<T>(string variant, bool cold, Func<Tensor<T>, bool> check)
        where T : unmanaged
    {
        ZarrArray<T>? z = null;
        string? path = null;
        return new Workload(
            async () =>
            {
                path = await EnsureSourceAsync(variant);
                if (cold)
                {
                    Machine.DropCaches();
                }

                z = await ZarrArray.OpenAsync<T>(new DirectoryStore(path), "");
            },
            async () =>
            {
                Tensor<T>? a = await z![.., ..].ReadAsync();
                if (!check(a))
                {
                    throw new InvalidOperationException("wrong value read");
                }

                // The result dies here, as numpy's does when run() returns (the state machine would keep it otherwise).
                a = null;
                GC.KeepAlive(a);
            },
            () => Task.FromResult(new Dictionary<string, object?> { ["ratio"] = RatioOf(path!) }));
    }

    private static Workload Reduce(string variant)
    {
        var parts = variant.Split('-');
        var op = parts[0];
        var source = parts.Length > 1 ? parts[1] : "lz4";
        string? path = null;
        if (variant == "real-sum")
        {
            ZarrArray<float>? f = null;
            return new Workload(
                async () =>
                {
                    path = await EnsureSourceAsync("real");
                    f = await ZarrArray.OpenAsync<float>(new DirectoryStore(path), "");
                },
                async () =>
                {
                    var s = await Lazy.From(f!).SumAsync();
                    if (Math.Abs((s / ((double)N * N)) - 20) > 1)
                    {
                        throw new InvalidOperationException($"wrong sum {s}");
                    }
                },
                () => Task.FromResult(new Dictionary<string, object?> { ["ratio"] = RatioOf(path!) }));
        }

        ZarrArray<int>? z = null;
        return new Workload(
            async () =>
            {
                path = await EnsureSourceAsync(source);
                z = await ZarrArray.OpenAsync<int>(new DirectoryStore(path), "");
            },
            async () =>
            {
                if (op == "sum")
                {
                    var s = await Lazy.From(z!).SumInt64Async();
                    if (s != ((long)N * N - 1) * N * N / 2)
                    {
                        throw new InvalidOperationException($"wrong sum {s}");
                    }
                }
                else if (op == "mean0")
                {
                    var m = await Lazy.From(z!).MeanAsync([0]);
                    if (m.Lengths[0] != N || m[0] != (N - 1) * (double)N / 2)
                    {
                        throw new InvalidOperationException($"wrong mean {m[0]}");
                    }
                }
                else
                {
                    throw new ArgumentException("unknown W3 operation " + op);
                }
            },
            () => Task.FromResult(new Dictionary<string, object?> { ["ratio"] = RatioOf(path!) }));
    }

    private static Workload MapStore()
    {
        ZarrArray<int>? z = null;
        string? output = null;
        return new Workload(
            async () =>
            {
                z = await ZarrArray.OpenAsync<int>(new DirectoryStore(await EnsureSourceAsync("lz4")), "");
                output = NewPath("w4-out");
                Machine.Sync();
            },
            async () =>
            {
                // As dask's to_zarr: the new array (default blosc lz4-5 shuffle, the source's chunks) is created in the timed part.
                await (Lazy.From(z!) * 2 + 1).StoreAsync(new DirectoryStore(output!), "", Options("lz4"));
            },
            async () =>
            {
                var r = await ZarrArray.OpenAsync<int>(new DirectoryStore(output!), "");
                var last = await r.GetValueAsync([N - 1, N - 1]);
                if (last != ((N * N) - 1) * 2 + 1)
                {
                    throw new InvalidOperationException($"wrong value {last}");
                }

                return new Dictionary<string, object?> { ["ratio"] = RatioOf(output!) };
            });
    }

    // ---------------------------------------------------------------- the ceiling: c-blosc through our P/Invoke, chunk-parallel

    /// <summary>The 64 chunks of 1024² of the array as contiguous buffers (what a decoded chunk is).</summary>
    internal static byte[][] Chunks<T>(T[] data)
        where T : unmanaged
    {
        const int c = 1024;
        var chunks = new byte[(N / c) * (N / c)][];
        Parallel.For(0, chunks.Length, k =>
        {
            var (ci, cj) = (k / (N / c), k % (N / c));
            var chunk = new byte[c * c * 4];
            var dst = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(chunk.AsSpan());
            for (var r = 0; r < c; r++)
            {
                new ReadOnlySpan<T>(data, (((ci * c) + r) * N) + (cj * c), c).CopyTo(dst.Slice(r * c, c));
            }

            chunks[k] = chunk;
        });
        return chunks;
    }

    /// <summary>
    /// Compresses and decompresses the chunks with c-blosc (one single-threaded contextual call per chunk, chunks in
    /// parallel on every core), into buffers allocated once: no store, no indexing. Decompression is the median.
    /// </summary>
    public static async Task<Dictionary<string, object?>> CeilingAsync(string variant, int reps, Action<string> log)
    {
        var chunks = variant == "real" ? Chunks(Real()) : Chunks(Data());
        var blosc = variant == "zstd3"
            ? new BloscCodec(BloscCompressor.Zstd, 3, BloscShuffle.Shuffle, typeSize: 4, implementation: BloscImplementation.Native)
            : new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, typeSize: 4, implementation: BloscImplementation.Native);
        var encoded = chunks.Select(c => new byte[blosc.GetMaxEncodedLength(c.Length)]).ToArray();
        var lengths = new int[chunks.Length];
        var decoded = chunks.Select(c => new byte[c.Length]).ToArray();
        var options = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        void Compress() => Parallel.For(0, chunks.Length, options, k => lengths[k] = blosc.TryEncode(chunks[k], encoded[k], out var written) ? written : throw new InvalidOperationException("a chunk did not fit its maximum encoded length"));
        void Decompress() => Parallel.For(0, chunks.Length, options, k => blosc.Decode(encoded[k].AsSpan(0, lengths[k]), decoded[k]));
        void DecompressOneThread()
        {
            for (var k = 0; k < chunks.Length; k++)
            {
                blosc.Decode(encoded[k].AsSpan(0, lengths[k]), decoded[k]);
            }
        }

        // As a pipeline stage decodes: into one buffer per thread, used again for every chunk (it stays in cache).
        var reused = new byte[2][];
        reused[0] = new byte[chunks[0].Length];
        reused[1] = new byte[chunks[0].Length];
        void DecompressReused(int threads) => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            for (var k = t; k < chunks.Length; k += threads)
            {
                blosc.Decode(encoded[k].AsSpan(0, lengths[k]), reused[t]);
            }
        });

        Compress();
        Decompress();
        DecompressReused(1);
        DecompressReused(2);
        var c = new List<double>();
        var d = new List<double>();
        var d1 = new List<double>();
        var r1 = new List<double>();
        var r2 = new List<double>();
        for (var r = 0; r < reps; r++)
        {
            Machine.WaitQuiet();
            c.Add(Time(Compress));
            d.Add(Time(Decompress));
            d1.Add(Time(DecompressOneThread));
            r1.Add(Time(() => DecompressReused(1)));
            r2.Add(Time(() => DecompressReused(2)));
            log($"  rep {r}: compress {c[^1]:F4}s decompress {d[^1]:F4}s (1 thread {d1[^1]:F4}s; into a reused buffer per thread: 1 thread {r1[^1]:F4}s, 2 threads {r2[^1]:F4}s)");
        }

        for (var k = 0; k < chunks.Length; k++)
        {
            if (!decoded[k].AsSpan().SequenceEqual(chunks[k]))
            {
                throw new InvalidOperationException("the ceiling's round trip is wrong");
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
        var cm = Stats.Median(c);
        return new Dictionary<string, object?>
        {
            ["walls"] = d,
            ["ratio"] = NBytes / (double)lengths.Sum(),
            ["compress_median_s"] = cm,
            ["compress_GBps_median"] = NBytes / cm / 1e9,
            ["compress_walls"] = c,
            ["decompress_1thread_median_s"] = Stats.Median(d1),
            ["decompress_scaling_2t_over_1t"] = Stats.Median(d1) / Stats.Median(d),
            ["decompress_reused_1thread_median_s"] = Stats.Median(r1),
            ["decompress_reused_2threads_median_s"] = Stats.Median(r2),
            ["decompress_reused_scaling_2t_over_1t"] = Stats.Median(r1) / Stats.Median(r2),
        };
    }

    // ---------------------------------------------------------------- issue 3: the engine's decode and encode stages, 1 vs 2 workers

    /// <summary>
    /// How many times a repetition sends each chunk. One pass of 2 workers lasts about 12 ms, of which the start (workers
    /// waking, the first chunks' buffers coming back into cache) is a millisecond or two; four passes measure the
    /// stage's steady throughput rather than its start.
    /// </summary>
    private const int StagePasses = 4;

    /// <summary>
    /// Pushes the 64 chunks of 4 MiB of the lz4 array, <see cref="StagePasses"/> times over, through one engine stage
    /// (decode: the encoded chunks, read beforehand; encode: the decoded chunks) with 1 worker and with 2, alternately.
    /// The messages are built before the clock starts and queued at once; the clock stops when the stage's last output
    /// has been disposed by a consumer of bounded capacity, as in the engine's own pipelines.
    /// </summary>
    public static async Task<Dictionary<string, object?>> StageScalingAsync(string name, int reps, Action<string> log)
    {
        var real = name.EndsWith("-real", StringComparison.Ordinal);
        var stage = real ? name[..^"-real".Length] : name;
        var variant = real ? "real" : "lz4";
        var z = await ZarrArray.OpenAsync(new DirectoryStore(await EnsureSourceAsync(variant)), "");
        var requests = ChunkBlocks.Requests(z.Grid).ToArray();
        var encodedBytes = new byte[requests.Length][];
        for (var k = 0; k < requests.Length; k++)
        {
            using var e = await z.ChunkStorage.FetchAsync(requests[k].Coordinates.ToArray());
            encodedBytes[k] = e!.Span.ToArray();
        }

        var decodedBytes = real ? Chunks(Real()) : Chunks(Data());
        var target = real
            ? (ZarrArray)await ZarrArray.CreateAsync<float>(new DirectoryStore(NewPath("stage-encode")), "", [N, N], Options(variant))
            : await ZarrArray.CreateAsync<int>(new DirectoryStore(NewPath("stage-encode")), "", [N, N], Options(variant));

        // The stage's queue takes every message at once (the feeding is not measured), and a block on the thread pool
        // disposes the outputs. That block's queue is bounded: unbounded, it fell behind now and then while both cores
        // were decoding, and the stage went on decoding into fresh buffers (up to 29 of them instead of 3, out of cache).
        static async Task<Rep> Drive<TIn, TOut>(IPropagatorBlock<TIn, TOut> block, TIn[] messages)
            where TOut : IDisposable
        {
            var drain = new ActionBlock<TOut>(m => m.Dispose(), new ExecutionDataflowBlockOptions { BoundedCapacity = 2 });
            block.LinkTo(drain, new DataflowLinkOptions { PropagateCompletion = true });

            // The previous run's 1 GiB of messages goes now, not while the clock runs (with the finalizer that trims the
            // pools); a running pipeline's pool of decoded chunks holds the buffers it cycles through, so that pool gets
            // a few (written, so mapped). Then the machine's quiet is waited for, right before the clock.
            GC.Collect();
            GC.WaitForPendingFinalizers();
            foreach (var b in Enumerable.Range(0, 8).Select(_ => PooledBuffer.RentDecoded(1024 * 1024 * 4)).ToArray())
            {
                b.Span.Clear();
                b.Dispose();
            }

            Machine.WaitQuiet();
            var rep = new Rep();
            rep.Start();
            foreach (var m in messages)
            {
                if (!block.Post(m))
                {
                    throw new InvalidOperationException("the stage declined a message: its capacity is below the messages sent");
                }
            }

            block.Complete();
            await drain.Completion;
            rep.Stop();
            return rep;
        }

        Task<Rep> RunOnce(int workers)
        {
            var options = new StageOptions { MaxDegreeOfParallelism = workers, BoundedCapacity = requests.Length * StagePasses };
            var passes = Enumerable.Range(0, StagePasses).SelectMany(_ => requests.Select((r, k) => (Request: r, Index: k)));
            if (stage == "decode")
            {
                var messages = passes.Select(m => new EncodedChunk(m.Request.Coordinates.ToArray(), m.Request.Region, z.GetChunkKey(m.Request.Coordinates), Touched(encodedBytes[m.Index]))).ToArray();
                return Drive(ChunkBlocks.Decode(z, options), messages);
            }

            var decoded = passes.Select(m => new DecodedChunk(m.Request.Coordinates.ToArray(), m.Request.Region, [1024, 1024], 4, PooledBuffer.CopyOf(decodedBytes[m.Index]))).ToArray();
            return Drive(ChunkBlocks.Encode(target, options), decoded);
        }

        // A copy in a pooled buffer whose every page has been written: the realistic array's 3 MiB encoded chunks come in
        // 4 MiB buffers, and a fresh buffer's untouched last pages would fault when the decoder reuses it for a chunk.
        // The pool hands out the array returned last (a stack), so writing the whole of one and returning it touches every
        // page of the array the copy then lands in.
        static PooledBuffer Touched(byte[] bytes)
        {
            int capacity;
            using (var probe = PooledBuffer.Rent(bytes.Length))
            {
                capacity = probe.Capacity;
            }

            using (var whole = PooledBuffer.Rent(capacity))
            {
                whole.Span.Clear();
            }

            return PooledBuffer.CopyOf(bytes);
        }

        await RunOnce(1);
        await RunOnce(2);
        var one = new List<double>();
        var two = new List<double>();
        var noisy = 0;
        for (var r = 0; r < reps; r++)
        {
            // Which goes first alternates, so that neither count always follows the other's run.
            var first = r % 2 == 0 ? 1 : 2;
            var a0 = GC.GetTotalAllocatedBytes(true);
            var ra = await RunOnce(first);
            var a1 = GC.GetTotalAllocatedBytes(true);
            var rb = await RunOnce(3 - first);
            var a2 = GC.GetTotalAllocatedBytes(true);
            var (r1, r2) = first == 1 ? (ra, rb) : (rb, ra);
            var (m1Alloc, m2Alloc) = first == 1 ? (a1 - a0, a2 - a1) : (a2 - a1, a1 - a0);
            one.Add(r1.Wall);
            two.Add(r2.Wall);
            noisy += r1.Noisy || r2.Noisy ? 1 : 0;
            log($"  rep {r}: 1 worker {r1.Wall:F4}s cpu={r1.OwnCpu / r1.Wall:F2} foreign={r1.ForeignCpu:F3}s minflt={r1.MinorFaults}, 2 workers {r2.Wall:F4}s cpu={r2.OwnCpu / r2.Wall:F2} foreign={r2.ForeignCpu:F3}s minflt={r2.MinorFaults} (allocated {m1Alloc / 1048576.0:F1} / {m2Alloc / 1048576.0:F1} MiB; {first} worker{(first == 1 ? "" : "s")} first)");
        }

        var m1 = Stats.Median(one);
        var m2 = Stats.Median(two);
        return new Dictionary<string, object?>
        {
            ["walls"] = two,
            ["passes"] = StagePasses,
            ["nbytes"] = NBytes * StagePasses,
            ["ratio"] = RatioOf(PathOf("src-" + variant)),
            ["median_1w_s"] = m1,
            ["median_2w_s"] = m2,
            ["walls_1w"] = one,
            ["scaling_2w_over_1w"] = m1 / m2,

            // Optimistic: the quickest run of each count, which favours the noisier one.
            ["scaling_best_2w_over_1w"] = one.Min() / two.Min(),
            ["noisy_reps"] = noisy,
        };
    }

    private static double Time(Action action)
    {
        var t0 = System.Diagnostics.Stopwatch.GetTimestamp();
        action();
        return System.Diagnostics.Stopwatch.GetElapsedTime(t0).TotalSeconds;
    }
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[(s.Length / 2) - 1] + s[s.Length / 2]) / 2;
    }
}
