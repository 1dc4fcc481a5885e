using System.Text;
using System.Text.Json.Nodes;
using static Zarr.Storage.Tests.Arrays.SelectionTests;

namespace Zarr.Storage.Tests.Arrays;

/// <summary>
/// A v2 array without a fill value (<c>"fill_value": null</c>, zarr-python's <c>fill_value=None</c>, what xarray writes for
/// its CF-encoded times): every way of creating one keeps the null, and a v3 array takes the type's default instead.
/// </summary>
public class NullFillValueTests
{
    private static readonly ArrayOptions NoFill = new() { Format = ZarrFormat.V2, Chunks = [4], FillValueIsNull = true };

    public static TheoryData<string> CreationPaths => new() { "CreateAsync<T>", "CreateAsync(dataType)", "FromDataAsync", "EmptyAsync", "group.CreateArrayAsync" };

    private static async Task<ZarrArray> CreateAsync(IStore store, string how, ArrayOptions options) => how switch
    {
        "CreateAsync<T>" => await ZarrArray.CreateAsync<long>(store, "a", [10], options),
        "CreateAsync(dataType)" => await ZarrArray.CreateAsync(store, "a", ZarrDataType.Int64, [10], options),
        "FromDataAsync" => await ZarrArray.FromDataAsync<long>(store, "a", new long[10], [10], options),
        "EmptyAsync" => await ZarrArray.EmptyAsync<long>(store, "a", [10], options),
        "group.CreateArrayAsync" => await (await ZarrGroup.CreateAsync(store, "", options.Format)).CreateArrayAsync<long>("a", [10], options),
        _ => throw new ArgumentOutOfRangeException(nameof(how)),
    };

    private static async Task<JsonNode> DocumentAsync(IStore store, string key)
    {
        using var buffer = await store.GetAsync(key);
        Assert.NotNull(buffer);
        return JsonNode.Parse(buffer.Span)!;
    }

    private static async Task<bool> FillIsJsonNullAsync(IStore store, string key)
    {
        var document = (JsonObject)await DocumentAsync(store, key);
        Assert.True(document.ContainsKey("fill_value"));
        return document["fill_value"] is null;
    }

