using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Zarr.Storage;

/// <summary>
/// The element moves of gather/scatter selections: a strided run, or a list of positions inside a chunk paired with
/// positions in the selection's buffer. Elements are moved by their size (1, 2, 4, 8, 16 bytes as one load and store,
/// any other size as a block copy), with no allocation and no delegate per element. A side whose step is 0 repeats one
/// element, which turns a copy into a fill.
/// </summary>
internal static class ElementCopy
{
    /// <summary>Copies <paramref name="count"/> elements <paramref name="srcStep"/> bytes apart to elements <paramref name="dstStep"/> bytes apart.</summary>
    public static void Strided(ref byte src, nint srcStep, ref byte dst, nint dstStep, long count, int itemSize)
    {
        if (count <= 0)
        {
            return;
        }

        // The same kernels as the strided block copies of basic selections.
        if (srcStep == itemSize && dstStep == itemSize)
        {
            StridedCopy.CopyBlock(ref dst, ref src, count * itemSize);
        }
        else
        {
            StridedCopy.CopyElements(ref src, srcStep, ref dst, dstStep, count, itemSize);
        }
    }

    /// <summary>
    /// Moves element <c>k</c> between chunk position <c>chunkIndex[k] * chunkStride</c> and selection position
    /// <c>selectionIndex[k] * selectionStride</c> (byte offsets from the two references), in the order given, so that
    /// when one position is written twice the later entry wins.
    /// </summary>
    /// <param name="chunk">The chunk side.</param>
    /// <param name="chunkStride">Bytes per chunk index step (0: the chunk side is one repeated element).</param>
    /// <param name="chunkIndex">The positions inside the chunk.</param>
    /// <param name="selection">The selection side.</param>
    /// <param name="selectionStride">Bytes per selection index step (0: the selection side is one repeated element).</param>
    /// <param name="selectionIndex">The positions in the selection, as many as <paramref name="chunkIndex"/>.</param>
    /// <param name="toChunk">True to copy selection → chunk (a write), false to copy chunk → selection (a read).</param>
    /// <param name="itemSize">The element size in bytes.</param>
    public static void Indexed(ref byte chunk, nint chunkStride, ReadOnlySpan<int> chunkIndex, ref byte selection, nint selectionStride, ReadOnlySpan<long> selectionIndex, bool toChunk, int itemSize)
    {
        switch (itemSize)
        {
            case 1:
                Indexed<byte>(ref chunk, chunkStride, chunkIndex, ref selection, selectionStride, selectionIndex, toChunk);
                return;
            case 2:
                Indexed<ushort>(ref chunk, chunkStride, chunkIndex, ref selection, selectionStride, selectionIndex, toChunk);
                return;
            case 4:
                Indexed<uint>(ref chunk, chunkStride, chunkIndex, ref selection, selectionStride, selectionIndex, toChunk);
                return;
            case 8:
                Indexed<ulong>(ref chunk, chunkStride, chunkIndex, ref selection, selectionStride, selectionIndex, toChunk);
                return;
            case 16:
                Indexed<UInt128>(ref chunk, chunkStride, chunkIndex, ref selection, selectionStride, selectionIndex, toChunk);
                return;
            default:
                for (var k = 0; k < chunkIndex.Length; k++)
                {
                    ref var c = ref Unsafe.AddByteOffset(ref chunk, chunkIndex[k] * chunkStride);
                    ref var s = ref Unsafe.AddByteOffset(ref selection, (nint)selectionIndex[k] * selectionStride);
                    if (toChunk)
                    {
                        Unsafe.CopyBlockUnaligned(ref c, ref s, (uint)itemSize);
                    }
                    else
                    {
                        Unsafe.CopyBlockUnaligned(ref s, ref c, (uint)itemSize);
                    }
                }

                return;
        }
    }

    /// <summary>A span of one element at <paramref name="item"/>, for fills.</summary>
    public static ReadOnlySpan<byte> Item(ref byte item, int itemSize) => MemoryMarshal.CreateReadOnlySpan(ref item, itemSize);

    private static void Indexed<TItem>(ref byte chunk, nint chunkStride, ReadOnlySpan<int> chunkIndex, ref byte selection, nint selectionStride, ReadOnlySpan<long> selectionIndex, bool toChunk)
        where TItem : unmanaged
    {
        if (selectionIndex.Length != chunkIndex.Length)
        {
            throw new ArgumentException("the index lists differ in length", nameof(selectionIndex));
        }

        if (toChunk)
        {
            for (var k = 0; k < chunkIndex.Length; k++)
            {
                Unsafe.WriteUnaligned(
                    ref Unsafe.AddByteOffset(ref chunk, chunkIndex[k] * chunkStride),
                    Unsafe.ReadUnaligned<TItem>(ref Unsafe.AddByteOffset(ref selection, (nint)selectionIndex[k] * selectionStride)));
            }
        }
        else
        {
            for (var k = 0; k < chunkIndex.Length; k++)
            {
                Unsafe.WriteUnaligned(
                    ref Unsafe.AddByteOffset(ref selection, (nint)selectionIndex[k] * selectionStride),
                    Unsafe.ReadUnaligned<TItem>(ref Unsafe.AddByteOffset(ref chunk, chunkIndex[k] * chunkStride)));
            }
        }
    }
}
