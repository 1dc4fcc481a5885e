using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Tests.Arrays;

namespace Zarr.Storage.Tests.DataTypes;

/// <summary>
/// The zarr-extensions data types bfloat16, int2, int4, uint2, uint4 and the packbits codec: names, fill values and
/// bytes as the extension texts define them (bfloat16's NaN 0x7fc0; a sub-byte integer stored by <c>bytes</c> in one
/// byte whose upper bits are ignored; packbits least significant bit first), built by hand from those texts.
/// </summary>
public class ExtensionDataTypeTests
{
    private const string Doc = "a/zarr.json";

    private static string ArrayJson(string dataType, int length, string fill, string codecs) => $$$"""
        {
          "zarr_format": 3,
          "node_type": "array",
          "shape": [{{{length}}}],
          "data_type": "{{{dataType}}}",
          "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [{{{length}}}]}},
          "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
          "fill_value": {{{fill}}},
          "codecs": {{{codecs}}}
        }
        """;

    private static async Task<byte[]> Bytes(IStore store, string key)
    {
        using var buffer = await store.GetAsync(key);
        Assert.NotNull(buffer);
        return buffer.Span.ToArray();
    }

    private static byte[] Fill(string json, ZarrDataType type) =>
        MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(ArrayJson(type.Name, 1, json, """[{"name": "bytes", "configuration": {"endian": "little"}}]""")), Doc).FillValue.ToArray();

    [Fact]
    public void Names_parse_and_are_written_back_and_v2_cannot_hold_them()
    {
        foreach (var type in ZarrDataType.Extensions)
        {
            using var json = JsonDocument.Parse($"\"{type.Name}\"");
            Assert.Same(type, DataTypeJson.ParseV3(json.RootElement, Doc));
            Assert.Equal($"\"{type.Name}\"", DataTypeJson.ToV3(type).ToJsonString());
            Assert.True(ZarrDataType.TryParse(type.Name, out var parsed) && parsed == type);
            var ex = Assert.Throws<ZarrException>(() => DataTypeJson.ToV2(type, false));
            Assert.Contains("no v2 form", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal([2, 4, 2, 4], new[] { ZarrDataType.Int2, ZarrDataType.Int4, ZarrDataType.UInt2, ZarrDataType.UInt4 }.Select(t => t.BitWidth));
        Assert.Equal(typeof(BFloat16), ZarrDataType.BFloat16.ClrType);
        Assert.Same(ZarrDataType.BFloat16, ZarrDataType.Of<BFloat16>());
    }

    [Fact]
    public void Bfloat16_is_the_top_half_of_a_float_rounded_once_to_nearest_even()
    {
        Assert.Equal(0x3F80, ((BFloat16)1f).Bits);
        Assert.Equal(0xC020, ((BFloat16)(-2.5f)).Bits);
        Assert.Equal(-2.5f, (float)BFloat16.FromBits(0xC020));

        // 1 + 2^-8 lies halfway between 1 and 1 + 2^-7: to even (1); 1 + 3·2^-8 to 1 + 2^-6.
        Assert.Equal(0x3F80, ((BFloat16)(1f + MathF.Pow(2, -8))).Bits);
        Assert.Equal(0x3F82, ((BFloat16)(1f + (3 * MathF.Pow(2, -8)))).Bits);

        // A double just above that tie rounds up; cut to a float first it would be the tie, and go down.
        var aboveTie = 1 + Math.Pow(2, -8) + Math.Pow(2, -40);
        Assert.Equal(0x3F81, ((BFloat16)aboveTie).Bits);
        Assert.Equal(0x3F80, ((BFloat16)(float)aboveTie).Bits);

        Assert.True(BFloat16.IsNaN((BFloat16)float.NaN));
        Assert.Equal(0x7F80, ((BFloat16)float.PositiveInfinity).Bits);
        Assert.Equal(0x7F80, ((BFloat16)float.MaxValue).Bits);
    }

    [Fact]
    public void Bfloat16_fill_values_follow_the_core_floats_with_NaN_0x7fc0()
    {
        Assert.Equal(new byte[] { 0xC0, 0x7F }, Fill("\"NaN\"", ZarrDataType.BFloat16));
        Assert.Equal(new byte[] { 0xC0, 0x3F }, Fill("1.5", ZarrDataType.BFloat16));
        Assert.Equal(new byte[] { 0x80, 0xFF }, Fill("\"-Infinity\"", ZarrDataType.BFloat16));
        Assert.Equal(new byte[] { 0xC1, 0x7F }, Fill("\"0x7fc1\"", ZarrDataType.BFloat16));
        Assert.Equal("\"NaN\"", FillValueJson.ToV3Json([0xC0, 0x7F], ZarrDataType.BFloat16).ToJsonString());
        Assert.Equal("\"0x7fc1\"", FillValueJson.ToV3Json([0xC1, 0x7F], ZarrDataType.BFloat16).ToJsonString());
        Assert.Equal("1.5", FillValueJson.ToV3Json([0xC0, 0x3F], ZarrDataType.BFloat16).ToJsonString());
        Assert.Equal(new byte[] { 0xC0, 0x7F }, FillValueJson.FromScalar(BFloat16.FromBits(0xFFC1)));

        var ex = Assert.Throws<ZarrMetadataException>(() => Fill("1e39", ZarrDataType.BFloat16));
        Assert.Contains("out of range for a bfloat16", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrMetadataException>(() => Fill("\"0x7fc00000\"", ZarrDataType.BFloat16));
        Assert.Contains("4 hex digits", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ZarrFormat.V3, "little")]
    [InlineData(ZarrFormat.V3, "big")]
    public async Task Bfloat16_arrays_store_two_bytes_in_the_bytes_codecs_order(ZarrFormat format, string endian)
    {
        var store = new MemoryStore();
        var values = new[] { 1f, -2.5f, float.PositiveInfinity, 3.140625f }.Select(f => (BFloat16)f).Append(BFloat16.NaN).ToArray();
        await ZarrArray.FromDataAsync<BFloat16>(store, "", values, [values.Length], new ArrayOptions
        {
            Format = format, Chunks = [values.Length], Compressors = [], Endian = endian == "big" ? Endian.Big : Endian.Little,
        });
        var expected = values.SelectMany(v => endian == "big" ? new[] { (byte)(v.Bits >> 8), (byte)v.Bits } : [(byte)v.Bits, (byte)(v.Bits >> 8)]).ToArray();
        Assert.Equal(expected, await Bytes(store, "c/0"));
        Assert.Equal("bfloat16", JsonNode.Parse(await Bytes(store, "zarr.json"))!["data_type"]!.GetValue<string>());
        var read = SelectionTests.ToArray(await (await ZarrArray.OpenAsync<BFloat16>(store))[..]);
        Assert.Equal(values, read);

        var v2 = await Assert.ThrowsAnyAsync<ZarrException>(() => ZarrArray.CreateAsync<BFloat16>(new MemoryStore(), "", [4], new ArrayOptions { Format = ZarrFormat.V2 }));
        Assert.Contains("no v2 form", v2.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("int4", "-8", -8)]
    [InlineData("int4", "7", 7)]
    [InlineData("int2", "-2", -2)]
    [InlineData("uint4", "15", 15)]
    [InlineData("uint2", "3", 3)]
    public void Sub_byte_fill_values_are_integers_of_their_range(string type, string json, int value)
    {
        var dataType = ZarrDataType.Parse(type);
        var bytes = Fill(json, dataType);
        Assert.Equal(value, dataType.NumpyKind == 'i' ? (sbyte)bytes[0] : bytes[0]);
        Assert.Equal(json, FillValueJson.ToV3Json(bytes, dataType).ToJsonString());
    }

    [Theory]
    [InlineData("int4", "8")]
    [InlineData("int4", "-9")]
    [InlineData("int2", "2")]
    [InlineData("uint4", "16")]
    [InlineData("uint2", "-1")]
    public void Sub_byte_fill_values_out_of_range_fail(string type, string json)
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => Fill(json, ZarrDataType.Parse(type)));
        Assert.Equal("fill_value", ex.Field);
        Assert.Contains("out of range", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Int4_through_bytes_ignores_the_upper_bits_when_read_and_refuses_out_of_range_values_when_written()
    {
        // The int4 text: one byte 0bIIIIXXXX, the upper bits arbitrary.
        var store = new MemoryStore();
        await store.SetAsync("zarr.json", Encoding.UTF8.GetBytes(ArrayJson("int4", 4, "0", """["bytes"]""")));
        await store.SetAsync("c/0", new byte[] { 0xF7, 0x08, 0x3F, 0xA0 });
        var array = await ZarrArray.OpenAsync<sbyte>(store, "", AccessMode.ReadWrite);
        Assert.Equal(ZarrDataType.Int4, array.DataType);
        Assert.Equal(new sbyte[] { 7, -8, -1, 0 }, SelectionTests.ToArray(await array[..]));

        await array[..].WriteAsync(new sbyte[] { -8, 7, -1, 3 });
        Assert.Equal(new byte[] { 0xF8, 0x07, 0xFF, 0x03 }, await Bytes(store, "c/0"));

        var ex = await Assert.ThrowsAnyAsync<ZarrException>(async () => await array[1..2].WriteAsync(new sbyte[] { 8 }));
        Assert.Contains("outside the range of int4 (-8..7)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(new byte[] { 0xF8, 0x07, 0xFF, 0x03 }, await Bytes(store, "c/0"));

        var u2 = new MemoryStore();
        await u2.SetAsync("zarr.json", Encoding.UTF8.GetBytes(ArrayJson("uint2", 3, "0", """["bytes"]""")));
        await u2.SetAsync("c/0", new byte[] { 0xFF, 0x06, 0x01 });
        Assert.Equal(new byte[] { 3, 2, 1 }, SelectionTests.ToArray(await (await ZarrArray.OpenAsync<byte>(u2))[..]));
    }

    [Theory]
    [InlineData("none", "7f18e063")]
    [InlineData("first_byte", "007f18e063")]
    [InlineData("last_byte", "7f18e06300")]
    public async Task Packbits_packs_int4_least_significant_bit_first(string padding, string hex)
    {
        // -1 7 -8 1 0 -2 3 6: nibbles F 7 | 8 1 | 0 E | 3 6, the first element in the low nibble of each byte.
        var values = new sbyte[] { -1, 7, -8, 1, 0, -2, 3, 6 };
        var store = new MemoryStore();
        await store.SetAsync("zarr.json", Encoding.UTF8.GetBytes(ArrayJson("int4", 8, "0", "[{\"name\": \"packbits\", \"configuration\": {\"padding_encoding\": \"" + padding + "\"}}]")));
        var array = await ZarrArray.OpenAsync<sbyte>(store, "", AccessMode.ReadWrite);
        await array[..].WriteAsync(values);
        Assert.Equal(Convert.FromHexString(hex), await Bytes(store, "c/0"));
        Assert.Equal(values, SelectionTests.ToArray(await (await ZarrArray.OpenAsync<sbyte>(store))[..]));
        Assert.Equal(padding, ((PackBitsCodec)array.Metadata.Codecs[0]).ToV3Json()["configuration"]!["padding_encoding"]!.GetValue<string>());
    }

    [Fact]
    public void Packbits_records_the_padding_and_packs_every_supported_layout()
    {
        // uint2 0 1 2 3 3: 0b11_10_01_00, then 0b11 and six padding bits.
        Assert.Equal(new byte[] { 6, 0xE4, 0x03 }, Encode(new PackBitsCodec(PackBitsPadding.FirstByte), ZarrDataType.UInt2, [0, 1, 2, 3, 3]));

        // bool T F T T F F F F T: 0b00001101, 0b1, seven padding bits.
        Assert.Equal(new byte[] { 0x0D, 0x01, 7 }, Encode(new PackBitsCodec(PackBitsPadding.LastByte), ZarrDataType.Bool, [1, 0, 1, 1, 0, 0, 0, 0, 1]));

        // Whole float32 and complex64 components are their little-endian bytes, as the bytes codec stores them.
        var floats = MemoryMarshal.AsBytes(new[] { 1.5f, -0f, float.NaN }.AsSpan()).ToArray();
        Assert.Equal(floats, Encode(new PackBitsCodec(), ZarrDataType.Float32, floats));
        Assert.Equal(floats[..8], Encode(new PackBitsCodec(), ZarrDataType.Complex64, floats[..8]));

        // int16 bits 2..13: 12 bits each, shifted back and sign-extended when decoded.
        var ints = Enumerable.Range(-20, 40).Select(i => (short)(i << 2)).ToArray();
        var codec = new PackBitsCodec(PackBitsPadding.None, 2, 13);
        var input = MemoryMarshal.AsBytes(ints.AsSpan()).ToArray();
        var packed = Encode(codec, ZarrDataType.Int16, input);
        Assert.Equal(40 * 12 / 8, packed.Length);
        var decoded = new byte[input.Length];
        codec.Decode(packed, decoded, new ChunkSpec([40], ZarrDataType.Int16, [0, 0]));
        Assert.Equal(ints, MemoryMarshal.Cast<byte, short>(decoded).ToArray());
    }

    [Fact]
    public void Packbits_refuses_what_it_cannot_pack_or_decode()
    {
        var spec = new ChunkSpec([3], ZarrDataType.UInt2, [0]);
        var codec = new PackBitsCodec(PackBitsPadding.FirstByte);
        var ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(new byte[] { 5, 0 }, new byte[3], spec));
        Assert.Contains("padding byte says 5 padding bits; 3 components of 2 bits leave 2", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrCodecException>(() => codec.Decode(new byte[] { 2 }, new byte[3], spec));
        Assert.Contains("1 bytes", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<ZarrCodecException>(() => codec.Encode(new byte[] { 0, 4, 1 }, spec).Dispose());
        Assert.Contains("outside the range of uint2", ex.Message, StringComparison.Ordinal);

        var meta = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "packbits", "configuration": {"last_bit": 4}}""")!, ZarrDataType.Int4, Doc));
        Assert.Contains("not within the 4 bits", meta.Message, StringComparison.Ordinal);
        meta = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "packbits", "configuration": {"padding_encoding": "both"}}""")!, ZarrDataType.Int4, Doc));
        Assert.Equal("codecs.packbits.padding_encoding", meta.Field);
        meta = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "packbits"}""")!, ZarrDataType.FixedBytes(3), Doc));
        Assert.Contains("not S3", meta.Message, StringComparison.Ordinal);
        meta = Assert.Throws<ZarrMetadataException>(() => CodecRegistry.FromV3Json(JsonNode.Parse("""{"name": "packbits", "configuration": {"first_bit": null, "last_bit": null, "x": 1}}""")!, ZarrDataType.Int4, Doc));
        Assert.Equal("codecs.packbits.x", meta.Field);
    }

    private static byte[] Encode(PackBitsCodec codec, ZarrDataType type, byte[] elements)
    {
        var count = elements.Length / type.ItemSize;
        var spec = new ChunkSpec([count], type, [.. new byte[type.ItemSize]]);
        using var encoded = codec.Encode(elements, spec);
        var bytes = encoded.Span.ToArray();
        var back = new byte[elements.Length];
        codec.Decode(bytes, back, spec);
        Assert.Equal(elements, back);
        return bytes;
    }
}
