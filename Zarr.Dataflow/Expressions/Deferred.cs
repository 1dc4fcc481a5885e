using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;

namespace Zarr.Dataflow;

/// <summary>An input of an expression that is computed whole before the run that needs it (a reduction used as an array).</summary>
internal interface IDeferredInput
{
    /// <summary>Computes the values (a T[] in C order) with the run's options.</summary>
    Task<Array> ComputeAsync(PipelineOptions options, CancellationToken cancellationToken);
}

/// <summary>The computed values of a run's deferred inputs, by input.</summary>
internal sealed class DeferredValues
{
    private readonly Dictionary<IDeferredInput, Array> _values = new(ReferenceEqualityComparer.Instance);

    /// <summary>The placeholder of a shared pass's input that <see cref="ChunkRegion"/> and <see cref="ChunkBytes"/> stand for, if any.</summary>
    public object? ChunkInput { get; private init; }

    /// <summary>The region of the chunk the pass is on.</summary>
    public ChunkRegion? ChunkRegion { get; private init; }

    /// <summary>The chunk's elements (dense region layout).</summary>
    public Memory<byte> ChunkBytes { get; private init; }

    /// <summary>Values that replace <paramref name="input"/> by one chunk of it: the chunk a shared pass is on.</summary>
    public static DeferredValues ForChunk(object input, ChunkRegion region, Memory<byte> bytes) => new() { ChunkInput = input, ChunkRegion = region, ChunkBytes = bytes };

    public void Add(IDeferredInput input, Array values) => _values.Add(input, values);

    public bool Contains(IDeferredInput input) => _values.ContainsKey(input);

    public TX[] Of<TX>(IDeferredInput input) => (TX[])_values[input];

    /// <summary>
    /// <paramref name="node"/> with its deferred inputs computed first: each once, in the order found, with the run's
    /// options (a deferred input's own deferred inputs are computed by its run). A node without them is returned as is.
    /// </summary>
    public static async ValueTask<LazyNode<T>> BindAsync<T>(LazyNode<T> node, PipelineOptions options, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var found = new List<IDeferredInput>();
        node.CollectDeferred(found);
        if (found.Count == 0)
        {
            return node;
        }

        var values = new DeferredValues();
        foreach (var input in found)
        {
            if (!values.Contains(input))
            {
                values.Add(input, await input.ComputeAsync(options, cancellationToken).ConfigureAwait(false));
            }
        }

        return node.Bind(values);
    }
}

/// <summary>
/// A reduction's result used as an array (<see cref="LazyReduction{TOut}.AsArray"/>): its shape is the result's, with
/// the reduced axes kept as length 1 when asked (numpy's <c>keepdims</c>), so it broadcasts against its source. It is
/// small by construction, so a run computes it whole, in memory, before streaming the expression that uses it.
/// </summary>
internal sealed class DeferredNode<T>(ReductionRunner<T> runner, long[] shape) : LazyNode<T>(shape, WholeChunks(shape)), IDeferredInput
    where T : unmanaged
{
    public override ZarrArray<T>? Primary => null;

    public override int StoredBytesPerElement => 0;

    public static int[] WholeChunks(long[] shape) => [.. shape.Select(s => (int)Math.Clamp(s, 1, int.MaxValue))];

    public override void CollectDeferred(List<IDeferredInput> into) => into.Add(this);

    public override LazyNode<T> Bind(DeferredValues values) => new ConstantNode<T>(Shape, values.Of<T>(this));

    public override ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("a reduction used as an array is evaluated only after the planner has computed it");

    public async Task<Array> ComputeAsync(PipelineOptions options, CancellationToken cancellationToken)
    {
        var resultShape = runner.Shape;
        var size = resultShape.Aggregate(1L, (a, b) => a * b);
        if (size > Array.MaxLength)
        {
            throw new InvalidOperationException($"a reduction of {size} elements used as an array does not fit in memory; store it and use the stored array");
        }

        var result = new T[size];
        await runner.RunAsync(
            (start, boxShape, values, _) =>
            {
                Boxes.Scatter<T>(values, boxShape, result, resultShape, start);
                return ValueTask.FromResult(0L);
            },
            options,
            cancellationToken).ConfigureAwait(false);
        return result;
    }
}

/// <summary>Values held in memory (C order) as a lazy array; a region is gathered from them.</summary>
internal sealed class ConstantNode<T>(long[] shape, T[] values) : LazyNode<T>(shape, DeferredNode<T>.WholeChunks(shape)) where T : unmanaged
{
    public override ZarrArray<T>? Primary => null;

    public override int StoredBytesPerElement => 0;

    public override ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken)
    {
        Gather(region, MemoryMarshal.Cast<byte, T>(destination.Span)[..(int)region.ElementCount]);
        return ValueTask.CompletedTask;
    }

    private void Gather(ChunkRegion region, Span<T> output)
    {
        var rank = Shape.Length;
        if (output.IsEmpty)
        {
            return;
        }

        if (rank == 0)
        {
            output[0] = values[0];
            return;
        }

        var rowLength = region.Shape[rank - 1];
        var rows = output.Length / rowLength;
        Span<int> index = stackalloc int[rank];
        index.Clear();
        for (var r = 0; r < rows; r++)
        {
            long offset = 0;
            for (var d = 0; d < rank; d++)
            {
                offset = (offset * Shape[d]) + region.Start[d] + index[d];
            }

            values.AsSpan((int)offset, rowLength).CopyTo(output.Slice(r * rowLength, rowLength));
            for (var d = rank - 2; d >= 0; d--)
            {
                if (++index[d] < region.Shape[d])
                {
                    break;
                }

                index[d] = 0;
            }
        }
    }
}
