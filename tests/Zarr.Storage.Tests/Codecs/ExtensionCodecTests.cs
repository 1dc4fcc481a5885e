using System.Buffers.Binary;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Tests.Arrays;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// The zarr-extensions array→array codecs <c>bitround</c>, <c>scale_offset</c> and <c>cast_value</c>: arrays built by
/// hand from the extension texts' examples (their metadata, and chunk bytes from the bit patterns their tables give)
/// read exactly, arrays written with them store exactly those bytes, and every rule the texts make an error is one.
/// </summary>
public class ExtensionCodecTests
{
    private const string Doc = "a/zarr.json";

    // codecs/bitround/sample_data/README.md, bitround_float32.zarr with keepbits 3: the originals and the rounded bit
    // patterns of its table (sign_exponent_mantissa).
    private static readonly (float Original, string Rounded)[] BitRoundFloat32 =
    [
        (0f, "0_00000000_00000000000000000000000"),
        (0.1f, "0_01111011_10100000000000000000000"),
        (1.2f, "0_01111111_01000000000000000000000"),
        (12.3f, "0_10000010_10000000000000000000000"),
        (123.4f, "0_10000101_11100000000000000000000"),
        (1234.5f, "0_10001001_01000000000000000000000"),
        (BitConverter.UInt32BitsToSingle(0x7FC00000), "0_11111111_10000000000000000000000"), // numpy's NaN (.NET's has the sign bit set)
        (float.PositiveInfinity, "0_11111111_00000000000000000000000"),
        (float.NegativeInfinity, "1_11111111_00000000000000000000000"),
    ];

    // bitround_uint8.zarr: original, rounded.
    private static readonly (byte Original, byte Rounded)[] BitRoundUInt8 =
    [
        (0, 0b00000000), (1, 0b00000001), (10, 0b00001010), (11, 0b00001100), (100, 0b01100000),
        (123, 0b10000000), (200, 0b11000000), (208, 0b11000000), (209, 0b11100000), (255, 0b11100000),
    ];

    private static string ArrayJson(string dataType, int length, string fill, string codecs) => $$$"""
        {
          "zarr_format": 3,
          "node_type": "array",
          "shape": [{{{length}}}],
          "data_type": {{{dataType}}},
          "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [{{{length}}}]}},
          "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
          "fill_value": {{{fill}}},
          "codecs": {{{codecs}}}
        }
        """;

    private static async Task<MemoryStore> StoreWith(string zarrJson, byte[] chunk)
    {
        var store = new MemoryStore();
        await store.SetAsync("zarr.json", Encoding.UTF8.GetBytes(zarrJson));
        await store.SetAsync("c/0", chunk);
        return store;
    }

    private static async Task<byte[]> ChunkBytes(IStore store, string key)
    {
        using var buffer = await store.GetAsync(key);
        Assert.NotNull(buffer);
        return buffer.Span.ToArray();
    }

