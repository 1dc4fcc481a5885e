using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Zarr.Storage.Codecs;

namespace Zarr.Storage.Chunks;

/// <summary>
/// The scatter of a shard decoded inner chunk by inner chunk: each inner chunk the sharding codec hands over
/// (<see cref="IInnerChunkSink"/>) goes straight to the plan's copy-out of that box of the chunk
/// (<see cref="IChunkPlan{TChunk}.CopyOutBox"/>) while it is still in cache. Holds no state that changes, so inner
/// chunks decoded in parallel copy out at the same time (their boxes are disjoint).
/// </summary>
/// <remarks>The destination stays typed: a result of 2 GiB or more has no byte-typed <see cref="Memory{T}"/>.</remarks>
internal readonly struct BoxScatter<TChunk, TElement> : IInnerChunkSink
    where TElement : unmanaged
{
    private readonly IChunkPlan<TChunk> _plan;
    private readonly TChunk _chunk;
    private readonly Memory<TElement> _destination;
    private readonly int _itemSize;
    private readonly bool _streaming;

    /// <param name="plan">The selection's plan.</param>
    /// <param name="chunk">The chunk (the shard) being decoded.</param>
    /// <param name="destination">The selection's buffer.</param>
    /// <param name="itemSize">The element size in bytes.</param>
    /// <param name="streaming">Write the buffer with streaming stores where the plan can.</param>
    public BoxScatter(IChunkPlan<TChunk> plan, TChunk chunk, Memory<TElement> destination, int itemSize, bool streaming)
    {
        _plan = plan;
        _chunk = chunk;
        _destination = destination;
        _itemSize = itemSize;
        _streaming = streaming;
    }

    /// <inheritdoc />
    public void Accept(ReadOnlySpan<int> start, ReadOnlySpan<int> shape, ReadOnlySpan<byte> decoded, bool missing) =>
        _plan.CopyOutBox(_chunk, decoded, missing, start, shape, ref Unsafe.As<TElement, byte>(ref MemoryMarshal.GetReference(_destination.Span)), _itemSize, _streaming);
}