    [Theory]
    [MemberData(nameof(CreationPaths))]
    public async Task A_v2_array_created_without_a_fill_value_writes_null_and_keeps_it(string how)
    {
        var store = new MemoryStore();
        var array = await CreateAsync(store, how, NoFill);

        Assert.True(array.Metadata.FillValueIsNull);
        Assert.Equal(new byte[8], array.Metadata.FillValue);
        Assert.True(await FillIsJsonNullAsync(store, "a/.zarray"));

        // Written to, resized and given attributes, it still has none; missing chunks read as zeros.
        var typed = array.As<long>();
        await typed.WriteAsync([Slice.Range(0, 3)], new long[] { 5, 6, 7 });
        await typed.ResizeAsync([12]);
        await typed.SetAttributesAsync(new JsonObject { ["units"] = "days since 2020-01-01" });
        Assert.True(await FillIsJsonNullAsync(store, "a/.zarray"));

        var reopened = await ZarrArray.OpenAsync<long>(store, "a");
        Assert.True(reopened.Metadata.FillValueIsNull);
        Assert.Equal(new long[] { 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, ToArray(await reopened[..]));
    }

    [Theory]
    [MemberData(nameof(CreationPaths))]
    public async Task A_v3_array_asked_for_no_fill_value_gets_the_types_zero(string how)
    {
        var store = new MemoryStore();
        var array = await CreateAsync(store, how, NoFill with { Format = ZarrFormat.V3 });

        Assert.False(array.Metadata.FillValueIsNull);
        Assert.Equal("0", (await DocumentAsync(store, "a/zarr.json"))["fill_value"]!.ToJsonString());
        Assert.False((await ZarrArray.OpenAsync(store, "a")).Metadata.FillValueIsNull);
    }

    [Fact]
    public async Task A_v3_array_of_bool_or_strings_gets_false_or_the_empty_string()
    {
        var store = new MemoryStore();
        await ZarrArray.CreateAsync<bool>(store, "b", [3], NoFill with { Format = ZarrFormat.V3 });
        await ZarrStringArray.CreateAsync(store, "s", [3], options: NoFill with { Format = ZarrFormat.V3 });

        Assert.Equal("false", (await DocumentAsync(store, "b/zarr.json"))["fill_value"]!.ToJsonString());
        Assert.Equal("\"\"", (await DocumentAsync(store, "s/zarr.json"))["fill_value"]!.ToJsonString());
    }

    [Fact]
    public async Task A_v2_string_array_without_a_fill_value_reads_missing_elements_as_null()
    {
        var store = new MemoryStore();
        var strings = await ZarrStringArray.CreateAsync(store, "s", [6], options: NoFill with { Chunks = [3] });
        await strings.WriteAsync([Slice.Range(0, 3)], new string?[] { "a", "b", "c" });

        Assert.True(await FillIsJsonNullAsync(store, "s/.zarray"));
        var (values, _) = await (await ZarrStringArray.OpenAsync(store, "s")).ReadAsync([Slice.All]);
        Assert.Equal(new string?[] { "a", "b", "c", null, null, null }, values);
    }

    [Fact]
    public async Task Metadata_of_a_null_v2_array_made_v3_reports_the_zero_it_writes()
    {
        var store = new MemoryStore();
        var source = await ZarrArray.CreateAsync<double>(store, "v2", [10], NoFill);

        var v3 = await ZarrArray.CreateFromMetadataAsync(store, "v3", source.Metadata with { Format = ZarrFormat.V3, ChunkKeyEncoding = ChunkKeyEncoding.Default });
        var v2 = await ZarrArray.CreateFromMetadataAsync(store, "copy", source.Metadata);

        Assert.False(v3.Metadata.FillValueIsNull);
        Assert.Equal("0.0", (await DocumentAsync(store, "v3/zarr.json"))["fill_value"]!.ToJsonString());
        Assert.True(v2.Metadata.FillValueIsNull);
        Assert.True(await FillIsJsonNullAsync(store, "copy/.zarray"));
    }

    [Fact]
    public async Task Contradictory_fill_options_are_refused_before_anything_is_written()
    {
        var store = new MemoryStore();

        var both = await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.CreateAsync<double>(store, "a", [10], NoFill with { FillValue = 1.5 }));
        Assert.Contains("FillValueIsNull", both.Message, StringComparison.Ordinal);
        Assert.Contains("1.5", both.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.CreateAsync(store, "a", ZarrDataType.Float64, [10], NoFill with { FillValue = 1.5 }));
        await Assert.ThrowsAsync<ZarrException>(() => ZarrStringArray.CreateAsync(store, "a", [10], options: NoFill with { FillValue = "x" }));

        var full = await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.FullAsync(store, "a", [10], 2.5, NoFill));
        Assert.Contains("FillValueIsNull", full.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.ZerosAsync<double>(store, "a", [10], NoFill));
        await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.OnesAsync<double>(store, "a", [10], NoFill));

        // A null fill value reads as zeros: metadata that says null with other bytes cannot be written as it would read back.
        var ones = await ZarrArray.OnesAsync<double>(new MemoryStore(), "", [10], new ArrayOptions { Format = ZarrFormat.V2 });
        var contradictory = ones.Metadata with { FillValueIsNull = true };
        var model = await Assert.ThrowsAsync<ZarrException>(() => ZarrArray.CreateFromMetadataAsync(store, "a", contradictory));
        Assert.Contains("FillValueIsNull", model.Message, StringComparison.Ordinal);
        Assert.Throws<ZarrException>(() => MetadataSerializer.ToV2Json(contradictory));

        await foreach (var entry in store.ListPrefixAsync(""))
        {
            Assert.Fail($"nothing should have been written, found {entry.Key}");
        }
    }

    [Fact]
    public async Task The_summary_shows_the_fill_value_as_the_metadata_writes_it()
    {
        var store = new MemoryStore();
        var none = await ZarrArray.CreateAsync<long>(store, "none", [10], NoFill);
        var nan = await ZarrArray.CreateAsync<double>(store, "nan", [10], new ArrayOptions { Format = ZarrFormat.V2, FillValue = "NaN" });
        var zero = await ZarrArray.CreateAsync<long>(store, "zero", [10], NoFill with { Format = ZarrFormat.V3 });

        var noneInfo = await none.GetInfoAsync();
        Assert.Null(noneInfo.FillValue);
        Assert.Contains("\n  fill_value: null\n", noneInfo.ToString(), StringComparison.Ordinal);
        var nanInfo = await nan.GetInfoAsync();
        Assert.Equal("\"NaN\"", nanInfo.FillValue!.ToJsonString());
        Assert.Contains("\n  fill_value: \"NaN\"\n", nanInfo.ToString(), StringComparison.Ordinal);
        var zeroInfo = await zero.GetInfoAsync();
        Assert.Equal("0", zeroInfo.FillValue!.ToJsonString());
        Assert.Contains("\n  fill_value: 0\n", zeroInfo.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_zarr_python_v2_array_with_a_null_fill_value_opens_with_it()
    {
        var store = new MemoryStore();
        const string ZArray = """
            {
                "chunks": [4],
                "compressor": null,
                "dtype": "<i8",
                "fill_value": null,
                "filters": null,
                "order": "C",
                "shape": [10],
                "zarr_format": 2
            }
            """;
        await store.SetAsync("t/.zarray", Encoding.UTF8.GetBytes(ZArray));

        var array = await ZarrArray.OpenAsync(store, "t");

        Assert.True(array.Metadata.FillValueIsNull);
        Assert.Null((await array.GetInfoAsync()).FillValue);
        Assert.True((await ZarrArray.CreateFromMetadataAsync(store, "copy", array.Metadata)).Metadata.FillValueIsNull);
        Assert.True(await FillIsJsonNullAsync(store, "copy/.zarray"));
    }
}
