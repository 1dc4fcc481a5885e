using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Tests.Metadata;

using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// Arrays with v2 filters both ways: the corpus' filter arrays (written by zarr-python 2.13) read exactly through
/// <see cref="ZarrArray"/>, and arrays we write with every filter, chains of them and bz2 read exactly by zarr-python 2,
/// whose own arrays of the same values we read back.
/// </summary>
public class FiltersInteropTests
{

    private static readonly NumpyDType I2 = new(ZarrDataType.Int16);
    private static readonly NumpyDType I4 = new(ZarrDataType.Int32);
    private static readonly NumpyDType U1 = new(ZarrDataType.UInt8);
    private static readonly NumpyDType F4 = new(ZarrDataType.Float32);
    private static readonly NumpyDType F8 = new(ZarrDataType.Float64);

    /// <summary>Every v2 array with filters in the corpora (zarr-python 2.13 wrote them): delta, fixedscaleoffset, ...</summary>
    public static TheoryData<string> CorpusFilterArrays()
    {
        var data = new TheoryData<string>();
        foreach (var corpus in TestCorpora.All)
        {
            // numcodecs filters on numbers; an object codec (vlen-utf8 of a string array) is not one.
            foreach (var e in TestCorpora.Manifest(corpus, "v2").Where(e => e["filters"] is JsonArray { Count: > 0 } filters
                && filters.All(f => (string?)f!["id"] != "vlen-utf8") && !((string)e["store"]!).EndsWith(".zip", StringComparison.Ordinal)))
            {
                data.Add(TestCorpora.CaseId(corpus, (string)e["path"]!));
            }
        }

        return data;
    }

    [Fact]
    public void The_fixtures_hold_delta_and_fixedscaleoffset_arrays()
    {
        var ids = TestCorpora.Manifest(TestCorpora.Fixtures, "v2").SelectMany(e => e["filters"] as JsonArray ?? []).Select(f => (string)f!["id"]!).ToHashSet();
        Assert.Superset(new HashSet<string> { "delta", "fixedscaleoffset" }, ids);
    }

    [Theory]
    [MemberData(nameof(CorpusFilterArrays))]
    public async Task Corpus_filter_arrays_read_exactly(string id)
    {
        var (corpus, path) = TestCorpora.ParseCaseId(id);
        var entry = TestCorpora.Manifest(corpus, "v2").Single(e => (string)e["path"]! == path);
        var store = new DirectoryStore(Path.Combine(corpus.Format("v2"), path), new DirectoryStoreOptions { ReadOnly = true });
        var array = await ZarrArray.OpenAsync(store);
        Assert.Equal(entry["shape"]!.AsArray().Select(n => n!.GetValue<long>()), array.Shape);
        Assert.NotEmpty(array.Metadata.Codecs.OfType<IV2Filter>());

        var (data, shape) = await array.ReadBytesAsync([.. array.Shape.Select(_ => Slice.All)]);
        Assert.Equal(array.Shape, shape);
        Assert.Equal(entry["nbytes_canonical"]!.GetValue<long>(), data.Length);
        Assert.Equal(entry["sha256"]!.GetValue<string>(), Convert.ToHexStringLower(SHA256.HashData(CanonicalValues.Of(data, array.DataType))));

        var size = array.DataType.ItemSize;
        foreach (var spot in entry["spot_values"]!.AsArray())
        {
            var index = spot!["index"]!.AsArray().Select(n => n!.GetValue<long>()).ToArray();
            var offset = index.Select((i, d) => (i, d)).Aggregate(0L, (flat, x) => (flat * shape[x.d]) + x.i);
            Assert.Equal(spot["hex"]!.GetValue<string>(), Convert.ToHexStringLower(data, (int)(offset * size), size));
        }
    }

