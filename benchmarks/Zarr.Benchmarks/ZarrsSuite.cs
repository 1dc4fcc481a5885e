using System.Globalization;
using Zarr.Dataflow;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Benchmarks;

/// <summary>
/// Issue 18: the workloads of zarrs' benchmark suite (zarrs/zarr_benchmarks) on its arrays: 1024³ <c>uint16</c>
/// (2 GiB) as <c>raw</c> (256³ chunks, no compression), <c>zstd</c> (256³ chunks, zstd level 0) and <c>shard</c>
/// (256³ shards of 64³ inner chunks, zstd 0 inside), Zarr v3; plus <c>zstd64</c> (64³ chunks, zstd 0), the same bytes
/// as the shard's inner chunks unsharded, the reference of the inner-chunk reads.
/// </summary>
/// <remarks>
/// Workloads <c>zs-KIND-LAYOUT</c>: <c>read-all</c> (the whole array into one buffer), <c>read-chunks</c> (every chunk,
/// or shard, as its own read, 2 at a time), <c>read-inner</c> (every 64³ region, 2 at a time), <c>roundtrip</c> (read
/// and rewrite into a new array of the same metadata, chunk by chunk, through the engine's streaming store). Values are
/// zarrs' generator's: <c>(x + y²/32 + z³) mod 65536</c> at (z, y, x).
/// </remarks>
internal static class ZarrsSuite
{
    public const int N = 1024;
    public const long NBytes = (long)N * N * N * 2;

    public static readonly string[] Layouts = ["raw", "zstd", "shard", "zstd64"];

    public static readonly string[] Names =
    [
        "zs-read-all-raw", "zs-read-all-zstd", "zs-read-all-shard",
        "zs-read-chunks-raw", "zs-read-chunks-zstd", "zs-read-chunks-shard",
        "zs-read-inner-shard", "zs-read-inner-zstd64",
        "zs-roundtrip-raw", "zs-roundtrip-zstd", "zs-roundtrip-shard",
    ];

    private static ushort[]? _all;

    public static string Root { get; } = Environment.GetEnvironmentVariable("ZARRS_SUITE_ROOT") ?? System.IO.Path.Combine(Workloads.Root, "zarrs-suite");

    public static string PathOf(string layout) => System.IO.Path.Combine(Root, layout + ".zarr");

    public static ArrayOptions Options(string layout) => layout switch
    {
        "raw" => new ArrayOptions { Format = ZarrFormat.V3, Chunks = [256, 256, 256], Compressors = [] },
        "zstd" => new ArrayOptions { Format = ZarrFormat.V3, Chunks = [256, 256, 256], Compressors = [new ZstdCodec(0)] },
        "zstd64" => new ArrayOptions { Format = ZarrFormat.V3, Chunks = [64, 64, 64], Compressors = [new ZstdCodec(0)] },
        "shard" => new ArrayOptions { Format = ZarrFormat.V3, Shards = [256, 256, 256], Chunks = [64, 64, 64], Compressors = [new ZstdCodec(0)] },
        _ => throw new ArgumentException("unknown layout " + layout),
    };

    /// <summary>The value zarrs' generator stores at (z, y, x).</summary>
    public static ushort Value(long z, long y, long x) => (ushort)((x + (y * y / 32) + (z * z * z)) % 65536);

    /// <summary>Fills <paramref name="block"/> (C order, shape <paramref name="size"/>³) with the values of the block at <paramref name="origin"/>.</summary>
    public static void Fill(Span<ushort> block, (int Z, int Y, int X) origin, int size)
    {
        var i = 0;
        for (var z = 0; z < size; z++)
        {
            for (var y = 0; y < size; y++)
            {
                var gz = (long)origin.Z + z;
                var gy = (long)origin.Y + y;
                var b = (gy * gy / 32) + (gz * gz * gz);
                for (var x = 0; x < size; x++)
                {
                    block[i++] = (ushort)((origin.X + x + b) % 65536);
                }
            }
        }
    }

    /// <summary>Writes the layout's array (untimed, once), chunk by chunk (shard by shard), 2 at a time.</summary>
    public static async Task<string> EnsureAsync(string layout)
    {
        var p = PathOf(layout);
        if (File.Exists(System.IO.Path.Combine(p, "zarr.json")))
        {
            return p;
        }

        Console.Error.WriteLine($"zarrs-suite: writing {p}");
        var tmp = p + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var z = await ZarrArray.CreateAsync<ushort>(new DirectoryStore(tmp), "", [N, N, N], Options(layout), overwrite: true);
        const int c = 256;
        var blocks = Enumerable.Range(0, (N / c) * (N / c) * (N / c));
        await Parallel.ForEachAsync(blocks, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (k, ct) =>
        {
            var (bz, by, bx) = (k / 16 * c, k / 4 % 4 * c, k % 4 * c);
            var data = new ushort[c * c * c];
            Fill(data, (bz, by, bx), c);
            await z[Slice.Range(bz, bz + c), Slice.Range(by, by + c), Slice.Range(bx, bx + c)].WriteAsync(data, ct);
        });
        Directory.Move(tmp, p);
        return p;
    }

