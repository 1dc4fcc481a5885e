using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Codecs;
using Zarr.Storage.Tests.Arrays;

namespace Zarr.Storage.Tests.DataTypes;

/// <summary>
/// The float8/float6/float4 types of zarr-extensions. Debian has no ml_dtypes, so every bit pattern is checked against
/// a reference built here from the texts' definitions alone (sign, exponent bits and bias, mantissa bits, which
/// patterns are NaN or infinite): a decoder by the textbook formula, and an encoder that searches every pattern for the
/// nearest value (ties to an even last bit), overflowing past the largest value by half a unit in the last place.
/// </summary>
public class MiniFloatTests
{
    private const string Doc = "a/zarr.json";

    /// <summary>What the texts say of each format, typed in from them (not read from the library).</summary>
    private sealed record Definition(ZarrDataType Type, int Exponent, int Mantissa, int Bias, string Specials, double Max, int? NaN);

    private static readonly Definition[] Definitions =
    [
        // The largest values are the formats' published ones (OCP MX v1.0, ml_dtypes' finfo).
        new(ZarrDataType.Float8E3M4, 3, 4, 3, "ieee", 15.5, 0x78),
        new(ZarrDataType.Float8E4M3, 4, 3, 7, "ieee", 240, 0x7C),
        new(ZarrDataType.Float8E4M3B11Fnuz, 4, 3, 11, "fnuz", 30, 0x80),
        new(ZarrDataType.Float8E4M3Fnuz, 4, 3, 8, "fnuz", 240, 0x80),
        new(ZarrDataType.Float8E5M2, 5, 2, 15, "ieee", 57344, 0x7E),
        new(ZarrDataType.Float8E5M2Fnuz, 5, 2, 16, "fnuz", 57344, 0x80),
        new(ZarrDataType.Float8E8M0Fnu, 8, 0, 127, "e8m0", Math.Pow(2, 127), 0xFF),
        new(ZarrDataType.Float6E2M3Fn, 2, 3, 1, "fn", 7.5, null),
        new(ZarrDataType.Float6E3M2Fn, 3, 2, 3, "fn", 28, null),
        new(ZarrDataType.Float4E2M1Fn, 2, 1, 1, "fn", 6, null),
    ];

    public static TheoryData<string> Names() => [.. Definitions.Select(d => d.Type.Name)];

    private static Definition Of(string name) => Definitions.Single(d => d.Type.Name == name);

    private static int Width(Definition d) => d.Exponent + d.Mantissa + (d.Specials == "e8m0" ? 0 : 1);

    private static double Reference(Definition d, int bits)
    {
        if (d.Specials == "e8m0")
        {
            return bits == 0xFF ? double.NaN : Math.Pow(2, bits - 127);
        }

        var width = Width(d);
        var sign = (bits >> (width - 1)) == 1 ? -1.0 : 1.0;
        var e = (bits >> d.Mantissa) & ((1 << d.Exponent) - 1);
        var m = bits & ((1 << d.Mantissa) - 1);
        if (d.Specials == "fnuz" && bits == 0x80)
        {
            return double.NaN;
        }

        if (d.Specials == "ieee" && e == (1 << d.Exponent) - 1)
        {
            return m == 0 ? sign * double.PositiveInfinity : double.NaN;
        }

        var fraction = (double)m / (1 << d.Mantissa);
        return e == 0
            ? sign * fraction * Math.Pow(2, 1 - d.Bias)
            : sign * (1 + fraction) * Math.Pow(2, e - d.Bias);
    }