    [Fact]
    public async Task Arrays_we_write_with_filters_read_exactly_in_zarr_python_2_and_back()
    {
        using var tmp = new TempDirectory();
        var store = new DirectoryStore(tmp.Path);
        var manifest = new JsonArray();
        var cases = Cases();
        foreach (var (name, dataType, bigEndian, order, filters, compressor) in cases)
        {
            long[] shape = [37, 23];
            var codecs = new List<ICodec>();
            if (order == 'F')
            {
                codecs.Add(TransposeCodec.FortranOrder(2));
            }

            codecs.AddRange(filters);
            var stored = filters.Count > 0 ? filters[^1].EncodedType : new NumpyDType(dataType, bigEndian);
            codecs.Add(new BytesCodec(stored.Endian));
            if (compressor is not null)
            {
                codecs.Add(compressor);
            }

            var metadata = TestMetadata.Create([.. shape], [10, 8], dataType) with
            {
                Format = ZarrFormat.V2,
                Codecs = codecs,
                ChunkKeyEncoding = ChunkKeyEncoding.V2Dot,
            };
            var array = await ZarrArray.CreateFromMetadataAsync(store, name, metadata);
            var values = Values(name, dataType, 37 * 23);
            await array.WriteBytesAsync([Slice.All, Slice.All], values);
            await File.WriteAllBytesAsync(tmp.Combine(name + ".raw"), values);

            var filterJson = new JsonArray();
            foreach (var f in filters)
            {
                filterJson.Add(f.ToV2Json());
            }

            manifest.Add(new JsonObject
            {
                ["case"] = name,
                ["path"] = name,
                ["shape"] = new JsonArray(37, 23),
                ["chunks"] = new JsonArray(10, 8),
                ["dtype"] = dataType.ToNumpyTypeString(bigEndian),
                ["raw"] = name + ".raw",
                ["filters"] = filterJson,
            });
        }

        await File.WriteAllTextAsync(tmp.Combine("manifest.json"), manifest.ToJsonString());
        var output = RunPython(Path.Combine(FixturesDirectory(), "check_filters_zarr2.py"), tmp.Path);
        foreach (var (name, dataType, _, _, filters, _) in cases)
        {
            Assert.Contains($"OK {name} ", output, StringComparison.Ordinal);

            // zarr-python's values (numcodecs' result for the lossy filters) are what we read from our array and from its.
            var expected = await File.ReadAllBytesAsync(tmp.Combine(name + ".expected.bin"));
            var ours = await ZarrArray.OpenAsync(store, name);
            var (mine, _) = await ours.ReadBytesAsync([Slice.All, Slice.All]);
            Assert.Equal(CanonicalValues.Of(expected, dataType), CanonicalValues.Of(mine, dataType));

            var theirs = await ZarrArray.OpenAsync(store, name + ".py.zarr");
            Assert.Equal(filters.Select(f => f.ToV2Json().ToJsonString()), theirs.Metadata.Codecs.OfType<IV2Filter>().Select(f => f.ToV2Json().ToJsonString()));
            var (read, _) = await theirs.ReadBytesAsync([Slice.All, Slice.All]);
            Assert.Equal(CanonicalValues.Of(expected, dataType), CanonicalValues.Of(read, dataType));

            // Our .zarray is what zarr-python writes for the same array.
            var (zarray, _) = MetadataSerializer.ToV2Json(ours.Metadata);
            Assert.Equal(await File.ReadAllTextAsync(tmp.Combine(name + ".py.zarr", ".zarray")), System.Text.Encoding.UTF8.GetString(zarray));
        }
    }