    /// <summary>Every element of the 2 GiB read checked against the generator (untimed, after the repetitions).</summary>
    private static void CheckAll(ushort[] all)
    {
        // One plane buffer per worker: the peak RSS is read after this check, and must stay the workload's own.
        var bad = 0L;
        Parallel.For(0, N, () => new ushort[N * N], (z, _, plane) =>
        {
            Fill2(plane, z);
            if (!plane.AsSpan().SequenceEqual(all.AsSpan(z * N * N, N * N)))
            {
                Interlocked.Increment(ref bad);
            }

            return plane;
        }, _ => { });
        if (bad != 0)
        {
            throw new InvalidOperationException($"{bad} planes read differ from the generator's values");
        }

        static void Fill2(Span<ushort> plane, int z)
        {
            for (var y = 0; y < N; y++)
            {
                for (var x = 0; x < N; x++)
                {
                    plane[(y * N) + x] = Value(z, y, x);
                }
            }
        }
    }

    public static Workload Get(string name)
    {
        var rest = name["zs-".Length..];
        var dash = rest.LastIndexOf('-');
        var kind = rest[..dash];
        var layout = rest[(dash + 1)..];
        return kind switch
        {
            "read-all" => ReadAll(layout),
            "read-chunks" => ReadBlocks(layout, 256),
            "read-inner" => ReadBlocks(layout, 64),
            "roundtrip" => RoundTrip(layout),
            _ => throw new ArgumentException("unknown workload " + name),
        };
    }

    private static Dictionary<string, object?> Extra(string path) => new()
    {
        ["nbytes"] = NBytes,
        ["ratio"] = NBytes / (double)StoredBytes(path),
        ["stored_bytes"] = StoredBytes(path),
    };

    public static long StoredBytes(string path) =>
        Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith("zarr.json", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);

    // The whole array into one destination the caller owns (allocated once, as a reader reusing its buffer).
    private static Workload ReadAll(string layout)
    {
        ZarrArray<ushort>? z = null;
        string? path = null;
        return new Workload(
            async () =>
            {
                path = await EnsureAsync(layout);
                z = await ZarrArray.OpenAsync<ushort>(new DirectoryStore(path), "");
                _all ??= GC.AllocateUninitializedArray<ushort>((int)(NBytes / 2));
            },
            async () => await z!.ReadIntoAsync([Slice.All, Slice.All, Slice.All], _all),
            () =>
            {
                CheckAll(_all!);
                return Task.FromResult(Extra(path!));
            });
    }

    // Every block of size³ as its own read, 2 reads at a time (one per core), each into a buffer of its worker's.
    private static Workload ReadBlocks(string layout, int size)
    {
        ZarrArray<ushort>? z = null;
        string? path = null;
        var perSide = N / size;
        var count = perSide * perSide * perSide;
        var checksum = 0L;
        return new Workload(
            async () =>
            {
                path = await EnsureAsync(layout);
                z = await ZarrArray.OpenAsync<ushort>(new DirectoryStore(path), "");
            },
            async () =>
            {
                var next = -1;
                var sums = new long[2];
                await Task.WhenAll(Enumerable.Range(0, 2).Select(w => Task.Run(async () =>
                {
                    var buffer = GC.AllocateUninitializedArray<ushort>(size * size * size);
                    int k;
                    while ((k = Interlocked.Increment(ref next)) < count)
                    {
                        var (bz, by, bx) = (k / (perSide * perSide) * size, k / perSide % perSide * size, k % perSide * size);
                        await z!.ReadIntoAsync([Slice.Range(bz, bz + size), Slice.Range(by, by + size), Slice.Range(bx, bx + size)], buffer);
                        sums[w] += buffer[^1];
                    }
                })));
                checksum = sums[0] + sums[1];
            },
            () =>
            {
                // The last element of every block, summed: the generator's values, or the read was wrong.
                var expected = 0L;
                for (var k = 0; k < count; k++)
                {
                    var (bz, by, bx) = (k / (perSide * perSide) * size, k / perSide % perSide * size, k % perSide * size);
                    expected += Value(bz + size - 1, by + size - 1, bx + size - 1);
                }

                if (expected != checksum)
                {
                    throw new InvalidOperationException($"read {checksum}, expected {expected} (sum of the blocks' last elements)");
                }

                var extra = Extra(path!);
                extra["blocks"] = count;
                extra["block_edge"] = size;
                return Task.FromResult(extra);
            });
    }

    // Read and rewrite chunk by chunk into a new array with the source's metadata, through the engine (bounded queues).
    private static Workload RoundTrip(string layout)
    {
        ZarrArray<ushort>? z = null;
        string? output = null;
        return new Workload(
            async () =>
            {
                z = await ZarrArray.OpenAsync<ushort>(new DirectoryStore(await EnsureAsync(layout)), "");

                // Each repetition writes a new array (2 GiB for raw): the previous one goes first, the last after the check.
                DeleteOutput(output);
                output = Workloads.NewPath("zs-roundtrip-" + layout);
                Machine.Sync();
            },
            async () =>
            {
                var target = await ZarrArray.CreateFromMetadataAsync(new DirectoryStore(output!), "", z!.Metadata);
                await Lazy.From(z!).StoreAsync(target.As<ushort>());
            },
            async () =>
            {
                var r = await ZarrArray.OpenAsync<ushort>(new DirectoryStore(output!), "");
                foreach (var (a, b, c) in new[] { (0, 0, 0), (N - 1, N - 1, N - 1), (513, 77, 1000), (255, 256, 64) })
                {
                    var v = await r.GetValueAsync([a, b, c]);
                    if (v != Value(a, b, c))
                    {
                        throw new InvalidOperationException($"round trip: ({a}, {b}, {c}) = {v}, expected {Value(a, b, c)}");
                    }
                }

                var extra = Extra(output!);
                DeleteOutput(output);
                return extra;
            });
    }

    private static void DeleteOutput(string? output)
    {
        if (output is not null && Directory.Exists(output))
        {
            Directory.Delete(output, recursive: true);
        }
    }
}