    /// <summary>The expected bits of <paramref name="x"/>: a search over every pattern, with the texts' specials.</summary>
    private static byte ReferenceEncode(Definition d, double x)
    {
        var width = Width(d);
        var signBit = d.Specials == "e8m0" ? 0 : 1 << (width - 1);
        var negative = double.IsNegative(x);
        if (double.IsNaN(x))
        {
            // ml_dtypes: the format's NaN (with the input's sign where NaNs have one); MX fn types have none and give
            // their "NaN" constant 0b1..0 (−0) with the input's sign applied, so +NaN → −0 and −NaN → +0.
            return d.Specials switch
            {
                "ieee" => (byte)(d.NaN!.Value | (negative ? signBit : 0)),
                "fn" => (byte)(negative ? 0 : signBit),
                _ => (byte)d.NaN!.Value,
            };
        }

        if (d.Specials == "e8m0" && (negative || x == 0))
        {
            return 0xFF;
        }

        var overflow = (byte)(d.Specials switch
        {
            "ieee" => (Array.IndexOf(AllValues(d), double.PositiveInfinity) | (negative ? signBit : 0)),
            "fn" => (Array.IndexOf(AllValues(d), d.Max) | (negative ? signBit : 0)),
            _ => d.NaN!.Value,
        });
        var a = Math.Abs(x);
        if (double.IsInfinity(a))
        {
            return overflow;
        }

        var values = AllValues(d);
        var best = -1;
        for (var p = 0; p < values.Length; p++)
        {
            var v = values[p];
            if (double.IsNaN(v) || double.IsInfinity(v) || (signBit != 0 && (p & signBit) != 0))
            {
                continue;
            }

            if (best < 0)
            {
                best = p;
                continue;
            }

            var dp = Math.Abs(v - a);
            var db = Math.Abs(values[best] - a);
            var tieBreak = d.Specials == "e8m0" ? v > values[best] : (p & 1) == 0;
            if (dp < db || (dp == db && tieBreak))
            {
                best = p;
            }
        }

        // One unit past the largest value: a value nearer to it than to max (or halfway: max's last bit is odd) overflows.
        var ulp = d.Max - values[Array.IndexOf(values, d.Max) - 1];
        if (d.Specials == "e8m0")
        {
            ulp = d.Max;
        }

        var beyond = d.Max + ulp;
        if (a > d.Max && Math.Abs(beyond - a) <= Math.Abs(a - d.Max))
        {
            return overflow;
        }

        if (negative && signBit != 0 && !(d.Specials == "fnuz" && values[best] == 0))
        {
            best |= signBit;
        }

        return (byte)best;
    }

