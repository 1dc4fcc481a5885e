using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Tests.Arrays;

namespace Zarr.Storage.Tests.Metadata;

/// <summary>
/// <c>must_understand</c> as the v3.1 core spec defines it per extension point: an unknown codec or storage transformer
/// declared <c>false</c> is ignored (a codec read as absent, never written without); an unknown one otherwise fails
/// naming it and the document; data types, chunk grids and chunk key encodings must always be understood.
/// </summary>
public class MustUnderstandTests
{
    private const string Doc = "arr/zarr.json";

    private static string ArrayJson(string codecs, string dataType = "\"int16\"", string grid = """{"name": "regular", "configuration": {"chunk_shape": [4]}}""",
        string keys = """{"name": "default"}""", string extra = "") => $$"""
        {"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": {{dataType}},
         "chunk_grid": {{grid}}, "chunk_key_encoding": {{keys}}, "fill_value": 0, "codecs": {{codecs}}{{extra}}}
        """;

    private static ArrayMetadata Parse(string json) => MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(json), Doc);

    private static async Task<MemoryStore> StoreWith(string json, byte[] chunk)
    {
        var store = new MemoryStore();
        await store.SetAsync("arr/zarr.json", Encoding.UTF8.GetBytes(json));
        await store.SetAsync("arr/c/0", chunk);
        return store;
    }

    private static readonly byte[] Chunk = [1, 0, 0xFE, 0xFF, 3, 0, 0x00, 0x80];
    private static readonly short[] Values = [1, -2, 3, short.MinValue];

    [Theory]
    [InlineData("""[{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "x.checksum_in_attrs", "must_understand": false, "configuration": {"k": 1}}]""")]
    [InlineData("""[{"name": "x.hint", "must_understand": false}, {"name": "bytes", "configuration": {"endian": "little"}}]""")]
    public async Task An_unknown_codec_declared_must_understand_false_is_read_as_absent_and_kept_in_the_metadata(string codecs)
    {
        var store = await StoreWith(ArrayJson(codecs), Chunk);
        var array = await ZarrArray.OpenAsync<short>(store, "arr", AccessMode.ReadWrite);
        Assert.Equal(Values, SelectionTests.ToArray(await array[..]));

        // Written back as read, so no peer loses the declaration.
        var written = JsonNode.Parse(MetadataSerializer.ToV3Json(array.Metadata))!["codecs"]!.ToJsonString();
        Assert.Equal(JsonNode.Parse(codecs)!.ToJsonString(), written);

        // Writing without it would leave chunks a reader that knows the codec decodes wrongly: refused, nothing torn.
        var ex = await Assert.ThrowsAnyAsync<ZarrException>(async () => await array[..].WriteAsync(new short[] { 9, 9, 9, 9 }));
        Assert.Contains("x.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("arr/zarr.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("\"must_understand\": false", ex.Message, StringComparison.Ordinal);
        using var stored = await store.GetAsync("arr/c/0");
        Assert.Equal(Chunk, stored!.Span.ToArray());
    }

    [Theory]
    [InlineData("""[{"name": "bytes"}, {"name": "x.mystery"}]""", "unknown codec 'x.mystery'")]
    [InlineData("""[{"name": "bytes"}, {"name": "x.mystery", "must_understand": true}]""", "unknown codec 'x.mystery'")]
    [InlineData("""[{"name": "x.mystery", "must_understand": false}]""", "array→bytes")]
    public void An_unknown_codec_that_must_be_understood_or_cannot_be_done_without_fails_naming_it_and_the_array(string codecs, string message)
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => Parse(ArrayJson(codecs.Replace("{\"name\": \"bytes\"}", "{\"name\": \"bytes\", \"configuration\": {\"endian\": \"little\"}}", StringComparison.Ordinal))));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("arr/zarr.json", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_must_understand_that_is_not_a_boolean_fails_naming_the_field()
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => Parse(ArrayJson("""[{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "x.m", "must_understand": "no"}]""")));
        Assert.Equal("codecs.x.m.must_understand", ex.Field);
    }

    [Fact]
    public async Task A_known_codec_declared_must_understand_false_is_still_applied()
    {
        var json = ArrayJson("""[{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c", "must_understand": false}]""");
        var store = new MemoryStore();
        await store.SetAsync("arr/zarr.json", Encoding.UTF8.GetBytes(json));
        var array = await ZarrArray.OpenAsync<short>(store, "arr", AccessMode.ReadWrite);
        Assert.IsType<Crc32cCodec>(array.Metadata.Codecs[1]);
        await array[..].WriteAsync(Values);
        using var stored = await store.GetAsync("arr/c/0");
        Assert.Equal(Chunk.Length + 4, stored!.Length);
        Assert.Equal(Values, SelectionTests.ToArray(await array[..]));
    }

    [Fact]
    public async Task Inside_a_shard_an_ignorable_inner_codec_is_read_as_absent_too()
    {
        // One shard of one inner chunk of 4: the inner chunk's bytes, then the index (offset 0, length 8) and its crc32c.
        var json = ArrayJson("""
            [{"name": "sharding_indexed", "configuration": {"chunk_shape": [4],
              "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "x.inner", "must_understand": false}],
              "index_codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "crc32c"}], "index_location": "end"}}]
            """);
        var index = new byte[16];
        BitConverter.TryWriteBytes(index.AsSpan(8), 8UL);
        var shard = Chunk.Concat(index).Concat(BitConverter.GetBytes(Crc32cCodec.Compute(index))).ToArray();
        var store = await StoreWith(json, shard);
        var array = await ZarrArray.OpenAsync<short>(store, "arr");
        Assert.Equal(Values, SelectionTests.ToArray(await array[..]));
    }

    [Theory]
    [InlineData("data_type", "data type")]
    [InlineData("chunk_grid", "chunk grid")]
    [InlineData("chunk_key_encoding", "chunk key encoding")]
    public void Data_types_chunk_grids_and_key_encodings_must_be_understood_even_when_declared_false(string field, string point)
    {
        const string Unknown = """{"name": "x.unknown", "must_understand": false, "configuration": {"a": 1}}""";
        var json = field switch
        {
            "data_type" => ArrayJson("""["bytes"]""", dataType: Unknown),
            "chunk_grid" => ArrayJson("""[{"name": "bytes", "configuration": {"endian": "little"}}]""", grid: Unknown),
            _ => ArrayJson("""[{"name": "bytes", "configuration": {"endian": "little"}}]""", keys: Unknown),
        };
        var ex = Assert.Throws<ZarrMetadataException>(() => Parse(json));
        Assert.StartsWith(field, ex.Field, StringComparison.Ordinal);
        Assert.Contains("x.unknown", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"\"must_understand\": false does not apply to a {point}", ex.Message, StringComparison.Ordinal);

        // Without the declaration, the same error without the note.
        var plain = Assert.Throws<ZarrMetadataException>(() => Parse(json.Replace("\"must_understand\": false, ", "", StringComparison.Ordinal)));
        Assert.DoesNotContain("must_understand", plain.Message, StringComparison.Ordinal);

        // A known one declared false (which the spec does not allow) is understood anyway.
        var known = field switch
        {
            "data_type" => ArrayJson("""[{"name": "bytes", "configuration": {"endian": "little"}}]""", dataType: """{"name": "int16", "must_understand": false}"""),
            "chunk_grid" => ArrayJson("""[{"name": "bytes", "configuration": {"endian": "little"}}]""", grid: """{"name": "regular", "must_understand": false, "configuration": {"chunk_shape": [4]}}"""),
            _ => ArrayJson("""[{"name": "bytes", "configuration": {"endian": "little"}}]""", keys: """{"name": "default", "must_understand": false}"""),
        };
        Assert.Equal(ZarrDataType.Int16, Parse(known).DataType);
    }

    [Fact]
    public void Storage_transformers_declared_must_understand_false_are_ignored_and_others_fail_naming_them()
    {
        const string Codecs = """[{"name": "bytes", "configuration": {"endian": "little"}}]""";
        var ok = Parse(ArrayJson(Codecs, extra: """, "storage_transformers": [{"name": "x.cache_hint", "must_understand": false}]"""));
        Assert.Equal(ZarrDataType.Int16, ok.DataType);

        var ex = Assert.Throws<ZarrMetadataException>(() => Parse(ArrayJson(Codecs, extra: """, "storage_transformers": [{"name": "x.cache_hint", "must_understand": false}, {"name": "x.remap"}]""")));
        Assert.Equal("storage_transformers", ex.Field);
        Assert.Contains("x.remap", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("x.cache_hint", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ignored_extensions_are_written_back_when_a_resize_or_an_attributes_update_rewrites_the_document()
    {
        const string extension = """{"must_understand": false, "by": "another tool", "n": [1, 2]}""";
        const string transformers = """[{"name": "x.cache", "must_understand": false, "configuration": {"k": "v"}}]""";
        var json = ArrayJson("""[{"name": "bytes", "configuration": {"endian": "little"}}]""",
            extra: $", \"x.provenance\": {extension}, \"storage_transformers\": {transformers}");
        var store = await StoreWith(json, Chunk);
        var array = await ZarrArray.OpenAsync<short>(store, "arr", AccessMode.ReadWrite);

        await array.ResizeAsync([6]);
        await array.UpdateAttributesAsync(new JsonObject { ["a"] = 1 });

        using var stored = await store.GetAsync("arr/zarr.json");
        var root = JsonNode.Parse(stored!.Span)!.AsObject();
        Assert.Equal(6, (int)root["shape"]![0]!);
        Assert.Equal(1, (int)root["attributes"]!["a"]!);
        Assert.Equal(JsonNode.Parse(extension)!.ToJsonString(), root["x.provenance"]!.ToJsonString());
        Assert.Equal(JsonNode.Parse(transformers)!.ToJsonString(), root["storage_transformers"]!.ToJsonString());

        // A document without extensions gets none, and the empty list of transformers stays the one written.
        var plain = await ZarrArray.OpenAsync<short>(await StoreWith(ArrayJson("""[{"name": "bytes", "configuration": {"endian": "little"}}]"""), Chunk), "arr", AccessMode.ReadWrite);
        var written = JsonNode.Parse(MetadataSerializer.ToV3Json(plain.Metadata))!.AsObject();
        Assert.Equal("[]", written["storage_transformers"]!.ToJsonString());
        Assert.DoesNotContain(written, p => p.Key.StartsWith("x.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_group_keeps_its_ignored_extensions_through_an_attributes_update()
    {
        const string extension = """{"must_understand": false, "note": "kept"}""";
        var store = new MemoryStore();
        await store.SetAsync("g/zarr.json", Encoding.UTF8.GetBytes(
            $$"""{"zarr_format": 3, "node_type": "group", "attributes": {"b": 2}, "x.lineage": {{extension}}}"""));
        var group = await ZarrGroup.OpenAsync(store, "g", AccessMode.ReadWrite);

        await group.SetAttributesAsync(new JsonObject { ["c"] = 3 });

        using var stored = await store.GetAsync("g/zarr.json");
        var root = JsonNode.Parse(stored!.Span)!.AsObject();
        Assert.Equal(3, (int)root["attributes"]!["c"]!);
        Assert.Equal(JsonNode.Parse(extension)!.ToJsonString(), root["x.lineage"]!.ToJsonString());
    }
}