    private static List<(string Name, ZarrDataType Type, bool BigEndian, char Order, List<IV2Filter> Filters, IBytesToBytesCodec? Compressor)> Cases() =>
    [
        ("delta_i4_zlib", ZarrDataType.Int32, false, 'C', [new DeltaCodec(I4)], new ZlibCodec(1)),
        ("delta_i2_as_i4_orderF_blosc", ZarrDataType.Int16, false, 'F', [new DeltaCodec(I2, I4)], new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 4)),
        ("delta_f8_bz2", ZarrDataType.Float64, false, 'C', [new DeltaCodec(F8)], new Bz2Codec(9)),
        ("delta_big_endian_i4", ZarrDataType.Int32, true, 'C', [new DeltaCodec(new NumpyDType(ZarrDataType.Int32, true))], null),
        ("fso_f8_u1_blosc", ZarrDataType.Float64, false, 'C', [new FixedScaleOffsetCodec(1000, 10, F8, U1)], new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.BitShuffle, 1)),
        ("fso_f8_i2", ZarrDataType.Float64, false, 'C', [new FixedScaleOffsetCodec(-50, 8, F8, I2)], null),
        ("fso_f4_i4_gzip", ZarrDataType.Float32, false, 'F', [new FixedScaleOffsetCodec(0.25, 1000, F4, I4)], new GzipCodec(5)),
        ("astype_f8_f4_zstd", ZarrDataType.Float64, false, 'C', [new AsTypeCodec(F4, F8)], new ZstdCodec(3, false)),
        ("astype_i4_i2", ZarrDataType.Int32, false, 'C', [new AsTypeCodec(I2, I4)], new ZlibCodec(5)),
        ("quantize_f8_d2", ZarrDataType.Float64, false, 'C', [new QuantizeCodec(2, F8)], new ZlibCodec(1)),
        ("quantize_f4_d3_as_f8", ZarrDataType.Float32, false, 'C', [new QuantizeCodec(3, F4, F8)], null),
        ("chain_fso_delta_blosc", ZarrDataType.Float64, false, 'C', [new FixedScaleOffsetCodec(-50, 8, F8, I4), new DeltaCodec(I4)], new BloscCodec(BloscCompressor.Zstd, 5, BloscShuffle.Shuffle, 4)),
        ("chain_astype_delta_blosc", ZarrDataType.Float64, false, 'C', [new AsTypeCodec(F4, F8), new DeltaCodec(F4)], new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 4)),
        ("chain_quantize_astype_delta_fso", ZarrDataType.Float64, false, 'F', [new QuantizeCodec(1, F8), new FixedScaleOffsetCodec(0, 10, F8, I4), new DeltaCodec(I4, I2)], new Bz2Codec(1)),
        ("bz2_only_f4", ZarrDataType.Float32, false, 'C', [], new Bz2Codec(9)),
    ];

    /// <summary>Values that suit each case: smooth ramps for the delta and scale-offset cases, noise elsewhere.</summary>
    private static byte[] Values(string name, ZarrDataType type, int count)
    {
        var random = new Random(name.Length * 7919);
        var values = new double[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = name.StartsWith("fso_f8_u1", StringComparison.Ordinal)
                ? 1000 + (i % 256 / 10.0) + (random.NextDouble() * 0.05)
                : (Math.Sin(i / 17.0) * 40) + (random.NextDouble() * 3) + (i % 5 == 0 ? 0.05 : 0) + 10;
        }

        return type.Kind switch
        {
            DataTypeKind.Int16 => MemoryMarshal.AsBytes(values.Select(v => (short)(v * 100)).ToArray().AsSpan()).ToArray(),
            DataTypeKind.Int32 => MemoryMarshal.AsBytes(values.Select(v => (int)(v * 10000)).ToArray().AsSpan()).ToArray(),
            DataTypeKind.Float32 => MemoryMarshal.AsBytes(values.Select(v => (float)v).ToArray().AsSpan()).ToArray(),
            _ => MemoryMarshal.AsBytes(values.AsSpan()).ToArray(),
        };
    }

    /// <summary>The corpus' canonical serialization of little-endian C-order values: every float NaN made the quiet NaN.</summary>
    private static string RunPython(string script, string argument) =>
        PythonPeer.Run("zarr-python 2 did not read our arrays exactly", script, argument);

    private static string FixturesDirectory([CallerFilePath] string source = "") =>
        Path.Combine(Path.GetDirectoryName(source)!, "Fixtures", "filters");
}
