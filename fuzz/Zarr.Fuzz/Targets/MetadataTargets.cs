using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Fuzz.Targets;

/// <summary>
/// The metadata documents: v2 <c>.zarray</c>, <c>.zgroup</c>, <c>.zattrs</c>, v3 <c>zarr.json</c>, and consolidated
/// metadata in both layouts. Seeds are the documents of a real hierarchy this library writes (both formats, every codec
/// kind, sharding, filters, strings, dates, dimension names, non-finite fill values and attributes), consolidated.
/// </summary>
internal static class MetadataTargets
{
    /// <summary>A JSON parser may allocate a tree and strings per input byte; 64 bytes each is generous and still bounded.</summary>
    private const int TreeBytesPerInputByte = 64;

    private static readonly Lazy<Task<Dictionary<string, List<byte[]>>>> Documents = new(WriteHierarchyAsync);

    public static IEnumerable<FuzzTarget> All()
    {
        var zarray = "{\"zarr_format\": 2, \"shape\": [4], \"chunks\": [2], \"dtype\": \"<f8\", \"fill_value\": 0.0, \"order\": \"C\", \"compressor\": null, \"filters\": null}"u8.ToArray();
        var zgroup = "{\"zarr_format\": 2}"u8.ToArray();
        yield return Target("v2-zarray", input => MetadataSerializer.ParseArrayV2(input, default, ".zarray"), ".zarray");
        yield return Target("v2-zgroup", input => MetadataSerializer.ParseGroupV2(input, default, ".zgroup"), ".zgroup");
        yield return Target(
            "v2-zattrs",
            input =>
            {
                try
                {
                    MetadataSerializer.ParseGroupV2(zgroup, input, ".zgroup");
                }
                finally
                {
                    // Also as an array's: the attributes also carry xarray's _ARRAY_DIMENSIONS there.
                    MetadataSerializer.ParseArrayV2(zarray, input, ".zarray");
                }
            },
            ".zattrs");
        yield return Target(
            "v3-zarr-json",
            input =>
            {
                if (MetadataSerializer.ReadNodeTypeV3(input, "zarr.json") == "group")
                {
                    MetadataSerializer.ParseGroupV3(input, "zarr.json");
                }
                else
                {
                    MetadataSerializer.ParseArrayV3(input, "zarr.json");
                }
            },
            "zarr.json");
        yield return Target("consolidated-v2", input => ConsolidatedMetadata.ParseV2(new MemoryStore(), "", ".zmetadata", input.ToArray()), ".zmetadata");
        yield return Target("consolidated-v3", input => ConsolidatedMetadata.ParseV3(new MemoryStore(), "", "zarr.json", input.ToArray()), "consolidated");
    }

    private static FuzzTarget Target(string name, FuzzAction run, string documentKind) =>
        new(name, run, async () => (await Documents.Value.ConfigureAwait(false))[documentKind], DecodedBytes: 0, TreeBytesPerInputByte);

    /// <summary>Writes the hierarchy the seeds come from into a memory store and sorts its documents by kind.</summary>
    private static async Task<Dictionary<string, List<byte[]>>> WriteHierarchyAsync()
    {
        var store = new MemoryStore();
        foreach (var (format, root) in new[] { (ZarrFormat.V2, "v2"), (ZarrFormat.V3, "v3") })
        {
            var attributes = new JsonObject
            {
                ["title"] = "fuzz seeds",
                ["units"] = "K",
                ["valid_range"] = new JsonArray(0, 400),
                ["nested"] = new JsonObject { ["list"] = new JsonArray("a", 1, 2.5, true, null) },
            };
            await ZarrGroup.CreateAsync(store, root, format, attributes).ConfigureAwait(false);
            await ZarrArray.CreateAsync<float>(store, root + "/temperature", [365, 180, 360], new ArrayOptions
            {
                Format = format,
                Chunks = [30, 90, 90],
                Compressors = [new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, typeSize: 4)],
                FillValue = "NaN",
                DimensionNames = ["time", "lat", "lon"],
                Attributes = new JsonObject { ["scale_factor"] = 0.01, ["_FillValue"] = "NaN" },
            }).ConfigureAwait(false);
            await ZarrArray.CreateAsync<short>(store, root + "/counts", [1000], new ArrayOptions
            {
                Format = format,
                Chunks = [100],
                Compressors = [new ZlibCodec(1)],
                Filters = [new DeltaCodec(new NumpyDType(ZarrDataType.Int16))],
                FillValue = -1,
            }).ConfigureAwait(false);
            await ZarrArray.CreateAsync(store, root + "/names", ZarrDataType.String, [10], new ArrayOptions { Format = format, Chunks = [5] }).ConfigureAwait(false);
            await ZarrArray.CreateAsync(store, root + "/sub/times", ZarrDataType.DateTime64(TimeUnit.Second), [24], new ArrayOptions { Format = format, Chunks = [24], Compressors = [new ZstdCodec(3)] }).ConfigureAwait(false);
            await ZarrArray.CreateAsync(store, root + "/sub/codes", ZarrDataType.FixedUnicode(4), [8, 2], new ArrayOptions { Format = format, Chunks = [4, 2], Order = format == ZarrFormat.V2 ? 'F' : 'C' }).ConfigureAwait(false);
        }

        await ZarrArray.CreateAsync<double>(store, "v3/sharded", [64, 64], new ArrayOptions
        {
            Format = ZarrFormat.V3,
            Chunks = [8, 8],
            Shards = [32, 32],
            Compressors = [new GzipCodec(5), new Crc32cCodec()],
            FillValue = "Infinity",
        }).ConfigureAwait(false);
        await ZarrArray.CreateAsync<int>(store, "v3/transposed", [10, 20], new ArrayOptions { Format = ZarrFormat.V3, Chunks = [5, 5], Order = 'F', ChunkKeySeparator = '.' }).ConfigureAwait(false);
        await ConsolidatedMetadata.WriteAsync(store, "v2").ConfigureAwait(false);

        var documents = new Dictionary<string, List<byte[]>>(StringComparer.Ordinal)
        {
            [".zarray"] = [], [".zgroup"] = [], [".zattrs"] = [], ["zarr.json"] = [], [".zmetadata"] = [], ["consolidated"] = [],
        };
        await foreach (var entry in store.ListPrefixAsync("").ConfigureAwait(false))
        {
            var name = entry.Key[(entry.Key.LastIndexOf('/') + 1)..];
            if (documents.TryGetValue(name, out var kind))
            {
                using var value = await store.GetAsync(entry.Key).ConfigureAwait(false);
                kind.Add(value!.Span.ToArray());
            }
        }

        // The v3 root with its consolidated metadata inline (written after the others were read, so zarr.json stays plain).
        await ConsolidatedMetadata.WriteAsync(store, "v3").ConfigureAwait(false);
        using (var consolidated = await store.GetAsync("v3/zarr.json").ConfigureAwait(false))
        {
            documents["consolidated"].Add(consolidated!.Span.ToArray());
        }

        // Documents other writers produce: zarr-python 2's minimal forms.
        documents[".zgroup"].Add(Encoding.UTF8.GetBytes("{\n    \"zarr_format\": 2\n}"));
        documents[".zattrs"].Add(Encoding.UTF8.GetBytes("{\"_ARRAY_DIMENSIONS\": [\"x\"], \"missing\": NaN, \"big\": Infinity}"));
        return documents;
    }
}
