using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Tests.Arrays;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// numcodecs' <c>shuffle</c> and 32-bit checksum codecs (<c>crc32</c>, <c>adler32</c>, <c>crc32c</c>,
/// <c>fletcher32</c>, <c>jenkins_lookup3</c>): their bytes, every option both ways, their JSON as numcodecs and
/// zarr-python 3 write it, and the errors of corrupt and short data.
/// </summary>
public class ShuffleAndChecksumCodecTests
{
    [Fact]
    public void Shuffle_transposes_the_bytes_as_numcodecs_does()
    {
        // numcodecs 0.11: Shuffle(elementsize=3).encode(np.arange(12, dtype='u1')) -> 000306090104070a0205080b
        using var encoded = new ShuffleCodec(3).Encode(Enumerable.Range(0, 12).Select(i => (byte)i).ToArray());
        Assert.Equal(Convert.FromHexString("000306090104070a0205080b"), encoded.Span.ToArray());

        foreach (var size in new[] { 0, 1, 2, 3, 4, 8, 16 })
        {
            var codec = new ShuffleCodec(size);
            var data = Enumerable.Range(0, 48 * 7).Select(i => (byte)(i * 31 + 7)).ToArray();
            using var shuffled = codec.Encode(data);
            Assert.Equal(size <= 1, shuffled.Span.SequenceEqual(data));
            using var back = codec.Decode(shuffled.Span, data.Length);
            Assert.Equal(data, back.Span.ToArray());
            var into = new byte[data.Length + 5];
            Assert.Equal(data.Length, ((IBytesToBytesCodec)codec).Decode(shuffled.Span, into));
            Assert.Equal(data, into[..data.Length]);
        }
    }

    [Fact]
    public void Shuffle_refuses_a_length_that_is_not_whole_elements_both_ways_as_numcodecs_does()
    {
        var codec = new ShuffleCodec(4);
        var ex = Assert.Throws<ZarrCodecException>(() => codec.Encode(new byte[10]));
        Assert.Equal("numcodecs.shuffle", ex.Codec);
        Assert.Contains("10 bytes are not a whole number of 4-byte elements", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ZarrCodecException>(() => codec.Decode(new byte[10], -1));
        Assert.Throws<ZarrCodecException>(() => codec.Decode(new byte[8], 12));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ShuffleCodec(-1));

        // An element size of 1 (or 0) copies any length.
        using var copy = new ShuffleCodec(1).Encode(new byte[] { 1, 2, 3 });
        Assert.Equal(new byte[] { 1, 2, 3 }, copy.Span.ToArray());
    }

    [Theory]
    [InlineData("""{"id": "shuffle", "elementsize": 8}""", 8)]
    [InlineData("""{"id": "shuffle"}""", 4)]
    public void Shuffle_reads_and_writes_its_v2_form(string json, int elementSize)
    {
        var codec = (ShuffleCodec)CodecRegistry.FromV2Compressor(JsonNode.Parse(json), ZarrDataType.Int16, ".zarray")!;
        Assert.Equal(elementSize, codec.ElementSize);
        Assert.Equal($$"""{"id":"shuffle","elementsize":{{elementSize}}}""", codec.ToV2Json().ToJsonString());
    }

