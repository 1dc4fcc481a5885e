using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Tests.Codecs;

/// <summary>
/// The numcodecs filters against numcodecs itself: Fixtures/filters/filters.json holds numcodecs 0.11's encode and
/// decode of small arrays (written by the make_filter_fixtures.py beside it), which ours must reproduce byte for byte.
/// </summary>
public class FiltersTests
{
    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Fixtures()["cases"]!.AsArray())
        {
            data.Add(c!["case"]!.GetValue<string>());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Encodes_and_decodes_exactly_as_numcodecs(string name)
    {
        var entry = Fixtures()["cases"]!.AsArray().Single(c => c!["case"]!.GetValue<string>() == name)!;
        var config = entry["config"]!.AsObject();
        var filter = CodecRegistry.FromV2Filter(config.DeepClone(), 0, name);

        // The configuration is written back as numcodecs' get_config() gives it.
        Assert.True(JsonNode.DeepEquals(config, filter.ToV2Json()), $"{config.ToJsonString()} != {filter.ToV2Json().ToJsonString()}");

        var input = Convert.FromHexString(entry["input"]!.GetValue<string>());
        var expectedEncoded = Convert.FromHexString(entry["encoded"]!.GetValue<string>());
        var expectedDecoded = Convert.FromHexString(entry["decoded"]!.GetValue<string>());
        var count = input.Length / filter.DecodedType.DataType.ItemSize;
        var spec = new ChunkSpec([count], filter.DecodedType.DataType, [.. new byte[filter.DecodedType.DataType.ItemSize]]);
        var encodedSpec = filter.GetEncodedSpec(spec);
        Assert.Equal(filter.EncodedType.DataType, encodedSpec.DataType);
        Assert.Equal(expectedEncoded.Length, encodedSpec.ByteLength);

        var encoded = new byte[encodedSpec.ByteLength];
        filter.Encode(input, encoded, spec);
        AssertSameElements(expectedEncoded, encoded, filter.EncodedType.DataType, name + " encode");

        var decoded = new byte[input.Length];
        filter.Decode(expectedEncoded, decoded, spec);
        AssertSameElements(expectedDecoded, decoded, filter.DecodedType.DataType, name + " decode");
    }

    [Fact]
    public void Quantize_scale_is_numcodecs_for_every_digit_count()
    {
        foreach (var s in Fixtures()["quantize_scales"]!.AsArray())
        {
            var digits = s!["digits"]!.GetValue<int>();
            Assert.True(s["scale"]!.GetValue<double>() == QuantizeCodec.ComputeScale(digits), $"digits {digits}");
        }
    }

    [Fact]
    public void A_chain_of_filters_changes_the_type_at_each_stage_and_round_trips()
    {
        // fixedscaleoffset float64 → int32, delta int32 → int16, bytes, zlib, and order F first.
        var fso = new FixedScaleOffsetCodec(-50, 8, new NumpyDType(ZarrDataType.Float64), new NumpyDType(ZarrDataType.Int32));
        var delta = new DeltaCodec(new NumpyDType(ZarrDataType.Int32), new NumpyDType(ZarrDataType.Int16));
        var pipeline = CodecPipeline.Create([TransposeCodec.FortranOrder(2), fso, delta, new BytesCodec(Endian.Big), new ZlibCodec(1)]);
        var spec = new ChunkSpec([6, 5], ZarrDataType.Float64, [.. new byte[8]]);
        var values = Enumerable.Range(0, 30).Select(i => (i * 0.125) - 3).ToArray();
        var chunk = System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        using var encoded = pipeline.Encode(chunk, spec);
        using var raw = new ZlibCodec(1).Decode(encoded.Span, -1);
        Assert.Equal(30 * 2, raw.Length);

        // Stored: F order, (x + 50) × 8, differenced, int16 big-endian.
        var stored = new short[30];
        for (var i = 0; i < 30; i++)
        {
            stored[i] = System.Buffers.Binary.BinaryPrimitives.ReadInt16BigEndian(raw.Span[(2 * i)..]);
        }

        var fOrder = Enumerable.Range(0, 30).Select(k => values[((k % 6) * 5) + (k / 6)]).ToArray();
        var scaled = fOrder.Select(v => (int)Math.Round((v + 50) * 8)).ToArray();
        Assert.Equal(scaled[0], stored[0]);
        for (var i = 1; i < 30; i++)
        {
            Assert.Equal(scaled[i] - scaled[i - 1], stored[i]);
        }

        var decoded = new byte[chunk.Length];
        pipeline.Decode(encoded.Span, decoded, spec);
        Assert.Equal(chunk, decoded);
    }

    [Fact]
    public void Fill_value_is_carried_through_the_filter()
    {
        var fso = new FixedScaleOffsetCodec(1000, 10, new NumpyDType(ZarrDataType.Float64), new NumpyDType(ZarrDataType.UInt8));
        var spec = new ChunkSpec([4], ZarrDataType.Float64, [.. BitConverter.GetBytes(1002.5)]);
        var encoded = fso.GetEncodedSpec(spec);
        Assert.Same(ZarrDataType.UInt8, encoded.DataType);
        Assert.Equal([25], encoded.FillValue.ToArray());
    }

    [Fact]
    public void Wrong_type_or_sizes_are_refused_naming_the_filter()
    {
        var delta = new DeltaCodec(new NumpyDType(ZarrDataType.Int32));
        var ex = Assert.Throws<ZarrCodecException>(() => delta.GetEncodedSpec(new ChunkSpec([4], ZarrDataType.Int16, [.. new byte[2]])));
        Assert.Equal("numcodecs.delta", ex.Codec);
        var spec = new ChunkSpec([4], ZarrDataType.Int32, [.. new byte[4]]);
        Assert.Throws<ZarrCodecException>(() => delta.Encode(new byte[16], new byte[12], spec));
        Assert.Throws<ZarrCodecException>(() => delta.Decode(new byte[16], new byte[15], spec));
    }

    [Fact]
    public void Constructors_refuse_what_is_not_supported()
    {
        var i4 = new NumpyDType(ZarrDataType.Int32);
        var f8 = new NumpyDType(ZarrDataType.Float64);
        var b = new NumpyDType(ZarrDataType.Bool);
        Assert.Throws<ArgumentException>(() => new DeltaCodec(i4, f8));
        Assert.Throws<ArgumentException>(() => new DeltaCodec(b));
        Assert.Throws<ArgumentException>(() => new FixedScaleOffsetCodec(0, 1, i4));
        Assert.Throws<ArgumentException>(() => new FixedScaleOffsetCodec(0, 0, f8, i4));
        Assert.Throws<ArgumentException>(() => new FixedScaleOffsetCodec(double.NaN, 1, f8, i4));
        Assert.Throws<ArgumentException>(() => new QuantizeCodec(2, i4));
        Assert.Throws<ArgumentException>(() => new AsTypeCodec(new NumpyDType(ZarrDataType.Complex64), f8));
    }

    [Fact]
    public void Numbers_given_in_CSharp_are_written_as_Python_would_write_them()
    {
        var f8 = new NumpyDType(ZarrDataType.Float64);
        var u1 = new NumpyDType(ZarrDataType.UInt8);
        AssertJson("""{"id":"fixedscaleoffset","scale":10,"offset":1000,"dtype":"<f8","astype":"|u1"}""", new FixedScaleOffsetCodec(1000, 10, f8, u1).ToV2Json());
        AssertJson("""{"id":"fixedscaleoffset","scale":0.5,"offset":-1.25,"dtype":"<f8","astype":"|u1"}""", new FixedScaleOffsetCodec(-1.25, 0.5, f8, u1).ToV2Json());
        AssertJson("""{"id":"astype","encode_dtype":"<f4","decode_dtype":">f8"}""", new AsTypeCodec(new NumpyDType(ZarrDataType.Float32), new NumpyDType(ZarrDataType.Float64, bigEndian: true)).ToV2Json());
        AssertJson("""{"name":"numcodecs.quantize","configuration":{"digits":3,"dtype":"<f4","astype":"<f4"}}""", new QuantizeCodec(3, new NumpyDType(ZarrDataType.Float32)).ToV3Json());
        AssertJson("""{"name":"numcodecs.delta","configuration":{"dtype":"<i2","astype":"<i2"}}""", new DeltaCodec(new NumpyDType(ZarrDataType.Int16)).ToV3Json());

        // Python's json writes them in this order with these number forms.
        var zarray = Zarr.Storage.PythonJson.Serialize(new FixedScaleOffsetCodec(1000, 10, f8, u1).ToV2Json(), 4, sortKeys: true);
        Assert.Equal("{\n    \"astype\": \"|u1\",\n    \"dtype\": \"<f8\",\n    \"id\": \"fixedscaleoffset\",\n    \"offset\": 1000,\n    \"scale\": 10\n}", System.Text.Encoding.UTF8.GetString(zarray));
    }

    [Theory]
    [InlineData("<i4", "int32", false)]
    [InlineData(">f8", "float64", true)]
    [InlineData("|u1", "uint8", false)]
    [InlineData(">u1", "uint8", false)]
    [InlineData("int16", "int16", false)]
    [InlineData("=f4", "float32", false)]
    public void Numpy_type_strings_parse(string text, string type, bool bigEndian)
    {
        Assert.True(NumpyDType.TryParse(text, out var dtype));
        Assert.Equal(type, dtype.DataType.Name);
        Assert.Equal(bigEndian, dtype.BigEndian);
        Assert.False(NumpyDType.TryParse("<i3", out _));
        Assert.False(NumpyDType.TryParse(string.Empty, out _));
    }

    private static void AssertJson(string expected, JsonNode actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual), $"{expected} != {actual.ToJsonString()}");

    /// <summary>Bytes equal, except that NaNs only need to be NaN (numpy's and .NET's casts may keep different payloads).</summary>
    private static void AssertSameElements(byte[] expected, byte[] actual, ZarrDataType type, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var size = type.ItemSize;
        for (var i = 0; i < expected.Length; i += size)
        {
            var e = expected.AsSpan(i, size);
            var a = actual.AsSpan(i, size);
            if (e.SequenceEqual(a))
            {
                continue;
            }

            var bothNaN = type.IsFloatingPoint && IsNaN(e, size) && IsNaN(a, size);
            Assert.True(bothNaN, $"{what}: element {i / size} is {Convert.ToHexString(a)}, numcodecs gives {Convert.ToHexString(e)}");
        }
    }

    private static bool IsNaN(ReadOnlySpan<byte> value, int size) => size switch
    {
        2 => Half.IsNaN(BitConverter.ToHalf(value)),
        4 => float.IsNaN(BitConverter.ToSingle(value)),
        _ => double.IsNaN(BitConverter.ToDouble(value)),
    };

    private static JsonNode Fixtures([CallerFilePath] string source = "") =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Path.GetDirectoryName(source)!, "Fixtures", "filters", "filters.json")))!;
}
