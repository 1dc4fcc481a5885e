using System.Text;

namespace Zarr.Storage.Tests.Metadata;

/// <summary>
/// Issue 23, item 5: metadata that passes parsing but overflows later. Sizes the library cannot hold are refused when the
/// array is opened, naming the document and the field and stating the limit; legal sizes too large for 64 bits are
/// computed in wider arithmetic (an nbytes of 2^65 prints).
/// </summary>
public class HugeSizesTests
{
    private const string MaxChunk = "2147483591"; // Array.MaxLength: a decoded chunk is one .NET array

    private static string V3(string shape = "[4]", string dataType = "\"int32\"", string chunks = "[2]", string fill = "0") =>
        "{\"zarr_format\": 3, \"node_type\": \"array\", \"shape\": " + shape + ", \"data_type\": " + dataType
        + ", \"chunk_grid\": {\"name\": \"regular\", \"configuration\": {\"chunk_shape\": " + chunks + "}}"
        + ", \"chunk_key_encoding\": {\"name\": \"default\", \"configuration\": {\"separator\": \"/\"}}"
        + ", \"fill_value\": " + fill + ", \"codecs\": [{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}], \"attributes\": {}}";

    private static string V2(string shape = "[4]", string dtype = "\"<i4\"", string chunks = "[2]", string fill = "0") =>
        "{\"zarr_format\": 2, \"shape\": " + shape + ", \"chunks\": " + chunks + ", \"dtype\": " + dtype + ", \"fill_value\": " + fill
        + ", \"order\": \"C\", \"compressor\": null, \"filters\": null}";

    private static async Task<MemoryStore> StoreWith(string key, string document)
    {
        var store = new MemoryStore();
        await store.SetAsync(key, Encoding.UTF8.GetBytes(document));
        return store;
    }

    [Fact]
    public async Task A_shape_of_2_pow_63_minus_1_int32_opens_reads_and_prints_its_2_pow_65_bytes()
    {
        var store = await StoreWith("a/zarr.json", V3(shape: $"[{long.MaxValue}]", chunks: "[1000]", fill: "7"));
        var z = await ZarrArray.OpenAsync<int>(store, "a", AccessMode.ReadWrite);

        Assert.Equal(long.MaxValue, z.Size);
        Assert.Equal((UInt128)long.MaxValue * 4, z.NBytesExact);
        var e = Assert.Throws<ZarrException>(() => z.NBytes);
        Assert.Contains("NBytesExact", e.Message, StringComparison.Ordinal);
        Assert.Equal((long.MaxValue / 1000) + 1, z.Grid.ChunkCount);
        Assert.Equal(new long[] { (long.MaxValue / 1000) + 1 }, z.Grid.GridShape);

        Assert.Contains("nbytes: 32.0E", z.ToString(), StringComparison.Ordinal);
        var info = await z.GetInfoAsync();
        Assert.Equal((UInt128)long.MaxValue * 4, info.NBytesExact);
        Assert.Throws<ZarrException>(() => info.NBytes);
        Assert.Contains("nbytes: 32.0E", info.ToString(), StringComparison.Ordinal);
        Assert.Null(info.Ratio);

        Assert.Equal(new[] { 7, 7, 7 }, Zarr.Storage.Tests.Arrays.SelectionTests.ToArray(await z[^3..]));
        await z[^2..].WriteAsync(new[] { 1, 2 });
        Assert.Equal(new[] { 7, 1, 2 }, Zarr.Storage.Tests.Arrays.SelectionTests.ToArray(await z[^3..]));
        Assert.Contains("nbytes: 32.0E", (await z.GetInfoAsync()).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Sizes_beyond_64_bits_print()
    {
        Assert.Equal("32.0E", Zarr.Storage.Internal.Sizes.Human((UInt128)1 << 65));
        Assert.Equal("1.0Z", Zarr.Storage.Internal.Sizes.Human((UInt128)1 << 70));
        Assert.Equal("1024.0Y", Zarr.Storage.Internal.Sizes.Human((UInt128)1 << 90));
        Assert.Equal("3.6P", Zarr.Storage.Internal.Sizes.Human(4_000_000_000_000_000));
    }

    public static TheoryData<string, string, string, string> Refused() => new()
    {
        // the document, its key, the field named, a piece of the message
        { V3(chunks: "[2147483647, 2147483647]", shape: "[4, 4]"), "a/zarr.json", "chunk_grid.configuration.chunk_shape", MaxChunk },
        { V2(chunks: "[2147483647, 2147483647]", shape: "[4, 4]"), "a/.zarray", "chunks", MaxChunk },
        { V3(chunks: "[1073741824]"), "a/zarr.json", "chunk_grid.configuration.chunk_shape", "4294967296 bytes" },
        { V2(dtype: "\"|S2147483647\"", fill: "\"\""), "a/.zarray", "dtype", MaxChunk },
        { V2(dtype: "\"<U536870911\"", fill: "\"\""), "a/.zarray", "dtype", MaxChunk },
        { V3(dataType: """{"name": "fixed_length_utf32", "configuration": {"length_bytes": 2147483644}}""", fill: "\"\""), "a/zarr.json", "data_type", MaxChunk },
        { V3(dataType: """{"name": "null_terminated_bytes", "configuration": {"length_bytes": 2147483647}}""", fill: "\"\""), "a/zarr.json", "data_type", MaxChunk },
        { V3(shape: $"[{1L << 62}, 4]", chunks: "[1, 1]"), "a/zarr.json", "shape", "9223372036854775807" },
        { V2(shape: $"[{1L << 62}, 4]", chunks: "[1, 1]"), "a/.zarray", "shape", "9223372036854775807" },
        { V2(dtype: """[["a", "|S2000000000"], ["b", "|S2000000000"]]""", fill: "null"), "a/.zarray", "dtype", "2147483647" },
        { V2(dtype: """[["a", "<i4", [2147483647, 2]]]""", fill: "null"), "a/.zarray", "dtype[0]", "2147483647" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Sizes_the_library_cannot_hold_are_refused_at_open(string document, string key, string field, string expected)
    {
        var store = await StoreWith(key, document);
        var e = await Assert.ThrowsAsync<ZarrMetadataException>(() => ZarrArray.OpenAsync(store, "a"));
        Assert.Equal(key, e.Document);
        Assert.Equal(field, e.Field);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_such_arrays_is_refused_with_a_ZarrException()
    {
        var store = new MemoryStore();
        var chunk = await Assert.ThrowsAnyAsync<ZarrException>(() => ZarrArray.CreateAsync<int>(store, "c", [4, 4], new ArrayOptions { Chunks = [int.MaxValue, int.MaxValue] }));
        Assert.Contains(MaxChunk, chunk.Message, StringComparison.Ordinal);
        var shape = await Assert.ThrowsAnyAsync<ZarrException>(() => ZarrArray.CreateAsync<int>(store, "s", [1L << 62, 4], new ArrayOptions { Chunks = [1, 1] }));
        Assert.Contains("9223372036854775807", shape.Message, StringComparison.Ordinal);
        Assert.Equal(0, store.Count);
    }
}
