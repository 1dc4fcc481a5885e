using System.Numerics;
using Zarr.Storage;

namespace Zarr.Cli;

/// <summary>Work on an array whose numeric element type is chosen at run time by <see cref="NumericDispatch"/>.</summary>
internal interface INumericWork<TResult>
{
    /// <summary>Does the work on the typed array.</summary>
    Task<TResult> RunAsync<T>(ZarrArray<T> array) where T : unmanaged, INumber<T>;
}

/// <summary>
/// The engine's lazy arrays need an element type that is a number (<c>T : unmanaged, INumber&lt;T&gt;</c>); an array
/// opened from a path has its type only at run time. The data type's visitor turns it into the type argument.
/// </summary>
internal static class NumericDispatch
{
    /// <summary>Runs <paramref name="work"/> on the array as its element type, or returns null when that is not a real number type.</summary>
    public static Task<TResult>? TryRun<TResult>(ZarrArray array, INumericWork<TResult> work)
    {
        ArgumentNullException.ThrowIfNull(array);
        ArgumentNullException.ThrowIfNull(work);
        return array.DataType.Accept(new Runner<TResult>(array, work));
    }

    private sealed class Runner<TResult>(ZarrArray array, INumericWork<TResult> work) : ZarrDataTypeVisitor<Task<TResult>?>
    {
        public override Task<TResult>? VisitNumber<T>() => work.RunAsync(array.As<T>());

        protected override Task<TResult>? VisitDefault(ZarrDataType dataType) => null;
    }
}
