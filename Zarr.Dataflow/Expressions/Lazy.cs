using System.Numerics;
using Zarr.Storage;

namespace Zarr.Dataflow;

/// <summary>Sources of lazy arrays.</summary>
public static class Lazy
{
    /// <summary>A lazy view of a stored array, on the array's own chunk grid. Nothing is read until a result is asked for.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="array"/> is null.</exception>
    public static LazyArray<T> From<T>(ZarrArray<T> array) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(array);
        return new LazyArray<T>(new SourceNode<T>(array));
    }

    /// <summary>
    /// A lazy view of a region of a stored array: numpy's <c>array[selection]</c> for a basic selection (ranges with
    /// positive steps, negative bounds from the end, indices that drop their dimension; see <see cref="LazyArray{T}.Slice"/>).
    /// The region is read inside the pipeline, asynchronously; nothing is read until a result is asked for.
    /// </summary>
    /// <exception cref="ArgumentException">More slices than the array has dimensions.</exception>
    /// <exception cref="ZarrSelectionException">An index is out of bounds.</exception>
    public static LazyArray<T> From<T>(ZarrArray<T> array, params Slice[] selection) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(selection);
        return From(array).Slice(selection);
    }

    /// <summary>
    /// A lazy view of a stored array whose element type is known only at run time (opened with
    /// <see cref="ZarrArray.OpenAsync(Zarr.Storage.IStore, string, AccessMode, CancellationToken)"/>): a
    /// <see cref="LazyArray{T}"/> of the array's element type, chosen by its <see cref="ZarrArray.DataType"/>, behind
    /// the untyped <see cref="LazyArray"/>. Slice it, store it and reduce it (<see cref="LazyArrayUntypedReductions"/>)
    /// without naming the type; cast it to the typed array for the rest of the API. Nothing is read until a result is asked for.
    /// </summary>
    /// <example>
    /// <code>
    /// var array = await ZarrArray.OpenAsync(store, "temperature");
    /// var sum = await Lazy.From(array).SumAsync();      // numpy's type: int64, uint64, float64 or complex128
    /// if (Lazy.From(array) is LazyArray&lt;float&gt; typed) { var mean = await typed.MeanAsync(); }
    /// </code>
    /// </example>
    /// <exception cref="ArgumentNullException"><paramref name="array"/> is null.</exception>
    /// <exception cref="NotSupportedException">The elements are strings or records (fixed-length or variable-length strings, structured types), which the engine does not compute on.</exception>
    public static LazyArray From(ZarrArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        return array.DataType.Accept(new StoredArray(array));
    }

    /// <summary>A lazy view of a region of a stored array whose element type is known only at run time (see <see cref="From(ZarrArray)"/> and <see cref="From{T}(ZarrArray{T}, Slice[])"/>).</summary>
    /// <exception cref="ArgumentException">More slices than the array has dimensions.</exception>
    /// <exception cref="ZarrSelectionException">An index is out of bounds.</exception>
    /// <exception cref="NotSupportedException">The elements are strings or records.</exception>
    public static LazyArray From(ZarrArray array, params Slice[] selection)
    {
        ArgumentNullException.ThrowIfNull(selection);
        return From(array).Slice(selection);
    }

    /// <summary>
    /// A generated array: <paramref name="generator"/> fills any region asked for (a chunk, or a region of another grid).
    /// It costs nothing until computed, so tests and benchmarks can run over arrays of any size. The generator may be
    /// called concurrently from several threads.
    /// </summary>
    /// <exception cref="ArgumentException">The shape and chunks do not form a grid, or a chunk exceeds 2 GiB.</exception>
    public static LazyArray<T> Generate<T>(long[] shape, int[] chunks, RegionGenerator<T> generator) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(chunks);
        ArgumentNullException.ThrowIfNull(generator);
        LazyArray<T>.ValidateChunks(shape, chunks);
        return new LazyArray<T>(new GenerateNode<T>((long[])shape.Clone(), (int[])chunks.Clone(), generator));
    }

    /// <summary>The typed lazy array of a stored array's element type.</summary>
    private sealed class StoredArray(ZarrArray array) : ZarrDataTypeVisitor<LazyArray>
    {
        public override LazyArray VisitBool() => From(array.As<bool>());

        public override LazyArray VisitNumber<T>() => From(array.As<T>());

        public override LazyArray VisitComplex64() => From(array.As<Complex64>());

        public override LazyArray VisitComplex128() => From(array.As<Complex>());

        public override LazyArray VisitDateTime64(ZarrDataType dataType) => From(array.As<DateTime64>());

        public override LazyArray VisitTimeDelta64(ZarrDataType dataType) => From(array.As<TimeDelta64>());

        protected override LazyArray VisitDefault(ZarrDataType dataType) =>
            throw new NotSupportedException($"the array at '{array.Path}' holds {dataType}; the engine computes on numbers, booleans, complex numbers and dates (read it with ZarrArray, or ZarrStringArray for strings)");
    }
}