    private static double[] AllValues(Definition d) => [.. Enumerable.Range(0, 1 << Width(d)).Select(b => Reference(d, b))];

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_bit_pattern_decodes_as_the_definition_says(string name)
    {
        var d = Of(name);
        var format = d.Type.MiniFloat!;
        Assert.Equal((d.Exponent, d.Mantissa, d.Bias, Width(d)), (format.ExponentBits, format.MantissaBits, format.ExponentBias, format.BitWidth));
        Assert.Equal(d.Max, format.MaxValue);
        Assert.Equal(d.NaN, format.NaNBits);
        Assert.Equal(d.Type.Name, format.Name);
        Assert.Equal(Width(d), d.Type.BitWidth);
        for (var bits = 0; bits < 1 << Width(d); bits++)
        {
            var expected = Reference(d, bits);
            var actual = format.ToDouble((byte)bits);
            Assert.True(expected.Equals(actual) && double.IsNegative(expected) == double.IsNegative(actual), $"{name} 0x{bits:x2}: {actual}, expected {expected}");
            Assert.Equal(double.IsNaN(expected), format.IsNaN((byte)bits));
        }

        // Bits above the width are ignored, as the bytes codec's texts say of the 6- and 4-bit types.
        if (Width(d) < 8)
        {
            Assert.Equal(format.ToDouble(0x05), format.ToDouble((byte)(0xC0 | 0x05)));
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Conversion_from_double_matches_the_nearest_pattern_search(string name)
    {
        var d = Of(name);
        var format = d.Type.MiniFloat!;
        var finite = AllValues(d).Where(double.IsFinite).Where(v => v >= 0).Distinct().Order().ToList();
        var probes = new List<double>(finite) { double.NaN, -double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, 1e-300, double.Epsilon, double.MaxValue };
        finite.Add(d.Specials == "e8m0" ? d.Max * 2 : d.Max + (d.Max - finite[^2]));
        for (var i = 0; i + 1 < finite.Count; i++)
        {
            var mid = (finite[i] + finite[i + 1]) / 2;
            probes.AddRange([mid, Math.BitIncrement(mid), Math.BitDecrement(mid), (finite[i] + mid) / 2, Math.BitIncrement(finite[i]), Math.BitDecrement(finite[i + 1])]);
        }

        var random = new Random(20);
        for (var i = 0; i < 2000; i++)
        {
            probes.Add(Math.ScaleB(random.NextDouble() + 0.5, random.Next(-140, 140)));
        }

        foreach (var x in probes.Concat(probes.Select(p => -p)))
        {
            var expected = ReferenceEncode(d, x);
            var actual = format.FromDouble(x);
            Assert.True(expected == actual, $"{name}({x:R}): 0x{actual:x2}, expected 0x{expected:x2}");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_value_round_trips_through_double_to_the_same_bits(string name)
    {
        var format = Of(name).Type.MiniFloat!;
        var bits = Enumerable.Range(0, 1 << format.BitWidth).Select(b => (byte)b).Where(b => !format.IsNaN(b)).ToArray();
        var doubles = new double[bits.Length];
        format.ToDouble(bits, doubles);
        var back = new byte[bits.Length];
        format.FromDouble(doubles, back);
        Assert.Equal(bits, back);
        Assert.Throws<ArgumentException>(() => format.FromDouble(doubles, new byte[1]));
    }

    [Fact]
    public void Rounding_ties_go_to_even_and_the_ends_of_the_range_behave_as_ml_dtypes()
    {
        var e4m3 = MiniFloatFormat.Float8E4M3;
        Assert.Equal(0x38, e4m3.FromDouble(1));           // 1.0
        Assert.Equal(0x38, e4m3.FromDouble(1.0625));      // halfway between 1 and 1.125: to even (1)
        Assert.Equal(0x3A, e4m3.FromDouble(1.1875));      // halfway between 1.125 and 1.25: to even (1.25)
        Assert.Equal(0x77, e4m3.FromDouble(247.99));      // below 248 = 240 + half a unit: max
        Assert.Equal(0x78, e4m3.FromDouble(248));         // the tie goes away from max's odd bit: Infinity
        Assert.Equal(0xF8, e4m3.FromDouble(-1e10));

        Assert.Equal(0x80, MiniFloatFormat.Float8E4M3Fnuz.FromDouble(1e10));        // no infinity: NaN
        Assert.Equal(0x00, MiniFloatFormat.Float8E4M3Fnuz.FromDouble(-0.0));        // no −0
        Assert.Equal(0x80, MiniFloatFormat.Float8E5M2Fnuz.FromDouble(double.NegativeInfinity));
        Assert.Equal(0x0F, MiniFloatFormat.Float4E2M1Fn.FromDouble(-1e10));         // saturates to −6
        Assert.Equal(-6, MiniFloatFormat.Float4E2M1Fn.ToDouble(0x0F));
        Assert.Equal(0x1F, MiniFloatFormat.Float6E2M3Fn.FromDouble(double.PositiveInfinity));
        Assert.Equal(0x00, MiniFloatFormat.Float8E8M0Fnu.FromDouble(1e-300));       // below 2^-127: the least value
        Assert.Equal(0x80, MiniFloatFormat.Float8E8M0Fnu.FromDouble(1.5));          // midway between 1 and 2: up
        Assert.Equal(0xFF, MiniFloatFormat.Float8E8M0Fnu.FromDouble(0));
        Assert.Equal(0xFE, MiniFloatFormat.Float8E8M0Fnu.FromDouble(Math.Pow(2, 127)));
        Assert.Equal(0xFF, MiniFloatFormat.Float8E8M0Fnu.FromDouble(Math.Pow(2, 127) * 1.5));
    }

    private static string ArrayJson(string dataType, int length, string fill, string codecs) => $$$"""
        {
          "zarr_format": 3, "node_type": "array", "shape": [{{{length}}}], "data_type": "{{{dataType}}}",
          "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [{{{length}}}]}},
          "chunk_key_encoding": {"name": "default", "configuration": {"separator": "/"}},
          "fill_value": {{{fill}}}, "codecs": {{{codecs}}}
        }
        """;

    private static byte[] Fill(string json, ZarrDataType type) =>
        MetadataSerializer.ParseArrayV3(Encoding.UTF8.GetBytes(ArrayJson(type.Name, 1, json, """["bytes"]""")), Doc).FillValue.ToArray();

    [Theory]
    [InlineData("float8_e5m2", "\"NaN\"", 0x7E, "\"NaN\"")]
    [InlineData("float8_e4m3", "\"NaN\"", 0x7C, "\"NaN\"")]
    [InlineData("float8_e3m4", "\"NaN\"", 0x78, "\"NaN\"")]
    [InlineData("float8_e4m3fnuz", "\"NaN\"", 0x80, "\"NaN\"")]
    [InlineData("float8_e4m3b11fnuz", "\"NaN\"", 0x80, "\"NaN\"")]
    [InlineData("float8_e5m2fnuz", "\"NaN\"", 0x80, "\"NaN\"")]
    [InlineData("float8_e8m0fnu", "\"NaN\"", 0xFF, "\"NaN\"")]
    [InlineData("float8_e5m2", "\"0x7f\"", 0x7F, "\"0x7f\"")]
    [InlineData("float8_e5m2", "\"-Infinity\"", 0xFC, "\"-Infinity\"")]
    [InlineData("float8_e4m3", "\"Infinity\"", 0x78, "\"Infinity\"")]
    [InlineData("float8_e4m3", "-1.5", 0xBC, "-1.5")]
    [InlineData("float8_e8m0fnu", "0.25", 0x7D, "0.25")]
    [InlineData("float6_e2m3fn", "-7.5", 0x3F, "-7.5")]
    [InlineData("float6_e3m2fn", "\"0x3f\"", 0x3F, "-28.0")]
    [InlineData("float4_e2m1fn", "0.5", 0x01, "0.5")]
    [InlineData("float4_e2m1fn", "-0.0", 0x08, "-0.0")]
    public void Fill_values_are_written_as_the_texts_say(string type, string json, int bits, string written)
    {
        var dataType = ZarrDataType.Parse(type);
        Assert.Equal(new[] { (byte)bits }, Fill(json, dataType));
        Assert.Equal(written, FillValueJson.ToV3Json([(byte)bits], dataType).ToJsonString());
    }

    [Theory]
    [InlineData("float4_e2m1fn", "\"NaN\"", "has no NaN")]
    [InlineData("float6_e3m2fn", "\"Infinity\"", "has no infinity")]
    [InlineData("float8_e4m3fnuz", "\"-Infinity\"", "has no infinity")]
    [InlineData("float8_e4m3", "248", "out of range for float8_e4m3 (largest 240.0)")]
    [InlineData("float4_e2m1fn", "7", "out of range")]
    [InlineData("float8_e8m0fnu", "0", "has no such value")]
    [InlineData("float8_e8m0fnu", "-2", "has no such value")]
    [InlineData("float4_e2m1fn", "\"0x10\"", "2 hex digits of at most 4 bits")]
    [InlineData("float8_e5m2", "\"0x7e00\"", "2 hex digits")]
    [InlineData("float8_e5m2", "true", "expected a number")]
    public void Fill_values_the_format_cannot_hold_fail_naming_the_field(string type, string json, string message)
    {
        var ex = Assert.Throws<ZarrMetadataException>(() => Fill(json, ZarrDataType.Parse(type)));
        Assert.Equal("fill_value", ex.Field);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public async Task Arrays_round_trip_every_pattern_through_bytes_and_the_name_is_written_back(string name)
    {
        var d = Of(name);
        var values = Enumerable.Range(0, 1 << Width(d)).Select(b => (byte)b).ToArray();
        var store = new MemoryStore();
        await ZarrArray.CreateAsync(store, "", d.Type, [values.Length], new ArrayOptions { Chunks = [8], Compressors = [] });
        await (await ZarrArray.OpenAsync<byte>(store, "", AccessMode.ReadWrite))[..].WriteAsync(values);
        Assert.Equal(name, JsonNode.Parse(await Bytes(store, "zarr.json"))!["data_type"]!.GetValue<string>());
        Assert.Equal(values[8..16], await Bytes(store, "c/1"));
        var array = await ZarrArray.OpenAsync<byte>(store);
        Assert.Equal(d.Type, array.DataType);
        Assert.Equal(values, SelectionTests.ToArray(await array[..]));
        var v2 = await Assert.ThrowsAnyAsync<ZarrException>(() => ZarrArray.CreateAsync(new MemoryStore(), "", d.Type, [4], new ArrayOptions { Format = ZarrFormat.V2 }));
        Assert.Contains("no v2 form", v2.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Float6_and_float4_through_bytes_ignore_the_upper_bits_and_packbits_packs_6_and_4_bits()
    {
        // bytes: 0bXXSEEMMM, the upper bits ignored when read; a value with them set is refused when written.
        var store = new MemoryStore();
        await store.SetAsync("zarr.json", Encoding.UTF8.GetBytes(ArrayJson("float6_e2m3fn", 3, "0.0", """["bytes"]""")));
        await store.SetAsync("c/0", new byte[] { 0xC8, 0x3F, 0x41 });
        var array = await ZarrArray.OpenAsync<byte>(store, "", AccessMode.ReadWrite);
        Assert.Equal(new byte[] { 0x08, 0x3F, 0x01 }, SelectionTests.ToArray(await array[..]));
        var ex = await Assert.ThrowsAnyAsync<ZarrException>(async () => await array[..1].WriteAsync(new byte[] { 0x40 }));
        Assert.Contains("outside the range of float6_e2m3fn (0..63)", ex.Message, StringComparison.Ordinal);

        // packbits: float4 1.0 (0b0010), −6 (0b1111), 0.5 (0b0001): the first in the low nibble, then a padding nibble.
        var f4 = new MemoryStore();
        await f4.SetAsync("zarr.json", Encoding.UTF8.GetBytes(ArrayJson("float4_e2m1fn", 3, "0.0", """[{"name": "packbits", "configuration": {"padding_encoding": "last_byte"}}]""")));
        var a4 = await ZarrArray.OpenAsync<byte>(f4, "", AccessMode.ReadWrite);
        var f = MiniFloatFormat.Float4E2M1Fn;
        await a4[..].WriteAsync(new[] { f.FromDouble(1), f.FromDouble(-6), f.FromDouble(0.5) });
        Assert.Equal(new byte[] { 0xF2, 0x01, 4 }, await Bytes(f4, "c/0"));
        Assert.Equal(new[] { 1.0, -6, 0.5 }, SelectionTests.ToArray(await a4[..]).Select(f.ToDouble));

        // float6_e3m2fn 28 (0b011111), −0.0625 (0b100001), 1 (0b001100), 4 bits of padding: 24 bits → 3 bytes.
        var g = MiniFloatFormat.Float6E3M2Fn;
        var codec = new PackBitsCodec();
        var spec = new ChunkSpec([3], ZarrDataType.Float6E3M2Fn, [0]);
        var elements = new[] { g.FromDouble(28), g.FromDouble(-0.0625), g.FromDouble(1) };
        Assert.Equal(new byte[] { 0x1F, 0x21, 0x0C }, elements);
        using var packed = codec.Encode(elements, spec);
        Assert.Equal(new byte[] { 0x5F, 0xC8, 0x00 }, packed.Span.ToArray());
        var back = new byte[3];
        codec.Decode(packed.Span, back, spec);
        Assert.Equal(elements, back);
    }

    private static async Task<byte[]> Bytes(IStore store, string key)
    {
        using var buffer = await store.GetAsync(key);
        Assert.NotNull(buffer);
        return buffer.Span.ToArray();
    }
}
