using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Interop.Tests;

/// <summary>Sharded v3 arrays written by this library, read by the foreign readers (in this class so it never runs beside the other checker runs).</summary>
public sealed partial class ForeignReadTests
{
    /// <summary>
    /// Sharded arrays — index at the end and at the start, with and without crc32c, inner chunks of bytes, gzip, zstd and
    /// blosc, empty inner chunks and an all-fill shard (neither stored), edge shards, nested sharding, order F, and the
    /// chain <see cref="ArrayOptions.Shards"/> writes — must be read exactly by check_foreign.sh (zarrita.js and the
    /// small v3 reader; zarrita's opinion on an index at the start and on nested sharding is skipped, as its README says).
    /// </summary>
    [Fact]
    public async Task Foreign_readers_read_every_sharded_array_we_write()
    {
        InteropEnvironment.RequireForeignTools();
        using var tmp = new TempFolder("v3-shards");
        var store = new DirectoryStore(tmp.Path);
        var entries = new List<JsonObject>();
        var problems = new List<string>();
        ICodec[] crcIndex = [new BytesCodec(Endian.Little), new Crc32cCodec()];
        ICodec[] bareIndex = [new BytesCodec(Endian.Little)];

        async Task AddAsync<T>(string name, long[] shape, int[] shards, ShardingCodec? codec, ArrayOptions? options, T fill, Action<T[]>? shapeData = null, string[]? notStored = null)
            where T : unmanaged
        {
            var kind = TestValues.KindOf<T>();
            var data = TestValues.Generate<T>(shape.Aggregate(1L, (a, b) => a * b), name.Length * 7919);
            shapeData?.Invoke(data);
            ZarrArray<T> array;
            if (codec is not null)
            {
                var metadata = new ArrayMetadata
                {
                    Format = ZarrFormat.V3,
                    Shape = [.. shape],
                    ChunkShape = [.. shards],
                    DataType = ZarrDataType.Of<T>(),
                    FillValue = [.. System.Runtime.InteropServices.MemoryMarshal.AsBytes(new[] { fill }.AsSpan())],
                    Codecs = [codec],
                    ChunkKeyEncoding = ChunkKeyEncoding.Default,
                };
                array = (await ZarrArray.CreateFromMetadataAsync(store, name, metadata)).As<T>();
            }
            else
            {
                array = await ZarrArray.CreateAsync<T>(store, name, shape, options! with { Shards = [.. shards] });
            }

            await array.WriteAsync([.. shape.Select(_ => Slice.All)], data);
            var sha = Canonical.Sha256Of<T>(data, kind);
            entries.Add(new JsonObject
            {
                ["path"] = name,
                ["sha256"] = sha,
                ["shape"] = new JsonArray([.. shape.Select(s => (JsonNode)s)]),
                ["data_type"] = Canonical.V3Names[kind],
            });

            foreach (var key in notStored ?? [])
            {
                if (File.Exists(Path.Combine(tmp.Path, name, key)))
                {
                    problems.Add($"{name}: shard {key} holds only the fill value but was stored");
                }
            }

            var (bytes, _) = await (await ZarrArray.OpenAsync(store, name)).ReadBytesAsync([.. shape.Select(_ => Slice.All)]);
            if (Canonical.Sha256(Canonical.Canonicalize(bytes, kind)) != sha)
            {
                problems.Add($"{name}: this library reads back other values than it wrote");
            }
        }

        // Index at the end and at the start, with and without crc32c, each inner codec; 37×23 in shards of 20×12 (edge shards).
        long[] shape = [37, 23];
        int[] shards = [20, 12];
        await AddAsync("shard_end_crc32c_bytes_int32", shape, shards, new ShardingCodec([5, 4], [new BytesCodec(Endian.Little)], crcIndex), null, 0);
        await AddAsync("shard_start_crc32c_gzip_float64", shape, shards, new ShardingCodec([5, 4], [new BytesCodec(Endian.Little), new GzipCodec(5)], crcIndex, ShardIndexLocation.Start), null, 0.0);
        await AddAsync("shard_end_nocrc_zstd_uint16", shape, shards, new ShardingCodec([10, 6], [new BytesCodec(Endian.Big), new ZstdCodec(3)], bareIndex), null, (ushort)0);
        await AddAsync("shard_start_nocrc_blosc_int64", shape, shards, new ShardingCodec([4, 3], [new BytesCodec(Endian.Little), new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 8)], bareIndex, ShardIndexLocation.Start), null, 0L);

        // Empty inner chunks (fill -7) in every shard and one shard, (1, 1), of fill value only.
        await AddAsync(
            "shard_empty_inner_int16",
            shape,
            shards,
            new ShardingCodec([5, 4], [new BytesCodec(Endian.Little), new ZstdCodec(1)], crcIndex),
            null,
            (short)-7,
            data =>
            {
                for (var r = 0; r < 37; r++)
                {
                    for (var c = 0; c < 23; c++)
                    {
                        if ((r % 10 < 5 && c % 12 < 4) || (r >= 20 && c >= 12))
                        {
                            data[(r * 23) + c] = -7;
                        }
                    }
                }
            },
            ["c/1/1"]);

        // Nested sharding: shards of 20×12, inner shards of 10×6 (index at the start) of 5×3 chunks.
        await AddAsync(
            "shard_nested_float32",
            shape,
            shards,
            new ShardingCodec([10, 6], [new ShardingCodec([5, 3], [new BytesCodec(Endian.Little), new GzipCodec(1)], crcIndex, ShardIndexLocation.Start)], crcIndex),
            null,
            0f);

        // Three dimensions, blosc inner chunks.
        await AddAsync("shard_3d_blosc_uint8", [17, 9, 11], [8, 6, 6], new ShardingCodec([4, 3, 2], [new BytesCodec(null), new BloscCodec(BloscCompressor.Zstd, 5, BloscShuffle.BitShuffle, 1)], crcIndex), null, (byte)0);

        // What ArrayOptions.Shards writes (as zarr-python 3's create_array(shards=...)), also with order F.
        await AddAsync("shards_option_float32", shape, shards, null, new ArrayOptions { Chunks = [5, 6], Compressors = [new ZstdCodec(0)] }, 0f);
        await AddAsync("shards_option_order_f_int32", shape, shards, null, new ArrayOptions { Chunks = [10, 4], Order = 'F' }, 0);

        ForeignChecker.RequireAllPass(tmp.Path, entries, problems);
    }
}
