using System.Text;
using Zarr.Storage.Codecs;

namespace Zarr.Benchmarks;

/// <summary>
/// Issue 17: the managed blosc against c-blosc (libblosc), each through a <see cref="BloscCodec"/> forced to it, on the same chunks, side by side
/// in one process: the 1024² chunks of the arange int32 array or the realistic float32 one, lz4 level 5 or zstd level 3,
/// shuffle or bit shuffle. Each repetition times 8 runs, in an order that rotates: {native, managed} × {decode, encode}
/// × {1 worker, 2 workers}. Both decode the frames c-blosc wrote; both encode the same chunks. A worker takes every
/// other chunk and works into one buffer of its own, used again for every chunk (as an engine stage does); no store,
/// no pool. The decode includes the header check both implementations go through in <see cref="BloscCodec"/>.
/// A run goes over the chunks several times (1 GiB of lz4 decoding, 512 MiB of lz4 encoding, 256 and 64 MiB for zstd),
/// so that it lasts a few tenths of a second: on a shared machine a run of tens of milliseconds is mostly noise. Each
/// run's CPU time is recorded too (<c>*_cpu_median_s</c>), which other processes disturb less than its wall time.
/// </summary>
internal static class BloscWorkloads
{
    public static readonly string[] Names =
    [
        "blosc-arange-lz4-shuffle", "blosc-arange-lz4-bitshuffle", "blosc-arange-zstd-shuffle", "blosc-arange-zstd-bitshuffle",
        "blosc-real-lz4-shuffle", "blosc-real-lz4-bitshuffle", "blosc-real-zstd-shuffle", "blosc-real-zstd-bitshuffle",
    ];

    private const int ChunkBytes = 1024 * 1024 * 4;

    public static async Task<Dictionary<string, object?>> RunAsync(string name, int reps, Action<string> log)
    {
        var parts = name.Split('-');
        var real = parts[1] == "real";
        var compressor = parts[2] == "zstd" ? BloscCompressor.Zstd : BloscCompressor.Lz4;
        var level = compressor == BloscCompressor.Zstd ? 3 : 5;
        var shuffle = parts[3] == "bitshuffle" ? BloscShuffle.BitShuffle : BloscShuffle.Shuffle;

        // zstd compresses the realistic chunks at about 100 MB/s on one core: 16 chunks (64 MiB) keep a repetition short.
        var all = real ? Workloads.Chunks(Workloads.Real()) : Workloads.Chunks(Workloads.Data());
        var chunks = compressor == BloscCompressor.Zstd ? all[..16] : all;
        var count = chunks.Length;
        var native = new BloscCodec(compressor, level, shuffle, typeSize: 4, implementation: BloscImplementation.Native);
        var managed = new BloscCodec(compressor, level, shuffle, typeSize: 4, implementation: BloscImplementation.Managed);
        var maxEncoded = (int)native.GetMaxEncodedLength(ChunkBytes);
        var frames = chunks.Select(c =>
        {
            var buffer = new byte[maxEncoded];
            return native.TryEncode(c, buffer, out var written)
                ? buffer.AsSpan(0, written).ToArray()
                : throw new InvalidOperationException("c-blosc did not fit a chunk in its maximum encoded length");
        }).ToArray();
        var decoded = new[] { new byte[ChunkBytes], new byte[ChunkBytes] };
        var encoded = new[] { new byte[maxEncoded], new byte[maxEncoded] };
        var managedSizes = new long[count];

        void Decode(bool useManaged, int k, byte[] into) => (useManaged ? managed : native).Decode(frames[k], into);

        void Encode(bool useManaged, int k, byte[] into)
        {
            if (!(useManaged ? managed : native).TryEncode(chunks[k], into, out var written))
            {
                throw new InvalidOperationException($"chunk {k} did not fit its maximum encoded length");
            }

            if (useManaged)
            {
                managedSizes[k] = written;
            }
        }

        var decodePasses = 4;
        var encodePasses = compressor == BloscCompressor.Zstd ? 1 : 2;
        void RunOnce(bool managed, bool decode, int workers) =>
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, t =>
            {
                for (var k = t; k < count * (decode ? decodePasses : encodePasses); k += workers)
                {
                    if (decode)
                    {
                        Decode(managed, k % count, decoded[t]);
                    }
                    else
                    {
                        Encode(managed, k % count, encoded[t]);
                    }
                }
            });

