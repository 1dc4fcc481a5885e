using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Storage.Buffers;
using Zarr.Storage.Chunks;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>The one read loop and the one write loop over a selection's chunks, and the byte-level entry points.</summary>
public partial class ZarrArray
{
    /// <summary>Reads of at least this many bytes (more than a server's last-level cache) write their result with streaming stores.</summary>
    private const long StreamingReadBytes = 64L << 20;

    /// <summary>
    /// Reads a selection (basic or advanced) into <paramref name="destination"/> (C order, exactly the plan's element
    /// count): each chunk touched is fetched and decoded (only the region the selection needs, where the chain can) and
    /// its selected elements copied out, the fill value for a missing chunk; at most <paramref name="maxConcurrency"/>
    /// chunks at once, the codecs of each using at most <paramref name="codecParallelism"/> threads (0: their choice).
    /// </summary>
    private protected async Task ReadChunksAsync<TChunk, TElement>(IChunkPlan<TChunk> plan, Memory<TElement> destination, int maxConcurrency, int codecParallelism, CancellationToken cancellationToken)
        where TElement : unmanaged
    {
        var itemSize = DataType.ItemSize;
        var needed = checked(plan.ElementCount * itemSize);
        if ((long)destination.Length * Unsafe.SizeOf<TElement>() != needed)
        {
            throw new ZarrSelectionException($"the destination holds {destination.Length} elements but the selection of shape ({string.Join(", ", plan.OutputShape)}) has {plan.ElementCount}");
        }

        // A result larger than any cache is written with streaming stores (see StridedCopy.Copy).
        var streaming = needed >= StreamingReadBytes;
        await ChunkLoop.RunAsync(plan, maxConcurrency, async (chunk, ct) =>
        {
            var io = _state.Current.ChunkIO;
            var coordinates = plan.CoordinatesOf(chunk);
            if (io.Grid.IsFullShape(coordinates) && plan.IsContiguousWholeChunk(chunk, io.Grid.ChunkShape.AsSpan(), out var elementOffset))
            {
                // The chunk is one run of the destination: decoded straight into it, with no buffer of its own to copy out of.
                using var encoded = await io.FetchAsync(coordinates, ct).ConfigureAwait(false);
                var run = MemoryMarshal.AsBytes(RunOf(destination, elementOffset, io.ByteLength / itemSize, itemSize).Span);
                if (encoded is null)
                {
                    io.DecodeMissing(run);
                }
                else
                {
                    io.Decode(encoded.Span, coordinates, run, codecParallelism);
                }

                return;
            }

            if (io.DecodesSliced && plan.CopiesOutSlices && io.Grid.IsFullShape(coordinates))
            {
                // Decoded a window at a time, each window scattered into the destination while it is in cache.
                using var encoded = await io.FetchAsync(coordinates, ct).ConfigureAwait(false);
                if (encoded is null)
                {
                    CopyOut(plan, chunk, io, null, io.ChunkStrides, destination, streaming);
                }
                else
                {
                    ScatterSliced(plan, chunk, io, encoded.Span, coordinates, destination, streaming);
                }

                return;
            }

            var region = io.DecodesPartially && !plan.Covers(chunk) ? plan.Region(chunk) : (ChunkRegion?)null;
            if (plan.CopiesOutBoxes && io.DecodesInnerChunks(coordinates, region))
            {
                // A shard, or the inner chunks of it the selection needs: each inner chunk decoded into a small buffer and
                // copied out while in cache, not through a whole decoded shard.
                var scatter = new BoxScatter<TChunk, TElement>(plan, chunk, destination, itemSize, streaming);
                if (!await io.TryDecodeInnerChunksAsync(coordinates, region, scatter, codecParallelism, ct).ConfigureAwait(false))
                {
                    CopyOut(plan, chunk, io, null, io.ChunkStrides, destination, streaming);
                }

                return;
            }

            if (region is { } part && io.TryGetInnerChunk(coordinates, part, out var innerStart, out var innerShape)
                && plan.IsContiguousBox(chunk, innerStart, innerShape, out var innerOffset))
            {
                // Exactly one inner chunk of a shard, one run of the destination: decoded straight into it.
                var bytes = BytesOfMemory<TElement>.Of(RunOf(destination, innerOffset, Checked.Product<int>(innerShape), itemSize));
                if (!await io.TryDecodeInnerIntoAsync(coordinates, part, bytes, codecParallelism, ct).ConfigureAwait(false))
                {
                    io.DecodeMissing(bytes.Span);
                }

                return;
            }

            var (decoded, strides) = await io.FetchDecodedAsync(coordinates, region, codecParallelism, ct).ConfigureAwait(false);
            using (decoded)
            {
                CopyOut(plan, chunk, io, decoded, strides, destination, streaming);
            }
        }, cancellationToken).ConfigureAwait(false);
    }

