using System.Numerics;

namespace Zarr.Storage.Tests.DataTypes;

public class DataTypeVisitorTests
{
    public static TheoryData<ZarrDataType, string> EveryKind() => new()
    {
        { ZarrDataType.Bool, "bool" },
        { ZarrDataType.Int8, "number SByte" },
        { ZarrDataType.Int16, "number Int16" },
        { ZarrDataType.Int32, "number Int32" },
        { ZarrDataType.Int64, "number Int64" },
        { ZarrDataType.UInt8, "number Byte" },
        { ZarrDataType.UInt16, "number UInt16" },
        { ZarrDataType.UInt32, "number UInt32" },
        { ZarrDataType.UInt64, "number UInt64" },
        { ZarrDataType.Float16, "number Half" },
        { ZarrDataType.Float32, "number Single" },
        { ZarrDataType.Float64, "number Double" },
        { ZarrDataType.Complex64, "complex64" },
        { ZarrDataType.Complex128, "complex128" },
        { ZarrDataType.DateTime64(TimeUnit.Second, 10), "datetime64[10s]" },
        { ZarrDataType.TimeDelta64(TimeUnit.Millisecond), "timedelta64[ms]" },
        { ZarrDataType.FixedBytes(3), "bytes 3" },
        { ZarrDataType.FixedUnicode(5), "unicode 5" },
        { ZarrDataType.Structured(new StructField("x", ZarrDataType.Int32)), "struct 1" },
        { ZarrDataType.String, "string" },
        { ZarrDataType.BFloat16, "bfloat16" },
        { ZarrDataType.Int2, "number SByte" },
        { ZarrDataType.Int4, "number SByte" },
        { ZarrDataType.UInt2, "number Byte" },
        { ZarrDataType.UInt4, "number Byte" },
        { ZarrDataType.Float8E3M4, "minifloat float8_e3m4" },
        { ZarrDataType.Float8E4M3, "minifloat float8_e4m3" },
        { ZarrDataType.Float8E4M3B11Fnuz, "minifloat float8_e4m3b11fnuz" },
        { ZarrDataType.Float8E4M3Fnuz, "minifloat float8_e4m3fnuz" },
        { ZarrDataType.Float8E5M2, "minifloat float8_e5m2" },
        { ZarrDataType.Float8E5M2Fnuz, "minifloat float8_e5m2fnuz" },
        { ZarrDataType.Float8E8M0Fnu, "minifloat float8_e8m0fnu" },
        { ZarrDataType.Float6E2M3Fn, "minifloat float6_e2m3fn" },
        { ZarrDataType.Float6E3M2Fn, "minifloat float6_e3m2fn" },
        { ZarrDataType.Float4E2M1Fn, "minifloat float4_e2m1fn" },
    };

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void Accept_calls_the_method_of_the_kind_with_the_element_type(ZarrDataType type, string expected)
    {
        Assert.Equal(expected, type.Accept(new Describe()));
    }

    [Fact]
    public void Every_kind_has_a_visitor_method()
    {
        var visited = EveryKind().Select(row => ((ZarrDataType)row[0]).Kind).ToHashSet();
        Assert.Equal(Enum.GetValues<DataTypeKind>().ToHashSet(), visited);
    }

    [Theory]
    [MemberData(nameof(EveryKind))]
    public void The_element_type_given_to_VisitNumber_is_the_CLR_type(ZarrDataType type, string expected)
    {
        _ = expected;
        var clr = type.Accept(new ClrTypeOfNumber());
        // bfloat16 and the small floats have no arithmetic in .NET, so they have their own methods, not VisitNumber.
        Assert.Equal(type.NumpyKind is 'i' or 'u' or 'f' && type.Kind != DataTypeKind.BFloat16 && type.MiniFloat is null ? type.ClrType : null, clr);
    }

    [Fact]
    public void The_base_visitor_sends_the_kinds_not_overridden_to_its_default_with_the_type()
    {
        Assert.Equal(ZarrDataType.Bool, ZarrDataType.Bool.Accept(new OnlyDefault()));
        Assert.Equal(ZarrDataType.Float16, ZarrDataType.Float16.Accept(new OnlyDefault()));
        Assert.Equal(ZarrDataType.Complex64, ZarrDataType.Complex64.Accept(new OnlyDefault()));
        Assert.Equal(ZarrDataType.String, ZarrDataType.String.Accept(new OnlyDefault()));
        Assert.Equal(ZarrDataType.BFloat16, ZarrDataType.BFloat16.Accept(new OnlyDefault()));
        Assert.Same(ZarrDataType.Float8E5M2, ZarrDataType.Float8E5M2.Accept(new OnlyDefault()));
        var date = ZarrDataType.DateTime64(TimeUnit.Day);
        Assert.Same(date, date.Accept(new OnlyDefault()));
        Assert.Throws<ArgumentNullException>(() => ZarrDataType.Int8.Accept<int>(null!));
    }

    [Fact]
    public void TryOf_finds_the_type_of_a_CLR_type_or_gives_null()
    {
        Assert.Equal(ZarrDataType.UInt16, ZarrDataType.TryOf<ushort>());
        Assert.Equal(ZarrDataType.Complex128, ZarrDataType.TryOf<Complex>());
        Assert.Null(ZarrDataType.TryOf<decimal>());
    }

    private sealed class Describe : IZarrDataTypeVisitor<string>
    {
        public string VisitBool() => "bool";

        public string VisitNumber<T>() where T : unmanaged, INumber<T> => "number " + typeof(T).Name;

        public string VisitComplex64() => "complex64";

        public string VisitComplex128() => "complex128";

        public string VisitDateTime64(ZarrDataType dataType) => dataType.ToString();

        public string VisitTimeDelta64(ZarrDataType dataType) => dataType.ToString();

        public string VisitFixedBytes(ZarrDataType dataType) => "bytes " + dataType.Length;

        public string VisitFixedUnicode(ZarrDataType dataType) => "unicode " + dataType.Length;

        public string VisitStructured(ZarrDataType dataType) => "struct " + dataType.Fields.Count;

        public string VisitString() => "string";

        public string VisitBFloat16() => "bfloat16";

        public string VisitMiniFloat(ZarrDataType dataType) => "minifloat " + dataType.MiniFloat!.Name;
    }

    private sealed class ClrTypeOfNumber : ZarrDataTypeVisitor<Type?>
    {
        public override Type? VisitNumber<T>() => typeof(T);

        protected override Type? VisitDefault(ZarrDataType dataType) => null;
    }

    private sealed class OnlyDefault : ZarrDataTypeVisitor<ZarrDataType>
    {
        protected override ZarrDataType VisitDefault(ZarrDataType dataType) => dataType;
    }
}
