using System.Numerics;
using Zarr.Storage;
using Zarr.Storage.DataTypes;

namespace Zarr.Cli;

/// <summary>Work on an array whose numeric element type is chosen at run time by <see cref="NumericDispatch"/>.</summary>
internal interface INumericWork<TResult>
{
    /// <summary>Does the work on the typed array.</summary>
    Task<TResult> RunAsync<T>(ZarrArray<T> array) where T : unmanaged, INumber<T>;
}

/// <summary>
/// The engine's lazy arrays need an element type that is a number (<c>T : unmanaged, INumber&lt;T&gt;</c>); an array
/// opened from a path has its type only at run time. This dispatches on <see cref="ZarrDataType.Kind"/> to a generic method.
/// </summary>
internal static class NumericDispatch
{
    /// <summary>True when the engine can compute over the type (every real numeric type; not bool, complex or others).</summary>
    public static bool IsNumeric(ZarrDataType dataType)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        return dataType.Kind is DataTypeKind.Int8 or DataTypeKind.Int16 or DataTypeKind.Int32 or DataTypeKind.Int64
            or DataTypeKind.UInt8 or DataTypeKind.UInt16 or DataTypeKind.UInt32 or DataTypeKind.UInt64
            or DataTypeKind.Float16 or DataTypeKind.Float32 or DataTypeKind.Float64;
    }

    /// <summary>Runs <paramref name="work"/> on the array as its element type, or returns null when that is not a real number type.</summary>
    public static Task<TResult>? TryRun<TResult>(ZarrArray array, INumericWork<TResult> work)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(work);
        return array.DataType.Kind switch
        {
            DataTypeKind.Int8 => work.RunAsync(array.As<sbyte>()),
            DataTypeKind.Int16 => work.RunAsync(array.As<short>()),
            DataTypeKind.Int32 => work.RunAsync(array.As<int>()),
            DataTypeKind.Int64 => work.RunAsync(array.As<long>()),
            DataTypeKind.UInt8 => work.RunAsync(array.As<byte>()),
            DataTypeKind.UInt16 => work.RunAsync(array.As<ushort>()),
            DataTypeKind.UInt32 => work.RunAsync(array.As<uint>()),
            DataTypeKind.UInt64 => work.RunAsync(array.As<ulong>()),
            DataTypeKind.Float16 => work.RunAsync(array.As<Half>()),
            DataTypeKind.Float32 => work.RunAsync(array.As<float>()),
            DataTypeKind.Float64 => work.RunAsync(array.As<double>()),
            _ => null,
        };
    }
}