    // Copies a chunk's selected elements out, or the fill value where the chunk is missing (null).
    private static void CopyOut<TChunk, TElement>(IChunkPlan<TChunk> plan, TChunk chunk, ChunkIO io, PooledBuffer? decoded, long[] strides, Memory<TElement> destination, bool streaming)
        where TElement : unmanaged
    {
        ref var output = ref Unsafe.As<TElement, byte>(ref MemoryMarshal.GetReference(destination.Span));
        ref var source = ref decoded is null
            ? ref MemoryMarshal.GetReference(io.Metadata.FillValue.AsSpan())
            : ref MemoryMarshal.GetReference(decoded.Span);
        plan.CopyOut(chunk, ref source, decoded is null, strides, ref output, io.Metadata.DataType.ItemSize, streaming);
    }

    /// <summary>
    /// The run of array elements [<paramref name="offset"/>, + <paramref name="count"/>) of the destination, taken on its
    /// own: a destination of 2 GiB and more has no byte span or Memory&lt;byte&gt; as a whole. <typeparamref name="TElement"/>
    /// is the array's element type or <see cref="byte"/> (the byte form), so an element is one or
    /// <paramref name="itemSize"/> of them.
    /// </summary>
    private static Memory<TElement> RunOf<TElement>(Memory<TElement> destination, long offset, long count, int itemSize)
        where TElement : unmanaged
    {
        var scale = itemSize / Unsafe.SizeOf<TElement>();
        return destination.Slice(checked((int)(offset * scale)), checked((int)(count * scale)));
    }

    // Decodes a chunk in slices straight into the selection's elements (ChunkIO.DecodeSliced).
    private static void ScatterSliced<TChunk, TElement>(IChunkPlan<TChunk> plan, TChunk chunk, ChunkIO io, ReadOnlySpan<byte> encoded, long[] coordinates, Memory<TElement> destination, bool streaming)
        where TElement : unmanaged
    {
        var scatter = new SliceScatter<TChunk>(plan, chunk, io, ref Unsafe.As<TElement, byte>(ref MemoryMarshal.GetReference(destination.Span)), streaming);
        io.DecodeSliced(encoded, coordinates, ref scatter);
    }

