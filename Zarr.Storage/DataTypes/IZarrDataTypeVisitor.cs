using System.Numerics;

namespace Zarr.Storage;

/// <summary>
/// Work that depends on an array's element type, chosen once by <see cref="ZarrDataType.Accept{TResult}(IZarrDataTypeVisitor{TResult})"/>
/// (as Apache Arrow's <c>IArrowTypeVisitor</c>): the numeric types arrive as a type argument, so the work is written
/// once as a generic method that the JIT specialises per type, instead of a switch over <see cref="DataTypeKind"/>
/// copied at every call site. Every kind has its own method, so adding a kind is a compile error in each visitor, not
/// a silent fall-through. Derive from <see cref="ZarrDataTypeVisitor{TResult}"/> to handle a few kinds and send the
/// rest to one default.
/// </summary>
/// <typeparam name="TResult">What the work gives.</typeparam>
public interface IZarrDataTypeVisitor<out TResult>
{
    /// <summary><c>bool</c>: elements are <see cref="bool"/> (one byte, 0 or 1; not a number type in .NET).</summary>
    TResult VisitBool();

    /// <summary>
    /// A real number type: int8..int64 (<see cref="sbyte"/>, <see cref="short"/>, <see cref="int"/>, <see cref="long"/>),
    /// uint8..uint64 (<see cref="byte"/>, <see cref="ushort"/>, <see cref="uint"/>, <see cref="ulong"/>) or
    /// float16/32/64 (<see cref="Half"/>, <see cref="float"/>, <see cref="double"/>).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    TResult VisitNumber<T>() where T : unmanaged, INumber<T>;

    /// <summary><c>complex64</c>: elements are <see cref="Zarr.Storage.Complex64"/> (two float32; no arithmetic of its own).</summary>
    TResult VisitComplex64();

    /// <summary><c>complex128</c>: elements are <see cref="Complex"/> (two float64).</summary>
    TResult VisitComplex128();

    /// <summary><c>numpy.datetime64</c> of any unit: elements are <see cref="Zarr.Storage.DateTime64"/>.</summary>
    /// <param name="dataType">The type, with its unit and scale.</param>
    TResult VisitDateTime64(ZarrDataType dataType);

    /// <summary><c>numpy.timedelta64</c> of any unit: elements are <see cref="Zarr.Storage.TimeDelta64"/>.</summary>
    /// <param name="dataType">The type, with its unit and scale.</param>
    TResult VisitTimeDelta64(ZarrDataType dataType);

    /// <summary>Fixed-length byte strings (<c>null_terminated_bytes</c>, numpy <c>|S n</c>).</summary>
    /// <param name="dataType">The type, with its <see cref="ZarrDataType.Length"/>.</param>
    TResult VisitFixedBytes(ZarrDataType dataType);

    /// <summary>Fixed-length UTF-32 strings (<c>fixed_length_utf32</c>, numpy <c>&lt;U n</c>).</summary>
    /// <param name="dataType">The type, with its <see cref="ZarrDataType.Length"/>.</param>
    TResult VisitFixedUnicode(ZarrDataType dataType);

    /// <summary>A structured (record) type.</summary>
    /// <param name="dataType">The type, with its <see cref="ZarrDataType.Fields"/>.</param>
    TResult VisitStructured(ZarrDataType dataType);

    /// <summary>Variable-length UTF-8 strings (<see cref="ZarrDataType.String"/>), read and written through <see cref="ZarrStringArray"/>.</summary>
    TResult VisitString();

    /// <summary>
    /// <c>bfloat16</c>: elements are <see cref="Zarr.Storage.BFloat16"/> (no arithmetic of its own; convert to float).
    /// The sub-byte integers int2/int4 and uint2/uint4 arrive at <see cref="VisitNumber{T}"/> as <see cref="sbyte"/> and <see cref="byte"/>.
    /// </summary>
    TResult VisitBFloat16();

    /// <summary>
    /// A float8/float6/float4 type: elements are their bits, one <see cref="byte"/> each; convert with the type's
    /// <see cref="ZarrDataType.MiniFloat"/> (no arithmetic of its own).
    /// </summary>
    /// <param name="dataType">The type, with its <see cref="ZarrDataType.MiniFloat"/>.</param>
    TResult VisitMiniFloat(ZarrDataType dataType);
}

/// <summary>
/// A data-type visitor whose every method falls back to <see cref="VisitDefault"/>: override the kinds the work
/// handles (usually <see cref="VisitNumber{T}"/>) and say once what the others give (usually an exception naming the type).
/// </summary>
/// <typeparam name="TResult">What the work gives.</typeparam>
public abstract class ZarrDataTypeVisitor<TResult> : IZarrDataTypeVisitor<TResult>
{
    /// <summary>What every kind not overridden gives.</summary>
    /// <param name="dataType">The type visited.</param>
    protected abstract TResult VisitDefault(ZarrDataType dataType);

    /// <inheritdoc />
    public virtual TResult VisitBool() => VisitDefault(ZarrDataType.Bool);

    /// <inheritdoc />
    public virtual TResult VisitNumber<T>() where T : unmanaged, INumber<T> => VisitDefault(ZarrDataType.Of<T>());

    /// <inheritdoc />
    public virtual TResult VisitComplex64() => VisitDefault(ZarrDataType.Complex64);

    /// <inheritdoc />
    public virtual TResult VisitComplex128() => VisitDefault(ZarrDataType.Complex128);

    /// <inheritdoc />
    public virtual TResult VisitDateTime64(ZarrDataType dataType) => VisitDefault(dataType);

    /// <inheritdoc />
    public virtual TResult VisitTimeDelta64(ZarrDataType dataType) => VisitDefault(dataType);

    /// <inheritdoc />
    public virtual TResult VisitFixedBytes(ZarrDataType dataType) => VisitDefault(dataType);

    /// <inheritdoc />
    public virtual TResult VisitFixedUnicode(ZarrDataType dataType) => VisitDefault(dataType);

    /// <inheritdoc />
    public virtual TResult VisitStructured(ZarrDataType dataType) => VisitDefault(dataType);

    /// <inheritdoc />
    public virtual TResult VisitString() => VisitDefault(ZarrDataType.String);

    /// <inheritdoc />
    public virtual TResult VisitBFloat16() => VisitDefault(ZarrDataType.BFloat16);

    /// <inheritdoc />
    public virtual TResult VisitMiniFloat(ZarrDataType dataType) => VisitDefault(dataType);
}
