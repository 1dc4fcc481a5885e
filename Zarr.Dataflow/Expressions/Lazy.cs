using Zarr.Storage;
using Zarr.Storage.Indexing;

namespace Zarr.Dataflow.Expressions;

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
}
