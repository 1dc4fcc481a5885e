using System.Text;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>Filters in the metadata model: the v2 filters list in and out, the numcodecs.* names in v3, and the chains neither can hold.</summary>
public class FiltersMetadataTests
{
    private const string Doc = "a/.zarray";

    private static readonly NumpyDType F8 = new(ZarrDataType.Float64);
    private static readonly NumpyDType I4 = new(ZarrDataType.Int32);
    private static readonly NumpyDType U1 = new(ZarrDataType.UInt8);

    [Fact]
    public void V2_filters_become_the_chain_in_numcodecs_order_and_are_written_back_exactly()
    {
        const string zarray = """
            {
                "chunks": [
                    4
                ],
                "compressor": {
                    "blocksize": 0,
                    "clevel": 5,
                    "cname": "lz4",
                    "id": "blosc",
                    "shuffle": 1
                },
                "dtype": "<f8",
                "fill_value": 1000.5,
                "filters": [
                    {
                        "digits": 3,
                        "dtype": "<f8",
                        "id": "quantize",
                        "astype": "<f8"
                    },
                    {
                        "astype": "|u1",
                        "dtype": "<f8",
                        "id": "fixedscaleoffset",
                        "offset": 1000.0,
                        "scale": 10
                    },
                    {
                        "decode_dtype": "|u1",
                        "encode_dtype": "<i4",
                        "id": "astype"
                    },
                    {
                        "astype": "<i4",
                        "dtype": "<i4",
                        "id": "delta"
                    }
                ],
                "order": "F",
                "shape": [
                    10
                ],
                "zarr_format": 2
            }
            """;
        var meta = MetadataSerializer.ParseArrayV2(Encoding.UTF8.GetBytes(zarray), [], Doc);
        Assert.Equal(["transpose", "numcodecs.quantize", "numcodecs.fixedscaleoffset", "numcodecs.astype", "numcodecs.delta", "bytes", "blosc"], meta.Codecs.Select(c => c.Name));
        Assert.Equal(Endian.Little, ((BytesCodec)meta.Codecs[5]).Endian);

        // The compressor sees the last filter's type, as numcodecs' blosc sees the array it is given (typesize 4, not 8).
        var blosc = Assert.IsType<BloscCodec>(meta.Codecs[6]);
        Assert.Equal(4, blosc.ToV3Json()["configuration"]!["typesize"]!.GetValue<int>());

        // Sorted keys, the "astype" key out of place above included; 1000.0 stays a float and 10 an int.
        var (written, _) = MetadataSerializer.ToV2Json(meta);
        var expected = zarray.Replace("""
                        "digits": 3,
                        "dtype": "<f8",
                        "id": "quantize",
                        "astype": "<f8"
            """, """
                        "astype": "<f8",
                        "digits": 3,
                        "dtype": "<f8",
                        "id": "quantize"
            """, StringComparison.Ordinal);
        Assert.Equal(expected, Encoding.UTF8.GetString(written));

        // The chain runs: what it encodes it decodes (with the filters' losses).
        var pipeline = CodecPipeline.Create(meta.Codecs);
        var values = new[] { 1000.0, 1000.1, 1000.25, 1012.3, 1025.5 }.Concat(Enumerable.Repeat(1000.5, 5)).ToArray();
        var spec = new ChunkSpec([10], ZarrDataType.Float64, [.. BitConverter.GetBytes(1000.5)]);
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        using var encoded = pipeline.Encode(bytes, spec);
        var decoded = new double[10];
        pipeline.Decode(encoded.Span, System.Runtime.InteropServices.MemoryMarshal.AsBytes(decoded.AsSpan()), spec);
        Assert.Equal([1000.0, 1000.1, 1000.2, 1012.3, 1025.5, 1000.5, 1000.5, 1000.5, 1000.5, 1000.5], decoded.Select(d => Math.Round(d, 6)));
    }

