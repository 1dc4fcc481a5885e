using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Tests.Arrays;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// The v3 names zarr-python 3's <c>numcodecs.zarr3</c> wrappers give numcodecs' compressors (<c>numcodecs.blosc</c>,
/// <c>numcodecs.zstd</c>, <c>numcodecs.gzip</c>): their configuration is numcodecs' own (the v2 compressor object
/// without its id). The chunks are compressed by Debian's numcodecs; the metadata is written back under the v3 names.
/// </summary>
public class NumcodecsCompressorNamesTests
{
    [Theory]
    [InlineData("numcodecs.blosc", """{"cname": "lz4", "clevel": 5, "shuffle": 1, "blocksize": 0}""", "numcodecs.Blosc(cname='lz4', clevel=5, shuffle=1)", "blosc")]
    [InlineData("numcodecs.blosc", """{"cname": "zstd", "clevel": 3, "shuffle": 2, "blocksize": 0}""", "numcodecs.Blosc(cname='zstd', clevel=3, shuffle=2)", "blosc")]
    [InlineData("numcodecs.zstd", """{"level": 1, "checksum": false}""", "numcodecs.Zstd(level=1)", "zstd")]
    [InlineData("numcodecs.gzip", """{"level": 1}""", "numcodecs.GZip(level=1)", "gzip")]
    public async Task Chunks_numcodecs_compressed_read_under_the_numcodecs_name_and_the_metadata_is_written_back_under_the_v3_one(
        string name, string configuration, string numcodec, string v3Name)
    {
        var hex = PythonPeer.Run("numcodecs compressed a chunk", "-c", $"""
            import numcodecs, numpy as np
            print({numcodec}.encode(np.arange(100, dtype='<i4')).hex())
            """).Trim();
        var store = new MemoryStore();
        await store.SetAsync("zarr.json", Encoding.UTF8.GetBytes($$$"""
            {"zarr_format": 3, "node_type": "array", "shape": [100], "data_type": "int32",
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [100]}},
             "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
             "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "{{{name}}}", "configuration": {{{configuration}}}}]}
            """));
        await store.SetAsync("c/0", Convert.FromHexString(hex));

        var array = await ZarrArray.OpenAsync<int>(store, "", AccessMode.ReadWrite);
        Assert.Equal(Enumerable.Range(0, 100), SelectionTests.ToArray(await array[..]));

        // Written back under the v3 name, and what we write reads back.
        var codecs = JsonNode.Parse(MetadataSerializer.ToV3Json(array.Metadata))!["codecs"]!;
        Assert.Equal(v3Name, (string)codecs[1]!["name"]!);
        await array[..].WriteAsync(Enumerable.Range(0, 100).Select(i => -i).ToArray());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => -i), SelectionTests.ToArray(await array[..]));
    }

    [Fact]
    public void A_numcodecs_name_with_a_bad_configuration_fails_naming_the_codec_and_field()
    {
        var json = """
            {"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "int32",
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4]}},
             "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
             "codecs": [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "numcodecs.blosc", "configuration": {"cname": "nope", "clevel": 5, "shuffle": 1}}]}
            """;
        var ex = Assert.ThrowsAny<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(json), "a/zarr.json"));
        Assert.Contains("a/zarr.json", ex.Message, StringComparison.Ordinal);
        Assert.Contains("numcodecs.blosc", ex.Message, StringComparison.Ordinal);
        Assert.Contains("nope", ex.Message, StringComparison.Ordinal);
    }
}
