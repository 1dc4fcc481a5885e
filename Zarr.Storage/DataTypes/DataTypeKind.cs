namespace Zarr.Storage;

/// <summary>The kinds of element this library stores.</summary>
public enum DataTypeKind
{
    /// <summary>bool, one byte 0 or 1.</summary>
    Bool,
    /// <summary>int8.</summary>
    Int8,
    /// <summary>int16.</summary>
    Int16,
    /// <summary>int32.</summary>
    Int32,
    /// <summary>int64.</summary>
    Int64,
    /// <summary>uint8.</summary>
    UInt8,
    /// <summary>uint16.</summary>
    UInt16,
    /// <summary>uint32.</summary>
    UInt32,
    /// <summary>uint64.</summary>
    UInt64,
    /// <summary>float16 (IEEE half).</summary>
    Float16,
    /// <summary>float32.</summary>
    Float32,
    /// <summary>float64.</summary>
    Float64,
    /// <summary>complex64: two float32.</summary>
    Complex64,
    /// <summary>complex128: two float64.</summary>
    Complex128,
    /// <summary>numpy datetime64: a signed 64-bit count of a unit (with a scale) since the Unix epoch; −2^63 is NaT.</summary>
    DateTime64,
    /// <summary>numpy timedelta64: a signed 64-bit count of a unit (with a scale); −2^63 is NaT.</summary>
    TimeDelta64,
    /// <summary>Fixed-length byte strings (numpy <c>|S n</c>): n raw bytes, NUL padded.</summary>
    FixedBytes,
    /// <summary>Fixed-length unicode strings (numpy <c>&lt;U n</c>): n UTF-32 code units, NUL padded.</summary>
    FixedUnicode,
    /// <summary>A structured (record) type: named fields packed in order, each of any fixed-size type, possibly a sub-array.</summary>
    Structured,
    /// <summary>Variable-length UTF-8 strings (v3 <c>string</c>; v2 object arrays with the <c>vlen-utf8</c> filter).</summary>
    String,
    /// <summary>bfloat16 (zarr-extensions): an IEEE binary32 cut to 16 bits; elements are <see cref="Zarr.Storage.BFloat16"/>.</summary>
    BFloat16,
    /// <summary>int2 (zarr-extensions): −2..1, one <see cref="sbyte"/> per element in memory (sign-extended).</summary>
    Int2,
    /// <summary>int4 (zarr-extensions): −8..7, one <see cref="sbyte"/> per element in memory (sign-extended).</summary>
    Int4,
    /// <summary>uint2 (zarr-extensions): 0..3, one <see cref="byte"/> per element in memory.</summary>
    UInt2,
    /// <summary>uint4 (zarr-extensions): 0..15, one <see cref="byte"/> per element in memory.</summary>
    UInt4,
    /// <summary>float8_e3m4 (zarr-extensions): <see cref="MiniFloatFormat.Float8E3M4"/>, its bits one <see cref="byte"/> per element.</summary>
    Float8E3M4,
    /// <summary>float8_e4m3 (zarr-extensions): <see cref="MiniFloatFormat.Float8E4M3"/>, its bits one <see cref="byte"/> per element.</summary>
    Float8E4M3,
    /// <summary>float8_e4m3b11fnuz (zarr-extensions): <see cref="MiniFloatFormat.Float8E4M3B11Fnuz"/>, its bits one <see cref="byte"/> per element.</summary>
    Float8E4M3B11Fnuz,
    /// <summary>float8_e4m3fnuz (zarr-extensions): <see cref="MiniFloatFormat.Float8E4M3Fnuz"/>, its bits one <see cref="byte"/> per element.</summary>
    Float8E4M3Fnuz,
    /// <summary>float8_e5m2 (zarr-extensions): <see cref="MiniFloatFormat.Float8E5M2"/>, its bits one <see cref="byte"/> per element.</summary>
    Float8E5M2,
    /// <summary>float8_e5m2fnuz (zarr-extensions): <see cref="MiniFloatFormat.Float8E5M2Fnuz"/>, its bits one <see cref="byte"/> per element.</summary>
    Float8E5M2Fnuz,
    /// <summary>float8_e8m0fnu (zarr-extensions): <see cref="MiniFloatFormat.Float8E8M0Fnu"/>, its bits one <see cref="byte"/> per element.</summary>
    Float8E8M0Fnu,
    /// <summary>float6_e2m3fn (zarr-extensions): <see cref="MiniFloatFormat.Float6E2M3Fn"/>, its 6 bits in the low bits of one <see cref="byte"/>.</summary>
    Float6E2M3Fn,
    /// <summary>float6_e3m2fn (zarr-extensions): <see cref="MiniFloatFormat.Float6E3M2Fn"/>, its 6 bits in the low bits of one <see cref="byte"/>.</summary>
    Float6E3M2Fn,
    /// <summary>float4_e2m1fn (zarr-extensions): <see cref="MiniFloatFormat.Float4E2M1Fn"/>, its 4 bits in the low bits of one <see cref="byte"/>.</summary>
    Float4E2M1Fn,
}