    [Fact]
    public void Shuffle_in_v3_defaults_its_element_size_to_the_data_type_as_zarr_python_3_does()
    {
        var codec = (ShuffleCodec)CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "numcodecs.shuffle", "configuration": {}}""")!, ZarrDataType.Float64, "zarr.json");
        Assert.Equal(8, codec.ElementSize);
        Assert.Equal("""{"name":"numcodecs.shuffle","configuration":{"elementsize":8}}""", codec.ToV3Json().ToJsonString());
        var ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "numcodecs.shuffle", "configuration": {"elementsize": -2}}""")!, ZarrDataType.Float64, "a/zarr.json"));
        Assert.Equal("codecs.numcodecs.shuffle.elementsize", ex.Field);
    }

    public static TheoryData<string, string> ChecksumCodecs() => new()
    {
        { "crc32", """{"name":"numcodecs.crc32","configuration":{}}""" },
        { "crc32 end", """{"name":"numcodecs.crc32","configuration":{"location":"end"}}""" },
        { "adler32", """{"name":"numcodecs.adler32","configuration":{}}""" },
        { "adler32 end", """{"name":"numcodecs.adler32","configuration":{"location":"end"}}""" },
        { "crc32c", """{"name":"numcodecs.crc32c","configuration":{}}""" },
        { "crc32c start", """{"name":"numcodecs.crc32c","configuration":{"location":"start"}}""" },
        { "fletcher32", """{"name":"numcodecs.fletcher32","configuration":{}}""" },
        { "jenkins_lookup3", """{"name":"numcodecs.jenkins_lookup3","configuration":{}}""" },
        { "jenkins_lookup3 seeded", """{"name":"numcodecs.jenkins_lookup3","configuration":{"initval":4294967295}}""" },
    };

    [Theory]
    [MemberData(nameof(ChecksumCodecs))]
    public void Every_checksum_option_round_trips_writes_its_json_back_and_refuses_corrupt_and_short_data(string option, string v3Json)
    {
        var codec = (Checksum32Codec)CodecRegistry.FromV3Json(JsonNode.Parse(v3Json)!, ZarrDataType.UInt8, "zarr.json");
        Assert.Equal(v3Json, codec.ToV3Json().ToJsonString());
        var v2 = codec.ToV2Json();
        Assert.Equal(codec.V2Id, (string?)v2["id"]);
        Assert.IsType(codec.GetType(), CodecRegistry.FromV2Compressor(v2, ZarrDataType.UInt8, ".zarray"));

        var atStart = option is "crc32" or "adler32" or "crc32c start";
        Assert.Equal(atStart ? ChecksumLocation.Start : ChecksumLocation.End, codec.Location);
        foreach (var length in new[] { 0, 1, 2, 3, 12, 13, 721, 5000 })
        {
            var data = Enumerable.Range(0, length).Select(i => (byte)((i * 97) ^ (i >> 3))).ToArray();
            using var encoded = codec.Encode(data);
            Assert.Equal(length + 4, encoded.Length);
            var stored = BinaryPrimitives.ReadUInt32LittleEndian(atStart ? encoded.Span[..4] : encoded.Span[^4..]);
            Assert.Equal(codec.Compute(data), stored);
            Assert.Equal(data, (atStart ? encoded.Span[4..] : encoded.Span[..^4]).ToArray());
            using var decoded = codec.Decode(encoded.Span, length);
            Assert.Equal(data, decoded.Span.ToArray());

            var corrupt = encoded.Span.ToArray();
            corrupt[length == 0 ? 0 : (length / 2) + (atStart ? 4 : 0)] ^= 0x10;
            var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(corrupt, -1));
            Assert.Equal(codec.Name, ex.Codec);
            Assert.Contains("checksum mismatch", ex.Reason, StringComparison.Ordinal);
        }

        var shortEx = Assert.Throws<ZarrCodecException>(() => codec.Decode(new byte[3], -1));
        Assert.Contains("shorter than the 4-byte checksum", shortEx.Reason, StringComparison.Ordinal);
        Assert.Throws<ZarrCodecException>(() => codec.Decode(new byte[9], 4));
        Assert.Throws<ZarrCodecException>(() => ((IBytesToBytesCodec)codec).Decode(codec.Encode(new byte[9]).Span, new byte[8]));
    }

    [Fact]
    public void Crc32_and_adler32_are_zlibs_and_crc32c_is_numcodecs_known_value()
    {
        var check = "123456789"u8.ToArray();
        Assert.Equal(0xCBF43926u, new Crc32Codec().Compute(check)); // zlib.crc32(b'123456789')
        Assert.Equal(0x091E01DEu, new Adler32Codec().Compute(check)); // zlib.adler32(b'123456789')

        // numcodecs tests/test_checksum32.py, test_crc32c_checksum: CRC32C(location="end") of np.arange(0, 64,
        // dtype="uint8") ends in the little-endian uint32 4218238699.
        var arange = Enumerable.Range(0, 64).Select(i => (byte)i).ToArray();
        using var encoded = new NumcodecsCrc32cCodec().Encode(arange);
        Assert.Equal(4218238699u, BinaryPrimitives.ReadUInt32LittleEndian(encoded.Span[^4..]));

        // At the end, numcodecs.crc32c writes what the v3 crc32c codec writes.
        using var v3 = new Crc32cCodec().Encode(arange);
        Assert.Equal(v3.Span.ToArray(), encoded.Span.ToArray());
    }

    [Fact]
    public void Fletcher32_decodes_numcodecs_known_chunk()
    {
        // numcodecs tests/test_fletcher32.py, test_known: ten little-endian int64 and the checksum after them.
        var data = Concat(
            [0x77, 0x07, 0, 0, 0, 0, 0, 0], [0x85, 0xF6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            [0x69, 0x07, 0, 0, 0, 0, 0, 0], [0x94, 0xF6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            [0x88, 0x09, 0, 0, 0, 0, 0, 0], [0x69, 0x03, 0, 0, 0, 0, 0, 0],
            [0x93, 0xFD, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], [0xC3, 0xFC, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            [0x27, 0x02, 0, 0, 0, 0, 0, 0], [0xBA, 0xF7, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF],
            [0xFD, 0x25, 0x86, 0x64]);
        var codec = new Fletcher32Codec();
        using var decoded = codec.Decode(data, 80);
        var values = Enumerable.Range(0, 10).Select(i => BinaryPrimitives.ReadInt64LittleEndian(decoded.Span[(i * 8)..])).ToArray();
        Assert.Equal(new long[] { 1911, -2427, 1897, -2412, 2440, 873, -621, -829, 551, -2118 }, values);
        using var again = codec.Encode(decoded.Span);
        Assert.Equal(data, again.Span.ToArray());

        // An odd length: the last byte is the high byte of a last word (HDF5's H5_checksum_fletcher32).
        Assert.Equal(codec.Compute([0x12, 0x34, 0x56, 0x00]), codec.Compute([0x12, 0x34, 0x56]));
        Assert.NotEqual(codec.Compute([0x12, 0x34, 0x00, 0x56]), codec.Compute([0x12, 0x34, 0x56]));
    }

    [Fact]
    public void Jenkins_lookup3_gives_numcodecs_known_hashes()
    {
        // numcodecs tests/test_jenkins.py, test_jenkins_lookup3 and test_jenkins_lookup3_codec.
        var score = "Four score and seven years ago"u8.ToArray();
        Assert.Equal(0xDEADBEEFu, JenkinsLookup3Codec.Hash([], 0));
        Assert.Equal(0xBD5B7DDEu, JenkinsLookup3Codec.Hash([], 0xDEADBEEF));
        Assert.Equal(0x17770551u, JenkinsLookup3Codec.Hash(score, 0));
        Assert.Equal(0xCD628161u, JenkinsLookup3Codec.Hash(score, 1));
        Assert.Equal(202276345u, JenkinsLookup3Codec.Hash("jenkins"u8, 0));

        using var plain = new JenkinsLookup3Codec().Encode(score);
        Assert.Equal(new byte[] { 0x51, 0x05, 0x77, 0x17 }, plain.Span[^4..].ToArray());
        using var seeded = new JenkinsLookup3Codec(1230).Encode(score);
        Assert.Equal(new byte[] { 0xD7, (byte)'Z', 0xE2, 0x0E }, seeded.Span[^4..].ToArray());

        // HDF5's fixed-array data block of a chunk index, checksummed with its "FADB" header as the prefix.
        var index = new List<byte>();
        ushort[] offsets = [0x0800, 0x17F7, 0x27EE, 0x37E5, 0x47DC, 0x57D3, 0x67CA, 0x77C1, 0x87B8, 0x97AF, 0xA7A6, 0xB79D, 0xC794, 0xD78B, 0xE782, 0xF779];
        foreach (var offset in offsets)
        {
            index.AddRange(BitConverter.GetBytes((ulong)offset));
            index.AddRange(BitConverter.GetBytes(0x0FF7UL));
        }

        var fadb = new JenkinsLookup3Codec(0, [(byte)'F', (byte)'A', (byte)'D', (byte)'B', 0x00, 0x01, 0xCF, 0x01, 0, 0, 0, 0, 0, 0]);
        using var block = fadb.Encode(index.ToArray());
        Assert.Equal(new byte[] { (byte)'n', 0x96, 0x07, 0x85 }, block.Span[^4..].ToArray());
        using var back = fadb.Decode(block.Span, index.Count);
        Assert.Equal(index, back.Span.ToArray());
    }

    [Fact]
    public void Checksum_metadata_errors_name_the_field()
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "numcodecs.crc32", "configuration": {"location": "middle"}}""")!, ZarrDataType.UInt8, "a/zarr.json"));
        Assert.Equal("codecs.numcodecs.crc32.location", ex.Field);
        ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV2Compressor(JsonNode.Parse("""{"id": "jenkins_lookup3", "initval": -1, "prefix": null}"""), ZarrDataType.UInt8, "a/.zarray"));
        Assert.Equal("compressor.initval", ex.Field);
        ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV2Compressor(JsonNode.Parse("""{"id": "jenkins_lookup3", "initval": 0, "prefix": [1, 2]}"""), ZarrDataType.UInt8, "a/.zarray"));
        Assert.Equal("compressor.prefix", ex.Field);
        ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "numcodecs.fletcher32", "configuration": {"x": 1}}""")!, ZarrDataType.UInt8, "a/zarr.json"));
        Assert.Equal("codecs.numcodecs.fletcher32.x", ex.Field);
        Assert.Throws<ZarrException>(() => new JenkinsLookup3Codec(0, [1, 2]).ToV3Json());
    }

    [Fact]
    public async Task A_corrupt_chunk_fails_naming_the_codec_and_the_chunk()
    {
        var store = new MemoryStore();
        var values = Enumerable.Range(0, 40).ToArray();
        var array = await ZarrArray.FromDataAsync<int>(store, "a", values, [40], new ArrayOptions
        {
            Chunks = [20], Compressors = [new ShuffleCodec(4), new Crc32Codec()],
        });
        var codecs = JsonNode.Parse(MetadataSerializer.ToV3Json(array.Metadata))!["codecs"]!.ToJsonString();
        Assert.Contains("""{"name":"numcodecs.shuffle","configuration":{"elementsize":4}},{"name":"numcodecs.crc32","configuration":{}}""", codecs, StringComparison.Ordinal);

        using var stored = await store.GetAsync("a/c/1");
        var corrupt = stored!.Span.ToArray();
        corrupt[^1] ^= 1;
        await store.SetAsync("a/c/1", corrupt);
        var reopened = await ZarrArray.OpenAsync<int>(store, "a");
        Assert.Equal(values[..20], SelectionTests.ToArray(await reopened[..20]));
        var ex = await Assert.ThrowsAsync<ZarrCodecException>(async () => await reopened[20..]);
        Assert.Equal("numcodecs.crc32", ex.Codec);
        Assert.Equal("a/c/1", ex.ChunkKey);

        await store.SetAsync("a/c/1", corrupt.AsMemory(0, 3));
        ex = await Assert.ThrowsAsync<ZarrCodecException>(async () => await reopened[20..]);
        Assert.Contains("shorter than the 4-byte checksum", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_v2_every_codec_of_bytes_but_the_last_is_a_filter_and_reads_back_as_the_same_chain()
    {
        var store = new MemoryStore();
        var values = Enumerable.Range(0, 30).Select(i => (short)(i * 1000)).ToArray();
        await ZarrArray.FromDataAsync<short>(store, "", values, [30], new ArrayOptions
        {
            Format = ZarrFormat.V2, Chunks = [16], Compressors = [new ShuffleCodec(2), new GzipCodec(1), new Fletcher32Codec()],
        });
        using var zarray = await store.GetAsync(".zarray");
        var json = JsonNode.Parse(zarray!.Span)!;
        Assert.Equal("""[{"elementsize":2,"id":"shuffle"},{"id":"gzip","level":1}]""", json["filters"]!.ToJsonString());
        Assert.Equal("""{"id":"fletcher32"}""", json["compressor"]!.ToJsonString());

        var array = await ZarrArray.OpenAsync<short>(store);
        Assert.Equal(["bytes", "numcodecs.shuffle", "gzip", "numcodecs.fletcher32"], array.Metadata.Codecs.Select(c => c.Name));
        Assert.Equal(values, SelectionTests.ToArray(await array[..]));
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];
}