    [Fact]
    public void Big_endian_arrays_keep_their_byte_order_through_the_filters()
    {
        const string zarray = """{"chunks": [4], "compressor": null, "dtype": ">i4", "fill_value": 0, "filters": [{"astype": ">i2", "dtype": ">i4", "id": "delta"}], "order": "C", "shape": [8], "zarr_format": 2}""";
        var meta = MetadataSerializer.ParseArrayV2(Encoding.UTF8.GetBytes(zarray), [], Doc);
        Assert.Equal(Endian.Big, ((BytesCodec)meta.Codecs[1]).Endian);
        var (written, _) = MetadataSerializer.ToV2Json(meta);
        Assert.Contains("\"dtype\": \">i4\"", Encoding.UTF8.GetString(written), StringComparison.Ordinal);

        // v3 has one byte order, the bytes codec's: a big-endian filter cannot be written there.
        var ex = Assert.Throws<ZarrException>(() => MetadataSerializer.ToV3Json(meta));
        Assert.Contains("big-endian", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void V3_numcodecs_filters_round_trip_and_type_the_codecs_after_them()
    {
        var meta = Model(ZarrFormat.V3, [new FixedScaleOffsetCodec(1000, 10, F8, U1), new BytesCodec(null), new ZstdCodec(3, false)]);
        var json = MetadataSerializer.ToV3Json(meta);
        var text = Encoding.UTF8.GetString(json);
        Assert.Contains("\"name\": \"numcodecs.fixedscaleoffset\"", text, StringComparison.Ordinal);
        var again = MetadataSerializer.ParseArrayV3(json, "zarr.json");
        Metadata.MetadataAssert.Equal(meta, again);

        // zarr-python 3 fills in a missing dtype with the array's numpy name.
        var delta = """{"zarr_format": 3, "node_type": "array", "shape": [4], "data_type": "int32", "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4]}}, "chunk_key_encoding": {"name": "default"}, "fill_value": 0, "codecs": [{"name": "numcodecs.delta", "configuration": {"dtype": "int32"}}, {"name": "bytes", "configuration": {"endian": "little"}}]}""";
        var parsed = MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(delta), "zarr.json");
        var filter = Assert.IsType<DeltaCodec>(parsed.Codecs[0]);
        Assert.Equal("<i4", filter.EncodedType.ToString());

        // The bytes codec after a float64 → uint8 filter needs no endian; after float64 → int32 it does.
        var needsEndian = delta.Replace("\"data_type\": \"int32\"", "\"data_type\": \"float64\"", StringComparison.Ordinal)
            .Replace("""{"name": "numcodecs.delta", "configuration": {"dtype": "int32"}}, {"name": "bytes", "configuration": {"endian": "little"}}""",
                """{"name": "numcodecs.fixedscaleoffset", "configuration": {"scale": 1, "offset": 0, "dtype": "<f8", "astype": "<i4"}}, {"name": "bytes"}""", StringComparison.Ordinal);
        var ex = Assert.Throws<ZarrMetadataException>(() => MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(needsEndian), "zarr.json"));
        Assert.Contains("int32", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Chains_v2_cannot_hold_or_with_mismatched_types_are_refused()
    {
        // A filter after bytes.
        Assert.Throws<ZarrException>(() => MetadataSerializer.ValidateChain([new BytesCodec(), new DeltaCodec(I4)], ZarrFormat.V2));

        // The filter's dtype is not the array's.
        var wrongType = Model(ZarrFormat.V2, [new DeltaCodec(new NumpyDType(ZarrDataType.Int64)), new BytesCodec()]);
        Assert.Contains("decodes to <i8", Assert.Throws<ZarrException>(() => MetadataSerializer.ToV2Json(wrongType)).Message, StringComparison.Ordinal);

        // Two filters that do not meet.
        Assert.Throws<ZarrException>(() => MetadataSerializer.ValidateChain([new DeltaCodec(I4, new NumpyDType(ZarrDataType.Int16)), new DeltaCodec(I4), new BytesCodec()], ZarrFormat.V2));

        // The bytes codec's byte order differs from the last filter's astype.
        Assert.Throws<ZarrException>(() => MetadataSerializer.ValidateChain([new DeltaCodec(I4), new BytesCodec(Endian.Big)], ZarrFormat.V2));
    }

    private static ArrayMetadata Model(ZarrFormat format, List<ICodec> codecs) => new()
    {
        Format = format,
        Shape = [10],
        ChunkShape = [4],
        DataType = codecs.OfType<IV2Filter>().FirstOrDefault()?.DecodedType.DataType is { } t && format == ZarrFormat.V3 ? t : ZarrDataType.Int32,
        FillValue = [.. new byte[codecs.OfType<IV2Filter>().FirstOrDefault()?.DecodedType.DataType is { } u && format == ZarrFormat.V3 ? u.ItemSize : 4]],
        Codecs = codecs,
        ChunkKeyEncoding = format == ZarrFormat.V3 ? ChunkKeyEncoding.Default : ChunkKeyEncoding.V2Dot,
    };
}