    [Fact]
    public async Task Bitround_float32_sample_reads_and_writes_the_extensions_bit_patterns()
    {
        var rounded = BitRoundFloat32.Select(r => Convert.ToUInt32(r.Rounded.Replace("_", ""), 2)).ToArray();
        var chunk = new byte[rounded.Length * 4];
        for (var i = 0; i < rounded.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(chunk.AsSpan(i * 4), rounded[i]);
        }

        const string codecs = """[{"name": "bitround", "configuration": {"keepbits": 3}}, {"name": "bytes", "configuration": {"endian": "little"}}]""";
        var store = await StoreWith(ArrayJson("\"float32\"", rounded.Length, "0.0", codecs), chunk);
        var array = await ZarrArray.OpenAsync<float>(store);
        var read = SelectionTests.ToArray(await array[..]);
        Assert.Equal(rounded, read.Select(BitConverter.SingleToUInt32Bits));

        // Writing the originals through the codec stores the rounded patterns, and the metadata is written back as read.
        var written = new MemoryStore();
        await ZarrArray.FromDataAsync<float>(written, "", BitRoundFloat32.Select(r => r.Original).ToArray(), [rounded.Length],
            new ArrayOptions { Chunks = [rounded.Length], Filters = [new BitRoundCodec(3)], Compressors = [] });
        Assert.Equal(chunk, await ChunkBytes(written, "c/0"));
        var meta = JsonNode.Parse(await ChunkBytes(written, "zarr.json"))!;
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(codecs), meta["codecs"]), meta["codecs"]!.ToJsonString());
    }

    [Fact]
    public async Task Bitround_uint8_sample_rounds_from_the_top_set_bit_half_to_even_and_saturates()
    {
        var codec = new BitRoundCodec(3);
        var spec = new ChunkSpec([BitRoundUInt8.Length], ZarrDataType.UInt8, [0]);
        var encoded = new byte[BitRoundUInt8.Length];
        codec.Encode(BitRoundUInt8.Select(r => r.Original).ToArray(), encoded, spec);
        Assert.Equal(BitRoundUInt8.Select(r => r.Rounded), encoded);

        var store = await StoreWith(ArrayJson("\"uint8\"", encoded.Length, "0", """[{"name": "bitround", "configuration": {"keepbits": 3}}, "bytes"]"""), encoded);
        var array = await ZarrArray.OpenAsync<byte>(store);
        Assert.Equal(encoded, SelectionTests.ToArray(await array[..]));
    }

    [Fact]
    public void Bitround_keeps_signed_integers_and_doubles_in_their_bit_patterns()
    {
        var codec = new BitRoundCodec(2);
        // -1 is all ones: the rounding carries past the top, and saturates there as zarrs does.
        var ints = new short[] { 0b0110_1101, -1, 7 };
        var encoded = new byte[6];
        codec.Encode(System.Runtime.InteropServices.MemoryMarshal.AsBytes(ints.AsSpan()), encoded, new ChunkSpec([3], ZarrDataType.Int16, [0, 0]));
        Assert.Equal(new short[] { 0b0110_0000, unchecked((short)0xC000), 8 }, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(encoded).ToArray());

        // A double keeps 2 of its 52 mantissa bits: 1.3 (1.0100110011...) rounds to 1.25, 1.4 (1.0110...) to 1.5.
        var doubles = new[] { 1.3, 1.4, -0.0 };
        var out8 = new byte[24];
        codec.Encode(System.Runtime.InteropServices.MemoryMarshal.AsBytes(doubles.AsSpan()), out8, new ChunkSpec([3], ZarrDataType.Float64, [.. new byte[8]]));
        Assert.Equal(new[] { 1.25, 1.5, -0.0 }, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(out8).ToArray());
    }

    [Fact]
    public void Numcodecs_bitround_is_read_as_an_alias_and_written_under_the_registered_name()
    {
        var codec = CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "numcodecs.bitround", "configuration": {"keepbits": 10}}""")!, ZarrDataType.Float32, Doc);
        var bitround = Assert.IsType<BitRoundCodec>(codec);
        Assert.Equal(10, bitround.KeepBits);
        Assert.Equal("""{"name":"bitround","configuration":{"keepbits":10}}""", bitround.ToV3Json().ToJsonString());
        Assert.DoesNotContain("numcodecs.bitround", CodecRegistry.V3Names);
    }

    [Theory]
    [InlineData("""{"name": "bitround"}""", "codecs.bitround.keepbits", "required")]
    [InlineData("""{"name": "bitround", "configuration": {"keepbits": 0}}""", "codecs.bitround.keepbits", "between 1 and 64")]
    [InlineData("""{"name": "bitround", "configuration": {"keepbits": "3"}}""", "codecs.bitround.keepbits", "integer")]
    [InlineData("""{"name": "bitround", "configuration": {"keepbits": 3, "extra": 1}}""", "codecs.bitround.extra", "not a field")]
    [InlineData("""{"name": "scale_offset", "configuration": {"offset": 1, "shift": 2}}""", "codecs.scale_offset.shift", "not a field")]
    [InlineData("""{"name": "scale_offset", "configuration": {"scale": 0}}""", "codecs.scale_offset.scale", "must not be 0")]
    [InlineData("""{"name": "scale_offset", "configuration": {"offset": "a lot"}}""", "codecs.scale_offset.offset", "")]
    [InlineData("""{"name": "cast_value", "configuration": {}}""", "codecs.cast_value.data_type", "required")]
    [InlineData("""{"name": "cast_value", "configuration": {"data_type": "int3"}}""", "codecs.cast_value.data_type", "int3")]
    [InlineData("""{"name": "cast_value", "configuration": {"data_type": "uint8", "rounding": "up"}}""", "codecs.cast_value.rounding", "nearest-even")]
    [InlineData("""{"name": "cast_value", "configuration": {"data_type": "uint8", "out_of_range": "saturate"}}""", "codecs.cast_value.out_of_range", "clamp")]
    [InlineData("""{"name": "cast_value", "configuration": {"data_type": "float32", "out_of_range": "wrap"}}""", "codecs.cast_value.out_of_range", "integer targets")]
    [InlineData("""{"name": "cast_value", "configuration": {"data_type": "uint8", "scalar_map": {"encode": [["NaN"]]}}}""", "codecs.cast_value.scalar_map", "pair")]
    [InlineData("""{"name": "cast_value", "configuration": {"data_type": "uint8", "scalar_map": {"encode": [["NaN", 300]]}}}""", "codecs.cast_value.scalar_map", "uint8")]
    [InlineData("""{"name": "cast_value", "configuration": {"data_type": "uint8", "scalar_map": {"both": []}}}""", "codecs.cast_value.scalar_map", "unknown key")]
    public void Invalid_configurations_fail_naming_the_field(string json, string field, string fragment)
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse(json)!, ZarrDataType.Float64, Doc));
        Assert.Equal(Doc, ex.Document);
        Assert.Equal(field, ex.Field);
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Codecs_refuse_types_they_do_not_handle_naming_them()
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "bitround", "configuration": {"keepbits": 3}}""")!, ZarrDataType.Bool, Doc));
        Assert.Contains("bool", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "scale_offset"}""")!, ZarrDataType.Complex64, Doc));
        Assert.Contains("complex64", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scale_offset_float32_example_round_trips_and_leaves_out_an_absent_configuration()
    {
        // codecs/scale_offset: "offset": 5, "scale": 0.1 on float32, computed in float32.
        const string codecs = """[{"name": "scale_offset", "configuration": {"offset": 5, "scale": 0.1}}, {"name": "bytes", "configuration": {"endian": "little"}}]""";
        var values = new[] { 5f, 15f, -25f, 105f };
        var encoded = values.Select(v => (v - 5f) * 0.1f).ToArray();
        var chunk = System.Runtime.InteropServices.MemoryMarshal.AsBytes(encoded.AsSpan()).ToArray();
        var store = await StoreWith(ArrayJson("\"float32\"", values.Length, "5.0", codecs), chunk);
        var array = await ZarrArray.OpenAsync<float>(store);
        var read = SelectionTests.ToArray(await array[..]);
        Assert.Equal(encoded.Select(e => (e / 0.1f) + 5f), read);

        // Writing the same values stores the same bytes.
        Assert.Equal(ZarrDataType.Float32, array.Metadata.Codecs.OfType<ScaleOffsetCodec>().Single().DataType);
        var written = new MemoryStore();
        await ZarrArray.FromDataAsync<float>(written, "", values, [values.Length],
            new ArrayOptions { Chunks = [values.Length], Filters = [new ScaleOffsetCodec(ZarrDataType.Float32, 5, 0.1)], Compressors = [] });
        Assert.Equal(chunk, await ChunkBytes(written, "c/0"));

        // Neither offset nor scale: a no-op whose configuration is left out.
        var none = new ScaleOffsetCodec(ZarrDataType.Int32);
        Assert.Equal("""{"name":"scale_offset"}""", none.ToV3Json().ToJsonString());
    }

    [Fact]
    public async Task Uint16_range_reduction_example_stores_uint8_and_fails_clearly_out_of_range()
    {
        // codecs/scale_offset: uint16 values in [1000, 1255] shifted by 1000 and cast to uint8.
        const string codecs = """[{"name": "scale_offset", "configuration": {"offset": 1000}}, {"name": "cast_value", "configuration": {"data_type": "uint8"}}, "bytes"]""";
        var store = new MemoryStore();
        await store.SetAsync("zarr.json", Encoding.UTF8.GetBytes(ArrayJson("\"uint16\"", 256, "1000", codecs)));
        var array = await ZarrArray.OpenAsync<ushort>(store, "", AccessMode.ReadWrite);
        Assert.Equal(["scale_offset", "cast_value", "bytes"], array.Metadata.Codecs.Select(c => c.Name));
        var values = Enumerable.Range(1000, 256).Select(v => (ushort)v).ToArray();
        await array[..].WriteAsync(values);
        Assert.Equal(Enumerable.Range(0, 256).Select(v => (byte)v), await ChunkBytes(store, "c/0"));
        Assert.Equal(values, SelectionTests.ToArray(await (await ZarrArray.OpenAsync<ushort>(store))[..]));

        // The metadata written for the same chain is the example's.
        var meta = MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(ArrayJson("\"uint16\"", 256, "1000", codecs)), Doc);
        var rewritten = JsonNode.Parse(MetadataSerializer.ToV3Json(meta))!;
        var example = JsonNode.Parse(codecs)!.AsArray();
        Assert.True(JsonNode.DeepEquals(example[0], rewritten["codecs"]![0]) && JsonNode.DeepEquals(example[1], rewritten["codecs"]![1]), rewritten["codecs"]!.ToJsonString());

        // 1256 - 1000 = 256 has no uint8 value and no out_of_range rule; 999 - 1000 has no uint16 value.
        var tooBig = await Assert.ThrowsAnyAsync<ZarrException>(async () => await array[0..1].WriteAsync(new ushort[] { 1256 }));
        Assert.Contains("256", tooBig.Message, StringComparison.Ordinal);
        Assert.Contains("uint8", tooBig.Message, StringComparison.Ordinal);
        var negative = await Assert.ThrowsAnyAsync<ZarrException>(async () => await array[0..1].WriteAsync(new ushort[] { 999 }));
        Assert.Contains("scale_offset", negative.Message, StringComparison.Ordinal);
        Assert.Equal(values, SelectionTests.ToArray(await (await ZarrArray.OpenAsync<ushort>(store))[..]));
    }

    [Fact]
    public async Task Float64_to_uint8_example_keeps_NaN_through_the_scalar_map()
    {
        // codecs/scale_offset: offset -10, scale 0.1, cast to uint8 nearest-even, NaN <-> 0.
        const string codecs = """
            [{"name": "scale_offset", "configuration": {"offset": -10, "scale": 0.1}},
             {"name": "cast_value", "configuration": {"data_type": "uint8", "rounding": "nearest-even",
               "scalar_map": {"encode": [["NaN", 0]], "decode": [[0, "NaN"]]}}},
             "bytes"]
            """;
        var store = new MemoryStore();
        await store.SetAsync("zarr.json", Encoding.UTF8.GetBytes(ArrayJson("\"float64\"", 5, "\"NaN\"", codecs)));
        var array = await ZarrArray.OpenAsync<double>(store, "", AccessMode.ReadWrite);
        var values = new[] { 0.0, 2540.0, double.NaN, 15.0, 5.0 };
        await array[..].WriteAsync(values);

        // (x + 10) * 0.1 in float64, then nearest-even: 1, 255, NaN -> 0, 2.5 -> 2, 1.5 -> 2.
        var expected = values.Select(v => double.IsNaN(v) ? (byte)0 : (byte)Math.Round((v + 10) * 0.1, MidpointRounding.ToEven)).ToArray();
        Assert.Equal(expected, await ChunkBytes(store, "c/0"));
        Assert.Equal(new byte[] { 1, 255, 0, 2, 2 }, expected);
        var read = SelectionTests.ToArray(await (await ZarrArray.OpenAsync<double>(store))[..]);
        Assert.True(double.IsNaN(read[2]));
        Assert.Equal([0.0, 2540.0, 10.0, 10.0], new[] { read[0], read[1], read[3], read[4] }.Select(v => Math.Round(v, 9)));

        // A missing chunk reads as the fill value through the chain: NaN.
        await store.DeleteAsync("c/0");
        Assert.All(SelectionTests.ToArray(await (await ZarrArray.OpenAsync<double>(store))[..]), v => Assert.True(double.IsNaN(v)));
    }

    [Fact]
    public void Numpy_compatibility_example_truncates_wraps_and_maps_the_non_finite()
    {
        var codec = (CastValueCodec)CodecRegistry.FromV3Json(JsonNode.Parse("""
            {"name": "cast_value", "configuration": {"data_type": "uint8", "rounding": "towards-zero", "out_of_range": "wrap",
             "scalar_map": {"encode": [["NaN", 0], ["+Infinity", 0], ["-Infinity", 0]]}}}
            """)!, ZarrDataType.Float64, Doc);
        var input = new[] { 300.7, -1.5, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 255.9 };
        var encoded = new byte[input.Length];
        codec.Encode(System.Runtime.InteropServices.MemoryMarshal.AsBytes(input.AsSpan()), encoded, new ChunkSpec([input.Length], ZarrDataType.Float64, [.. new byte[8]]));
        Assert.Equal(new byte[] { 300 % 256, 255, 0, 0, 0, 255 }, encoded);
    }

    [Theory]
    [InlineData("nearest-even", new sbyte[] { 2, -2, 4, 2, -3 })]
    [InlineData("towards-zero", new sbyte[] { 2, -2, 3, 2, -2 })]
    [InlineData("towards-positive", new sbyte[] { 3, -2, 4, 3, -2 })]
    [InlineData("towards-negative", new sbyte[] { 2, -3, 3, 2, -3 })]
    [InlineData("nearest-away", new sbyte[] { 3, -3, 4, 2, -3 })]
    public void Rounding_modes_follow_the_extension(string rounding, sbyte[] expected)
    {
        var codec = CastTo("int8", ZarrDataType.Float64, $"\"rounding\": \"{rounding}\"");
        Assert.Equal(expected, Encode<double, sbyte>(codec, [2.5, -2.5, 3.5, 2.4, -2.6]));
    }

    [Fact]
    public void Out_of_range_is_an_error_a_clamp_or_a_wrap_as_configured()
    {
        // The extension's examples: 128.0 to int8; 32768, 32769, -32769 to int16.
        var none = CastTo("int8", ZarrDataType.Float64, null);
        var ex = Assert.Throws<ZarrCodecException>(() => Encode<double, sbyte>(none, [128.0]));
        Assert.Contains("128", ex.Message, StringComparison.Ordinal);
        Assert.Contains("int8", ex.Message, StringComparison.Ordinal);
        Assert.Equal(new sbyte[] { 127, -128 }, Encode<double, sbyte>(CastTo("int8", ZarrDataType.Float64, "\"out_of_range\": \"clamp\""), [128.0, -1e300]));
        Assert.Equal(new sbyte[] { -128 }, Encode<double, sbyte>(CastTo("int8", ZarrDataType.Float64, "\"out_of_range\": \"wrap\""), [128.0]));
        Assert.Equal(new short[] { -32768, -32767, 32767 }, Encode<int, short>(CastTo("int16", ZarrDataType.Int32, "\"out_of_range\": \"wrap\""), [32768, 32769, -32769]));
        Assert.Equal(new short[] { 32767, -32768 }, Encode<long, short>(CastTo("int16", ZarrDataType.Int64, "\"out_of_range\": \"clamp\""), [long.MaxValue, long.MinValue]));

        // NaN and infinities have no integer value without a mapping.
        ex = Assert.Throws<ZarrCodecException>(() => Encode<double, sbyte>(none, [double.NaN]));
        Assert.Contains("scalar_map", ex.Message, StringComparison.Ordinal);

        // To a narrower float: beyond the finite range is an error, or ±Infinity with clamp; NaN and infinities carry over.
        Assert.Throws<ZarrCodecException>(() => Encode<double, float>(CastTo("float32", ZarrDataType.Float64, null), [1e300]));
        Assert.Equal(new[] { float.PositiveInfinity, float.NaN, float.NegativeInfinity }, Encode<double, float>(CastTo("float32", ZarrDataType.Float64, "\"out_of_range\": \"clamp\""), [1e300, double.NaN, double.NegativeInfinity]));
    }

    [Fact]
    public void Float_targets_round_in_every_mode_including_integers_beyond_2_to_53()
    {
        // 0.1 is not a float32: nearest-even rounds it up (0.100000001...), towards zero/negative down, towards positive up.
        var up = Encode<double, float>(CastTo("float32", ZarrDataType.Float64, "\"rounding\": \"towards-positive\""), [0.1])[0];
        var down = Encode<double, float>(CastTo("float32", ZarrDataType.Float64, "\"rounding\": \"towards-zero\""), [0.1])[0];
        Assert.True(up > 0.1 && down < 0.1 && MathF.BitIncrement(down) == up, $"{up} {down}");
        Assert.Equal((float)0.1, Encode<double, float>(CastTo("float32", ZarrDataType.Float64, null), [0.1])[0]);

        // 2^53 + 1 is not a float64: nearest-even gives 2^53, towards-positive 2^53 + 2; 2^24 + 1 to float32 likewise, and a
        // tie 2^53 + 3 goes to the even 2^53 + 4 (nearest-even) or away (nearest-away, the same here), 2^53 + 1 away is + 2.
        const long p53 = 1L << 53;
        Assert.Equal([(double)p53, p53 + 4.0], Encode<long, double>(CastTo("float64", ZarrDataType.Int64, null), [p53 + 1, p53 + 3]));
        Assert.Equal([p53 + 2.0], Encode<long, double>(CastTo("float64", ZarrDataType.Int64, "\"rounding\": \"towards-positive\""), [p53 + 1]));
        Assert.Equal([p53 + 2.0], Encode<long, double>(CastTo("float64", ZarrDataType.Int64, "\"rounding\": \"nearest-away\""), [p53 + 1]));
        Assert.Equal([(double)p53], Encode<long, double>(CastTo("float64", ZarrDataType.Int64, "\"rounding\": \"towards-zero\""), [p53 + 1]));
        Assert.Equal([16777216f, 16777218f], Encode<int, float>(CastTo("float32", ZarrDataType.Int32, "\"rounding\": \"towards-positive\""), [16777216, 16777217]));
    }

    [Fact]
    public void A_fill_value_that_does_not_survive_the_cast_is_refused_when_the_array_opens()
    {
        var json = ArrayJson("\"float64\"", 4, "0.5", """[{"name": "cast_value", "configuration": {"data_type": "int8"}}, {"name": "bytes"}]""");
        var ex = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(json), Doc));
        Assert.Equal("codecs", ex.Field);
        Assert.Contains("fill value 0.5", ex.Message, StringComparison.Ordinal);

        // Mapped in scalar_map (both ways), the same fill value is accepted.
        var mapped = json.Replace("\"data_type\": \"int8\"", "\"data_type\": \"int8\", \"scalar_map\": {\"encode\": [[0.5, -1]], \"decode\": [[-1, 0.5]]}");
        Assert.Equal(-1, (sbyte)((CastValueCodec)MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(mapped), Doc).Codecs[0]).GetEncodedSpec(new ChunkSpec([1], ZarrDataType.Float64, [.. BitConverter.GetBytes(0.5)])).FillValue[0]);
    }

    [Fact]
    public void Cast_value_is_v3_only()
    {
        var meta = MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(ArrayJson("\"float64\"", 4, "0.0", """[{"name": "cast_value", "configuration": {"data_type": "int16"}}, {"name": "bytes", "configuration": {"endian": "little"}}]""")), Doc);
        Assert.Equal("int16", ((CastValueCodec)meta.Codecs[0]).EncodedType.Name);
        Assert.ThrowsAny<ZarrException>(() => MetadataSerializer.ToV2Json(meta));
    }

    private static CastValueCodec CastTo(string type, ZarrDataType from, string? extra) =>
        (CastValueCodec)CodecRegistry.FromV3Json(JsonNode.Parse("{\"name\": \"cast_value\", \"configuration\": {\"data_type\": \"" + type + "\"" + (extra is null ? "" : ", " + extra) + "}}")!, from, Doc);

    private static TTo[] Encode<TFrom, TTo>(CastValueCodec codec, TFrom[] values)
        where TFrom : unmanaged
        where TTo : unmanaged
    {
        var encoded = new TTo[values.Length];
        codec.Encode(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()), System.Runtime.InteropServices.MemoryMarshal.AsBytes(encoded.AsSpan()),
            new ChunkSpec([values.Length], codec.DecodedType, []));
        return encoded;
    }
}
