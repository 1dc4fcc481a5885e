using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Tests.Arrays;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// numcodecs' <c>packbits</c>: the v3 <c>numcodecs.packbits</c> form zarr-python 3 writes (built by hand from its
/// wrapper: configuration without the id, shape 1 + ⌈n/8⌉ of uint8) and the v2 filter, against Debian's zarr-python
/// 2.13 both ways.
/// </summary>
public class NumcodecsPackBitsTests
{
    // T F F T T T F F | T F: 6 padding bits; 0b1001_1100, then 0b10 and six zeros, the first element in the top bit.
    private static readonly bool[] Values = [true, false, false, true, true, true, false, false, true, false];
    private static readonly byte[] Packed = [6, 0x9C, 0x80];

    private const string V3Json = """
        {"zarr_format": 3, "node_type": "array", "shape": [10], "data_type": "bool",
         "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [10]}},
         "chunk_key_encoding": {"name": "default"}, "fill_value": false,
         "codecs": [{"name": "numcodecs.packbits", "configuration": {}}, {"name": "bytes"}]}
        """;

    [Fact]
    public async Task The_v3_form_zarr_python_3_writes_reads_and_writes_the_same_bytes()
    {
        var store = new MemoryStore();
        await store.SetAsync("zarr.json", Encoding.UTF8.GetBytes(V3Json));
        await store.SetAsync("c/0", Packed);
        var array = await ZarrArray.OpenAsync<bool>(store, "", AccessMode.ReadWrite);
        Assert.IsType<NumcodecsPackBitsCodec>(array.Metadata.Codecs[0]);
        Assert.Equal(Values, SelectionTests.ToArray(await array[..]));

        await store.DeleteAsync("c/0");
        await array[..].WriteAsync(Values);
        using var written = await store.GetAsync("c/0");
        Assert.Equal(Packed, written!.Span.ToArray());
        var codecs = JsonNode.Parse(MetadataSerializer.ToV3Json(array.Metadata))!["codecs"]!;
        Assert.Equal("""{"name":"numcodecs.packbits","configuration":{}}""", codecs[0]!.ToJsonString());
    }

    [Theory]
    [InlineData(8, new byte[] { 0 })]
    [InlineData(1, new byte[] { 7 })]
    [InlineData(17, new byte[] { 7 })]
    public void Every_length_packs_to_one_plus_its_bytes_and_back(int count, byte[] padding)
    {
        var codec = new NumcodecsPackBitsCodec();
        var values = Enumerable.Range(0, count).Select(i => (byte)((i * 7 % 3) == 0 ? 1 : 0)).ToArray();
        var spec = new ChunkSpec([count], ZarrDataType.Bool, [0]);
        var encodedSpec = codec.GetEncodedSpec(spec);
        Assert.Equal(ZarrDataType.UInt8, encodedSpec.DataType);
        Assert.Equal(new[] { 1 + ((count + 7) / 8) }, encodedSpec.Shape.ToArray());
        var encoded = new byte[encodedSpec.ByteLength];
        codec.Encode(values, encoded, spec);
        Assert.Equal(padding[0], encoded[0]);
        var back = new byte[count];
        codec.Decode(encoded, back, spec);
        Assert.Equal(values, back);
    }

    [Fact]
    public void Bad_input_fails_naming_the_codec()
    {
        var codec = new NumcodecsPackBitsCodec();
        var spec = new ChunkSpec([3], ZarrDataType.Bool, [0]);
        var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(new byte[] { 4, 0xE0 }, new byte[3], spec));
        Assert.Contains("says 4 padding bits; a chunk of 3 elements has 5", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrCodecException>(() => codec.Encode(new byte[] { 0, 2, 1 }, new byte[2], spec));
        Assert.Contains("element 1 is 2", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrCodecException>(() => codec.GetEncodedSpec(new ChunkSpec([3], ZarrDataType.Int8, [0])));
        Assert.Contains("numcodecs.packbits", ex.Message, StringComparison.Ordinal);

        var meta = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(V3Json.Replace("\"bool\"", "\"int8\"", StringComparison.Ordinal).Replace("false,", "0,", StringComparison.Ordinal)), "a/zarr.json"));
        Assert.Contains("packbits packs bool elements; it receives int8", meta.Message, StringComparison.Ordinal);
        meta = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(V3Json.Replace("\"configuration\": {}", "\"configuration\": {\"x\": 1}", StringComparison.Ordinal)), "a/zarr.json"));
        Assert.Equal("codecs.numcodecs.packbits.x", meta.Field);
    }

    [Fact]
    public async Task Zarr_python_2_reads_our_v2_packbits_arrays_and_we_read_its()
    {
        using var dir = new TempDirectory();
        var ours = dir.Combine("ours.zarr");
        var values = Enumerable.Range(0, 45).Select(i => i % 3 == 0 || i % 7 == 0).ToArray();
        await ZarrArray.FromDataAsync<bool>(new DirectoryStore(ours), "", values, [values.Length], new ArrayOptions
        {
            Format = ZarrFormat.V2, Chunks = [20], Compressors = [], Filters = [new NumcodecsPackBitsCodec()],
        });
        var zarray = JsonNode.Parse(File.ReadAllText(Path.Combine(ours, ".zarray")))!;
        Assert.Equal("""[{"id":"packbits"}]""", zarray["filters"]!.ToJsonString());

        var theirs = dir.Combine("theirs.zarr");
        var output = PythonPeer.Run("zarr-python 2.13 read our packbits array and wrote its own", "-c", """
            import sys, zarr, numcodecs, numpy as np
            a = zarr.open(sys.argv[1], mode='r')
            print(''.join('1' if v else '0' for v in a[:]))
            b = zarr.open(sys.argv[2], mode='w', shape=(45,), chunks=(20,), dtype=bool, compressor=None, filters=[numcodecs.PackBits()])
            b[:] = np.array([i % 5 == 0 or i % 4 == 1 for i in range(45)])
            """, ours, theirs);
        Assert.Equal(string.Concat(values.Select(v => v ? '1' : '0')), output.Trim());

        var read = SelectionTests.ToArray(await (await ZarrArray.OpenAsync<bool>(new DirectoryStore(theirs)))[..]);
        Assert.Equal(Enumerable.Range(0, 45).Select(i => i % 5 == 0 || i % 4 == 1), read);

        // The last chunk holds 5 elements of a 20-element chunk: stored whole, 1 + 3 bytes, 4 padding bits.
        Assert.Equal(4, File.ReadAllBytes(Path.Combine(theirs, "2")).Length);
        Assert.Equal(4, File.ReadAllBytes(Path.Combine(ours, "2")).Length);
    }
}
