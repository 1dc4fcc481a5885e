using System.Runtime.InteropServices;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;

namespace Zarr.Dataflow;

/// <summary>One member of a shared pass (a reduction, a stored map): it gets every chunk of the pass's input and returns the bytes it wrote.</summary>
internal abstract class PassConsumer
{
    /// <summary>Consumes one chunk of the input; <paramref name="input"/> stands the chunk in for the pass's placeholder.</summary>
    public abstract ValueTask<long> ConsumeAsync(DecodedChunk chunk, DeferredValues input, CancellationToken cancellationToken);
}

/// <summary>
/// The input of a <see cref="ComputeSet{T}"/> as its members see it: a placeholder of the input's shape and chunks that,
/// during the pass, each member's expression binds to the chunk being computed (<see cref="ChunkValuesNode{T}"/>).
/// </summary>
internal sealed class PassInputNode<T>(long[] shape, int[] chunks) : LazyNode<T>(shape, chunks) where T : unmanaged
{
    public override ZarrArray<T>? Primary => null;

    public override int StoredBytesPerElement => 0;

    public override LazyNode<T> Bind(DeferredValues values) =>
        ReferenceEquals(values.ChunkInput, this) ? new ChunkValuesNode<T>(Shape, Chunks, values.ChunkRegion!, values.ChunkBytes) : this;

    public override ValueTask EvaluateAsync(ChunkRegion region, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("an expression over a compute set's input is computed only by the set's pass (a member cannot use another reduction of the input as an array: that needs a pass of its own)");
}

/// <summary>One chunk of a shared pass's input: evaluating its region copies the chunk's elements; any other region is refused.</summary>
internal sealed class ChunkValuesNode<T>(long[] shape, int[] chunks, ChunkRegion region, Memory<byte> bytes) : LazyNode<T>(shape, chunks) where T : unmanaged
{
    public override ZarrArray<T>? Primary => null;

    public override int StoredBytesPerElement => 0;

    /// <summary>The chunk's elements.</summary>
    public ReadOnlySpan<T> Values => MemoryMarshal.Cast<byte, T>(bytes.Span)[..(int)region.ElementCount];

    public override ValueTask EvaluateAsync(ChunkRegion asked, Memory<byte> destination, bool primaryLoaded, CancellationToken cancellationToken)
    {
        if (!asked.Start.SequenceEqual(region.Start) || !asked.Shape.SequenceEqual(region.Shape))
        {
            throw new InvalidOperationException($"a member of a compute set read its input at {asked}, outside the chunk {region} the pass is on: members must be element-wise over the input (no slices, rechunks or broadcasts of it)");
        }

        bytes[..destination.Length].CopyTo(destination);
        return ValueTask.CompletedTask;
    }
}
