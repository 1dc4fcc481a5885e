using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Interop.Tests;

/// <summary>
/// The write direction for what goes beyond one array in a folder: v2 filters and bz2, zip stores and consolidated
/// metadata, each read by check_foreign.sh's foreign readers. Values are chosen so that the lossy filters store them
/// exactly (fixed-scale-offset on multiples of 1/scale, astype on values float32 holds), so the manifest can be hashed
/// from the values meant to be written.
/// </summary>
public sealed partial class ForeignReadTests
{
    [Fact]
    public async Task Foreign_readers_read_filters_zip_stores_and_consolidated_groups_we_write()
    {
        InteropEnvironment.RequireForeignTools();
        using var tmp = new TempFolder("stores");
        var entries = new List<JsonObject>();
        var ints = Enumerable.Range(0, 37 * 23).Select(i => (i * 7919) % 100_003 - 50_000).ToArray();
        var halves = Enumerable.Range(0, 37 * 23).Select(i => 1000 + ((i % 4000) * 0.5)).ToArray();
        var f8 = new NumpyDType(ZarrDataType.Float64);

        // v2 filters (and chains of them, before a compressor) and the bz2 compressor.
        var dir = new DirectoryStore(tmp.Path);
        await WriteAsync(dir, "delta_i4.zarr", ints, [new DeltaCodec(new NumpyDType(ZarrDataType.Int32))], [], ZarrFormat.V2);
        await WriteAsync(dir, "fso_f8_u2.zarr", halves, [new FixedScaleOffsetCodec(1000, 2, f8, new NumpyDType(ZarrDataType.UInt16))], [], ZarrFormat.V2);
        await WriteAsync(dir, "astype_f8_f4.zarr", halves, [new AsTypeCodec(new NumpyDType(ZarrDataType.Float32), f8)], [new ZlibCodec(1)], ZarrFormat.V2);
        await WriteAsync(dir, "fso_delta_blosc.zarr", halves,
            [new FixedScaleOffsetCodec(1000, 2, f8, new NumpyDType(ZarrDataType.Int32)), new DeltaCodec(new NumpyDType(ZarrDataType.Int32))],
            [new BloscCodec(BloscCompressor.Zstd, 3, BloscShuffle.Shuffle, 4)], ZarrFormat.V2);
        await WriteAsync(dir, "bz2_i4.zarr", ints, [], [new Bz2Codec(9)], ZarrFormat.V2);
        entries.AddRange(Entries(["delta_i4.zarr", "bz2_i4.zarr"], ints, ZarrFormat.V2));
        entries.AddRange(Entries(["fso_f8_u2.zarr", "astype_f8_f4.zarr", "fso_delta_blosc.zarr"], halves, ZarrFormat.V2));

        // Zip stores of both formats: a group with arrays, written through the ordinary API and closed.
        foreach (var format in new[] { ZarrFormat.V2, ZarrFormat.V3 })
        {
            var name = $"data_v{(int)format}.zip";
            await using (var zip = new ZipStore(Path.Combine(tmp.Path, name), new ZipStoreOptions { Mode = ZipStoreMode.Create }))
            {
                var root = await ZarrGroup.CreateAsync(zip, "", format, new JsonObject { ["title"] = "zip" });
                var g = await root.CreateGroupAsync("g");
                await (await g.CreateArrayAsync<int>("a", [37, 23], new ArrayOptions { Chunks = [10, 8] }))[..].WriteAsync(ints);
                await (await root.CreateArrayAsync<double>("b", [37, 23], new ArrayOptions { Chunks = [16, 16] }))[..].WriteAsync(halves);
                await zip.CommitAsync();
            }

            entries.AddRange(Entries([$"{name}/g/a"], ints, format));
            entries.AddRange(Entries([$"{name}/b"], halves, format));
        }

        // Consolidated metadata of both formats.
        foreach (var format in new[] { ZarrFormat.V2, ZarrFormat.V3 })
        {
            var name = $"consolidated_v{(int)format}.zarr";
            var root = await ZarrGroup.CreateAsync(dir, name, format);
            await (await (await root.CreateGroupAsync("g")).CreateArrayAsync<int>("a", [37, 23], new ArrayOptions { Chunks = [10, 8] }))[..].WriteAsync(ints);
            await root.ConsolidateMetadataAsync();
            entries.AddRange(Entries([$"{name}/g/a"], ints, format));
        }

        ForeignChecker.RequireAllPass(tmp.Path, entries, []);
    }

    private static async Task WriteAsync<T>(IStore store, string path, T[] values, IReadOnlyList<IArrayToArrayCodec> filters, IReadOnlyList<IBytesToBytesCodec> compressors, ZarrFormat format)
        where T : unmanaged
    {
        var options = new ArrayOptions { Format = format, Chunks = [10, 8], Filters = filters, Compressors = compressors };
        var array = await ZarrArray.FromDataAsync<T>(store, path, values, [37, 23], options);
        Assert.Equal(values, Flatten(await array[..]));
    }

    private static IEnumerable<JsonObject> Entries<T>(IEnumerable<string> paths, T[] values, ZarrFormat format)
        where T : unmanaged
    {
        var kind = TestValues.KindOf<T>();
        var sha = Canonical.Sha256Of<T>(values, kind);
        foreach (var path in paths)
        {
            var entry = new JsonObject { ["path"] = path, ["sha256"] = sha, ["shape"] = new JsonArray(37, 23) };
            if (format == ZarrFormat.V2)
            {
                entry["dtype"] = Canonical.V2Dtype(kind, false);
            }
            else
            {
                entry["data_type"] = Canonical.V3Names[kind];
            }

            yield return entry;
        }
    }

    private static T[] Flatten<T>(System.Numerics.Tensors.Tensor<T> tensor)
    {
        var values = new T[tensor.FlattenedLength];
        tensor.FlattenTo(values);
        return values;
    }
}