    /// <summary>
    /// Writes <paramref name="source"/> (C order, exactly the plan's element count) into a selection (basic or
    /// advanced), or broadcasts <paramref name="scalar"/> when it is given: a read-modify-write of each chunk touched
    /// (<see cref="ChunkIO.UpdateAsync{TState}"/>, under the chunk's lock), with the node's lock held shared so no
    /// resize runs meanwhile. A write planned before a shrink that ran in the meantime is clipped to the new shape, as
    /// if it had completed before the resize and been trimmed by it.
    /// </summary>
    private protected async Task WriteChunksAsync<TChunk, TElement>(IChunkPlan<TChunk> plan, ReadOnlyMemory<TElement> source, byte[]? scalar, CancellationToken cancellationToken)
        where TElement : unmanaged
    {
        EnsureWritable();
        var itemSize = DataType.ItemSize;
        if (scalar is null && (long)source.Length * Unsafe.SizeOf<TElement>() != checked(plan.ElementCount * itemSize))
        {
            throw new ZarrSelectionException($"the data holds {source.Length} elements but the selection of shape ({string.Join(", ", plan.OutputShape)}) has {plan.ElementCount}");
        }

        using var writing = await EnterWriteAsync(plan.Grid, cancellationToken).ConfigureAwait(false);
        using var lockFiles = plan.ChunkCount > 1 ? _state.Current.ChunkIO.KeepLocksOpen() : null;
        await ChunkLoop.RunAsync(plan, _state.Parallelism, (chunk, ct) =>
        {
            var io = _state.Current.ChunkIO;
            var coordinates = plan.CoordinatesOf(chunk);
            var clip = ChunkEdges.ShrankSince(plan.Grid, io.Grid);
            if (clip && !io.Grid.Contains(coordinates))
            {
                return ValueTask.CompletedTask;
            }

            var write = new ChunkWrite<TChunk, TElement>(plan, chunk, coordinates, io, source, scalar, clip && !ChunkEdges.IsInterior(io.Grid, coordinates));

            // A chunk on the edge the write was planned for, when the shape changed since, holds elements beyond that
            // edge the plan does not cover (what others wrote since the array grew): it is read, not replaced.
            var covers = plan.Covers(chunk) && (ReferenceEquals(plan.Grid, io.Grid) || ChunkEdges.IsInterior(plan.Grid, coordinates) || plan.Grid.Shape.AsSpan().SequenceEqual(io.Grid.Shape.AsSpan()));
            return io.UpdateAsync(coordinates, covers ? UpdateStart.Overwrite : UpdateStart.Stored, write, static (write, decoded) => write.CopyIn(decoded.Span), codecParallelism: 0, ct);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits for the array's node lock, shared, for a write planned on <paramref name="planned"/>: no resize runs while
    /// it is held, so the shape the write then sees (<see cref="ArrayState.Current"/>) stays until it is done.
    /// </summary>
    /// <exception cref="ZarrException">The chunk shape changed since the write was planned (the array was replaced).</exception>
    internal async ValueTask<AsyncReaderWriterLock.Releaser> EnterWriteAsync(ChunkGrid planned, CancellationToken cancellationToken)
    {
        var writing = await _state.Node.Gate.EnterSharedAsync(cancellationToken).ConfigureAwait(false);
        if (!planned.ChunkShape.AsSpan().SequenceEqual(Grid.ChunkShape.AsSpan()))
        {
            writing.Dispose();
            throw new ZarrException($"array '/{Path}' was replaced by one with chunks ({string.Join(", ", Grid.ChunkShape)}) while this write was planned on chunks ({string.Join(", ", planned.ChunkShape)}); write again");
        }

        return writing;
    }

    /// <summary>Reads a selection as raw little-endian bytes, C order, for arrays whose type is known only at run time.</summary>
    /// <returns>The bytes and the selection's shape.</returns>
    public async Task<(byte[] Data, long[] Shape)> ReadBytesAsync(Slice[] selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ZarrStringArray.ThrowIfVariableLength(this); // dtypes: strings have no byte form (see ZarrStringArray)
        var plan = SelectionPlan.Create(Grid, selection);
        var bytes = checked(plan.ElementCount * DataType.ItemSize);
        if (bytes > Array.MaxLength)
        {
            throw new ZarrSelectionException($"a selection of {Sizes.Human(bytes)} does not fit in one buffer; read it in parts");
        }

        var data = GC.AllocateUninitializedArray<byte>((int)bytes);
        await ReadChunksAsync(plan, data.AsMemory(), _state.Parallelism, codecParallelism: 0, cancellationToken).ConfigureAwait(false);
        return (data, plan.OutputShape);
    }

    /// <summary>
    /// Reads a selection as raw little-endian bytes, C order, into <paramref name="destination"/> (exactly the
    /// selection's size in bytes), which the caller owns: the byte form of <see cref="ZarrArray{T}.ReadIntoAsync(Slice[], Memory{T}, CancellationToken)"/>
    /// for every fixed-size type, those without an unmanaged CLR type (fixed strings, structured types) included.
    /// </summary>
    /// <exception cref="ZarrSelectionException">The selection does not fit the array, or <paramref name="destination"/> is not its size.</exception>
    public Task ReadBytesIntoAsync(Slice[] selection, Memory<byte> destination, CancellationToken cancellationToken = default) =>
        ReadBytesIntoAsync(selection, destination, _state.Parallelism, codecParallelism: 0, cancellationToken);

    /// <summary>
    /// As <see cref="ReadBytesIntoAsync(Slice[], Memory{byte}, CancellationToken)"/>, with at most
    /// <paramref name="maxConcurrency"/> chunks at once, the codecs of each using at most <paramref name="codecParallelism"/>
    /// threads (0: their choice). A pipeline stage owns the concurrency and passes 1 for both: its workers are the only parallelism.
    /// </summary>
    internal Task ReadBytesIntoAsync(Slice[] selection, Memory<byte> destination, int maxConcurrency, int codecParallelism = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentOutOfRangeException.ThrowIfNegative(codecParallelism);
        ZarrStringArray.ThrowIfVariableLength(this); // dtypes: strings have no byte form (see ZarrStringArray)
        return ReadChunksAsync(SelectionPlan.Create(Grid, selection), destination, maxConcurrency, codecParallelism, cancellationToken);
    }

    /// <summary>Writes raw little-endian bytes (C order, the selection's shape) into a selection.</summary>
    public Task WriteBytesAsync(Slice[] selection, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ZarrStringArray.ThrowIfVariableLength(this); // dtypes: strings have no byte form (see ZarrStringArray)
        return WriteChunksAsync(SelectionPlan.Create(Grid, selection), data, null, cancellationToken);
    }

    /// <summary>The copy-in of one chunk of a write: the selection's values (or one value repeated), then, for a write planned before a shrink, the fill value beyond the new edge.</summary>
    private readonly struct ChunkWrite<TChunk, TElement>(IChunkPlan<TChunk> plan, TChunk chunk, long[] coordinates, ChunkIO io, ReadOnlyMemory<TElement> source, byte[]? scalar, bool clip)
        where TElement : unmanaged
    {
        public void CopyIn(Span<byte> decoded)
        {
            ref var input = ref scalar is not null
                ? ref MemoryMarshal.GetArrayDataReference(scalar)
                : ref Unsafe.As<TElement, byte>(ref MemoryMarshal.GetReference(source.Span));
            plan.CopyIn(chunk, ref MemoryMarshal.GetReference(decoded), io.ChunkStrides, ref input, scalar is not null, io.Metadata.DataType.ItemSize);
            if (clip)
            {
                ChunkEdges.FillOutside(decoded, coordinates, io.Grid, io.ChunkStrides, io.Metadata.FillValue.AsSpan());
            }
        }
    }
}