        // Both read back exactly: the managed decoder c-blosc's frames, c-blosc the managed encoder's.
        for (var k = 0; k < count; k++)
        {
            Decode(true, k, decoded[0]);
            Encode(true, k, encoded[0]);
            var back = new byte[ChunkBytes];
            native.Decode(encoded[0].AsSpan(0, (int)managedSizes[k]), back);
            if (!decoded[0].AsSpan().SequenceEqual(chunks[k]) || !back.AsSpan().SequenceEqual(chunks[k]))
            {
                throw new InvalidOperationException($"chunk {k} does not round-trip between the implementations");
            }
        }

        var configurations = (from isManaged in new[] { false, true }
                              from decode in new[] { true, false }
                              from workers in new[] { 1, 2 }
                              select (Managed: isManaged, Decode: decode, Workers: workers)).ToArray();
        var walls = configurations.ToDictionary(c => c, _ => new List<double>());
        var cpus = configurations.ToDictionary(c => c, _ => new List<double>());
        foreach (var c in configurations)
        {
            RunOnce(c.Managed, c.Decode, c.Workers); // warm-up: the JIT's final tier, zstd's contexts, the pools
            RunOnce(c.Managed, c.Decode, c.Workers);
        }

        var noisy = 0;
        for (var r = 0; r < reps; r++)
        {
            Machine.WaitQuiet();
            var line = new StringBuilder($"  rep {r}:");
            for (var i = 0; i < configurations.Length; i++)
            {
                var c = configurations[(i + r) % configurations.Length];
                var rep = new Rep();
                rep.Start();
                RunOnce(c.Managed, c.Decode, c.Workers);
                rep.Stop();
                noisy += rep.Noisy ? 1 : 0;
                walls[c].Add(rep.Wall);
                cpus[c].Add(rep.OwnCpu);
                line.Append(System.Globalization.CultureInfo.InvariantCulture, $" {Key(c)} {rep.Wall:F4}s{(rep.Noisy ? "*" : "")}");
            }

            log(line.ToString());
        }

        await Task.CompletedTask.ConfigureAwait(false);
        var bytes = (long)count * ChunkBytes;
        var result = new Dictionary<string, object?>
        {
            ["walls"] = walls[(true, true, 1)],
            ["nbytes"] = bytes * decodePasses,
            ["chunks"] = count,
            ["decode_passes"] = decodePasses,
            ["encode_passes"] = encodePasses,
            ["ratio"] = bytes / (double)frames.Sum(f => (long)f.Length),
            ["ratio_managed"] = bytes / (double)managedSizes.Sum(),
            ["noisy_runs"] = noisy,
        };
        foreach (var c in configurations)
        {
            var median = Stats.Median(walls[c]);
            result[$"{Key(c)}_median_s"] = median;
            result[$"{Key(c)}_GBps"] = bytes * (c.Decode ? decodePasses : encodePasses) / median / 1e9;
            result[$"{Key(c)}_cpu_median_s"] = Stats.Median(cpus[c]);
            result[$"{Key(c)}_walls"] = walls[c];
        }

        foreach (var op in new[] { "decode", "encode" })
        {
            foreach (var w in new[] { 1, 2 })
            {
                // Throughput of managed over native: native's median time over managed's (wall, and CPU).
                result[$"{op}_managed_over_native_{w}w"] = (double)result[$"{op}_native_{w}w_median_s"]! / (double)result[$"{op}_managed_{w}w_median_s"]!;
                result[$"{op}_managed_over_native_{w}w_cpu"] = (double)result[$"{op}_native_{w}w_cpu_median_s"]! / (double)result[$"{op}_managed_{w}w_cpu_median_s"]!;
            }
        }

        return result;
    }

    private static string Key((bool Managed, bool Decode, int Workers) c) =>
        $"{(c.Decode ? "decode" : "encode")}_{(c.Managed ? "managed" : "native")}_{c.Workers}w";
}
