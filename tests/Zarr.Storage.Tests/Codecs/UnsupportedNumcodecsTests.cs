using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// The numcodecs codecs this library does not run fail clearly, naming the codec and why: pcodec (no peer here: its
/// configuration as numcodecs' own fixtures hold it, fixture/pcodec/codec.00/config.json, in the v3 form zarr-python 3
/// writes and as a v2 compressor), and the object codecs and filters of arrays Debian's zarr-python 2.13 writes.
/// </summary>
public class UnsupportedNumcodecsTests
{
    // numcodecs fixture/pcodec/codec.00/config.json, without its id: the v3 configuration zarr-python 3 writes.
    private const string PcodecConfiguration = """{"delta_encoding_order": null, "equal_pages_up_to": 262144, "level": 8, "mode_spec": "auto"}""";

    [Fact]
    public void Pcodec_is_refused_naming_it_in_v3_and_v2()
    {
        var v3 = $$$"""
            {"zarr_format": 3, "node_type": "array", "shape": [8], "data_type": "float64",
             "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [8]}},
             "chunk_key_encoding": {"name": "default"}, "fill_value": 0,
             "codecs": [{"name": "numcodecs.pcodec", "configuration": {{{PcodecConfiguration}}}}]}
            """;
        var ex = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(v3), "p/zarr.json"));
        Assert.Equal("p/zarr.json", ex.Document);
        Assert.Contains("codec 'numcodecs.pcodec' is not supported: pcodec", ex.Message, StringComparison.Ordinal);
        Assert.Contains("needs the pcodec library", ex.Message, StringComparison.Ordinal);

        var compressor = JsonNode.Parse(PcodecConfiguration)!.AsObject();
        compressor["id"] = "pcodec";
        ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV2Compressor(compressor, ZarrDataType.Float64, "p/.zarray"));
        Assert.Equal("compressor.id", ex.Field);
        Assert.Contains("compressor 'pcodec' is not supported", ex.Message, StringComparison.Ordinal);

        ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "vlen-bytes"}""")!, ZarrDataType.UInt8, "v/zarr.json"));
        Assert.Contains("codec 'vlen-bytes' is not supported: an object codec", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arrays_zarr_python_2_writes_with_the_other_object_codecs_fail_naming_them_and_vlen_utf8_reads()
    {
        using var dir = new TempDirectory();
        PythonPeer.Run("zarr-python 2.13 could not write the object-codec arrays", "-c", """
            import sys, os, zarr, numcodecs, numpy as np
            root = sys.argv[1]
            def obj(name, codec, values):
                a = zarr.open(os.path.join(root, name), mode='w', shape=(len(values),), chunks=(2,), dtype=object, object_codec=codec)
                a[:] = np.array(values + [None], dtype=object)[:-1]
            obj('utf8', numcodecs.VLenUTF8(), ['a', 'bé', 'c'])
            obj('bytes', numcodecs.VLenBytes(), [b'a', b'bc', b'd'])
            obj('array', numcodecs.VLenArray('<i4'), [np.arange(2, dtype='<i4'), np.arange(3, dtype='<i4'), np.arange(1, dtype='<i4')])
            obj('json', numcodecs.JSON(), [1, 'x', [2]])
            obj('msgpack', numcodecs.MsgPack(), [1, 'x', [2]])
            obj('pickle', numcodecs.Pickle(), [1, 'x', (2,)])
            c = zarr.open(os.path.join(root, 'categorize'), mode='w', shape=(4,), chunks=(2,), dtype='<U1',
                          filters=[numcodecs.Categorize(['a', 'b'], dtype='<U1')], compressor=None)
            c[:] = np.array(['a', 'b', 'b', 'a'])
            b = zarr.open(os.path.join(root, 'base64'), mode='w', shape=(4,), chunks=(2,), dtype='<i4', compressor=numcodecs.Base64())
            b[:] = np.arange(4, dtype='<i4')
            """, dir.Path);

        var utf8 = await ZarrStringArray.OpenAsync(new DirectoryStore(dir.Combine("utf8")));
        Assert.Equal(new[] { "a", "bé", "c" }, (await utf8.ReadAsync([Slice.All])).Values);

        foreach (var (name, id, why) in new[]
        {
            ("bytes", "vlen-bytes", "variable-length byte strings"),
            ("array", "vlen-array", "ragged arrays"),
            ("json", "json2", "arbitrary JSON values"),
            ("msgpack", "msgpack2", "MessagePack"),
            ("pickle", "pickle", "only Python can read"),
            ("categorize", "categorize", "categorize filter"),
            ("base64", "base64", "base64 codec is not supported"),
        })
        {
            var ex = await Assert.ThrowsAnyAsync<ZarrMetadataException>(() => ZarrArray.OpenAsync(new DirectoryStore(dir.Combine(name))));
            Assert.Contains($"'{id}'", ex.Message, StringComparison.Ordinal);
            Assert.Contains(why, ex.Message, StringComparison.Ordinal);
        }
    }
}
