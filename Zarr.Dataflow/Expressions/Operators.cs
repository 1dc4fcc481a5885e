using System.Numerics;
using Zarr.Dataflow.Blocks;

namespace Zarr.Dataflow;

/// <summary>
/// An element-wise operator with a scalar and a vector path, passed to <see cref="LazyArray{T}.Map{TOp}(in TOp)"/> as a
/// struct so the JIT specialises the loop for it: no delegate call per element.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public interface IElementOperator<T> where T : unmanaged
{
    /// <summary>The operator applied to one element (the tail, and types without SIMD support).</summary>
    T Invoke(T value);

    /// <summary>The operator applied to a vector of elements.</summary>
    Vector<T> Invoke(Vector<T> values);
}

/// <summary>Generates the elements of a region of a generated array (see <see cref="Lazy.Generate{T}"/>).</summary>
/// <typeparam name="T">The element type.</typeparam>
/// <param name="region">The region, which may be any box inside the array (not only a chunk).</param>
/// <param name="destination">The region's elements, C order, dense.</param>
public delegate void RegionGenerator<T>(ChunkRegion region, Span<T> destination);

/// <summary>A function over a whole chunk's elements (dense region layout) with the region it covers, changing them in place.</summary>
/// <typeparam name="T">The element type.</typeparam>
/// <param name="region">The region.</param>
/// <param name="values">The region's elements, C order, dense.</param>
public delegate void ChunkFunction<T>(ChunkRegion region, Span<T> values);

/// <summary>
/// Computes a chunk from its padded block (<see cref="LazyArray{T}.MapOverlap"/>): <paramref name="block"/> is the
/// chunk's region grown by the halo on every side (dense, C order, of <paramref name="blockShape"/>); the function
/// writes the region's values (dense, of the region's shape) into <paramref name="output"/>.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
/// <param name="block">The padded block, C order, dense.</param>
/// <param name="blockShape">The padded block's shape: the region's plus twice the halo on each axis.</param>
/// <param name="output">The region's values to write, C order, dense.</param>
/// <param name="region">The region of the array being computed.</param>
public delegate void OverlapFunction<T>(ReadOnlySpan<T> block, ReadOnlySpan<int> blockShape, Span<T> output, ChunkRegion region);

/// <summary>Combines two chunks of the same region element by element, writing the result over <paramref name="left"/>.</summary>
/// <typeparam name="T">The element type.</typeparam>
/// <param name="left">The first array's elements (C order, dense), overwritten by the result.</param>
/// <param name="right">The second array's elements for the same region.</param>
public delegate void ZipFunction<T>(Span<T> left, ReadOnlySpan<T> right);

internal delegate void SpanBinary<T>(Span<T> left, ReadOnlySpan<T> right);

internal delegate void SpanConverter<TIn, TOut>(ReadOnlySpan<TIn> source, Span<TOut> destination);

/// <summary>Runs struct operators over spans: vector loop, then scalar tail.</summary>
internal static class OperatorKernel
{
    public static void Apply<T, TOp>(Span<T> values, in TOp op)
        where T : unmanaged
        where TOp : struct, IElementOperator<T>
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported && values.Length >= Vector<T>.Count)
        {
            var last = values.Length - Vector<T>.Count;
            for (; i <= last; i += Vector<T>.Count)
            {
                var v = new Vector<T>(values[i..]);
                op.Invoke(v).CopyTo(values[i..]);
            }
        }

        for (; i < values.Length; i++)
        {
            values[i] = op.Invoke(values[i]);
        }
    }
}

/// <summary>A type-changing element operator, specialised by the JIT (no delegate call per element).</summary>
internal interface IConvertOperator<TIn, TOut>
{
    TOut Invoke(TIn value);
}

internal enum Comparison
{
    Greater,
    GreaterOrEqual,
    Less,
    LessOrEqual,
    Equal,
    NotEqual,
}

internal readonly struct CompareOp<T>(T value, Comparison comparison) : IConvertOperator<T, bool> where T : INumber<T>
{
    public bool Invoke(T x) => comparison switch
    {
        Comparison.Greater => x > value,
        Comparison.GreaterOrEqual => x >= value,
        Comparison.Less => x < value,
        Comparison.LessOrEqual => x <= value,
        Comparison.Equal => x == value,
        _ => x != value,
    };
}

internal readonly struct IsNaNOp<T> : IConvertOperator<T, bool> where T : INumberBase<T>
{
    public bool Invoke(T x) => T.IsNaN(x);
}
