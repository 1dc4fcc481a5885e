using System.Collections.Immutable;
using System.IO.Compression;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Fuzz.Targets;

/// <summary>
/// The containers of chunks: a shard (its index, where each entry points, and the inner chunks it decodes), and a zip
/// file's central directory, read as <see cref="ZipStore"/> opens it.
/// </summary>
internal static class ContainerTargets
{
    /// <summary>A shard of 16 × 16 int32 in 4 × 4 inner chunks: 1 KiB decoded.</summary>
    private static readonly ChunkSpec ShardSpec = new([16, 16], ZarrDataType.Int32, new byte[4].ToImmutableArray());

    /// <summary>Index with a checksum at the end (zarr-python's default), and a bare index at the start, so that mutations reach the entries.</summary>
    private static readonly CodecPipeline[] Shardings =
    [
        CodecPipeline.Create([new ShardingCodec([4, 4], [new BytesCodec(), new ZstdCodec(1)], [new BytesCodec(), new Crc32cCodec()])]),
        CodecPipeline.Create([new ShardingCodec([4, 4], [new BytesCodec(), new GzipCodec(1)], [new BytesCodec()], ShardIndexLocation.Start)]),
    ];

    [ThreadStatic]
    private static string? t_zipPath;

    public static IEnumerable<FuzzTarget> All()
    {
        yield return new FuzzTarget("sharding", DecodeShard, FuzzTarget.Made(ShardSeeds), ShardSpec.ByteLength);
        yield return new FuzzTarget("zip-directory", ReadZipDirectory, ZipSeedsAsync, DecodedBytes: 0, BytesPerInputByte: 8);
    }

    private static void DecodeShard(ReadOnlySpan<byte> input)
    {
        Span<byte> chunk = stackalloc byte[ShardSpec.ByteLength];
        foreach (var pipeline in Shardings)
        {
            try
            {
                pipeline.Decode(input, chunk, ShardSpec);
            }
            catch (ZarrException) when (pipeline != Shardings[^1])
            {
                // Refused by this layout; the next one reads the same bytes its own way.
            }
        }
    }

    private static IEnumerable<byte[]> ShardSeeds()
    {
        var values = new int[256];
        for (var i = 0; i < values.Length; i++)
        {
            // A quarter left at the fill value: those inner chunks are absent from the shard (index entries of 2^64−1).
            values[i] = i < 64 ? 0 : i * 7;
        }

        var chunk = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        foreach (var pipeline in Shardings)
        {
            using var encoded = pipeline.Encode(chunk, ShardSpec);
            yield return encoded.Span.ToArray();
        }
    }

    /// <summary>The central directory as <see cref="ZipStore"/> reads it, and each entry's name as it keys it.</summary>
    private static void ReadZipDirectory(ReadOnlySpan<byte> input)
    {
        var path = t_zipPath ??= Path.Combine(ScratchFolder(), $"zarr-fuzz-{Environment.ProcessId}-{Environment.CurrentManagedThreadId}.zip");
        using (var write = File.OpenHandle(path, FileMode.Create, FileAccess.Write))
        {
            RandomAccess.Write(write, input, 0);
        }

        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var entries = ZipFormat.ReadCentralDirectory(file, path, out var dataEnd);
        foreach (var entry in entries)
        {
            // What the store keys an entry by must never climb out of the root nor be absolute; others it keeps unlisted.
            if (StoreKey.IsValid(entry.Name) && (entry.Name.StartsWith('/') || entry.Name.Contains('\\') || entry.Name.Split('/').Any(s => s is ".." or ".")))
            {
                throw new InvalidOperationException($"the zip entry name {entry.Name} is taken as a key but leaves the root");
            }
        }

        if (dataEnd < 0 || dataEnd > input.Length)
        {
            throw new InvalidOperationException($"the central directory starts at {dataEnd}, outside the {input.Length}-byte file");
        }
    }

    private static string ScratchFolder() => Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();

    /// <summary>Zip files as this library writes them (stored and deflated entries of a real array), and one with hostile names.</summary>
    private static async Task<IReadOnlyList<byte[]>> ZipSeedsAsync()
    {
        var seeds = new List<byte[]>();
        var folder = Directory.CreateTempSubdirectory("zarr-fuzz-seeds-");
        try
        {
            foreach (var (name, method) in new[] { ("stored.zip", ZipCompression.Stored), ("deflated.zip", ZipCompression.Deflate) })
            {
                var path = Path.Combine(folder.FullName, name);
                var store = new ZipStore(path, new ZipStoreOptions { Mode = ZipStoreMode.Create, Compression = method });
                await using (store.ConfigureAwait(false))
                {
                    var array = await ZarrArray.CreateAsync<short>(store, "a", [20], new ArrayOptions { Chunks = [8] }).ConfigureAwait(false);
                    await array[..].WriteAsync(Enumerable.Range(0, 20).Select(i => (short)i).ToArray()).ConfigureAwait(false);
                    await store.CommitAsync().ConfigureAwait(false);
                }

                seeds.Add(await File.ReadAllBytesAsync(path).ConfigureAwait(false));
            }

            // Names a hostile archive carries: traversal, absolute, backslash, a directory entry.
            var hostile = Path.Combine(folder.FullName, "hostile.zip");
            using (var archive = ZipFile.Open(hostile, ZipArchiveMode.Create))
            {
                foreach (var entryName in new[] { "../escape", "/etc/passwd", "a\\..\\b", "dir/", "ok/zarr.json" })
                {
                    using var entryStream = archive.CreateEntry(entryName, CompressionLevel.NoCompression).Open();
                    entryStream.Write("{}"u8);
                }
            }

            seeds.Add(await File.ReadAllBytesAsync(hostile).ConfigureAwait(false));
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        return seeds;
    }
}
