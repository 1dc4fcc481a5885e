using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

/// <summary>The v3 <c>transpose</c> codec: permutes the chunk's dimensions (v2's order F is the reversed permutation).</summary>
public sealed class TransposeCodec : IArrayToArrayCodec
{
    private const int MaxStackRank = 32;
    private const int Tile = 32;

    private readonly int[] _order;

    /// <summary>Creates the codec for a permutation of 0..rank-1.</summary>
    /// <exception cref="ArgumentException"><paramref name="order"/> is empty or not a permutation of 0..rank-1.</exception>
    public TransposeCodec(int[] order)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!IsPermutation(order))
        {
            throw new ArgumentException($"[{string.Join(", ", order)}] is not a permutation of 0..{order.Length - 1}", nameof(order));
        }

        _order = (int[])order.Clone();
    }

    /// <summary>The permutation: dimension i of the encoded array is dimension <c>Order[i]</c> of the decoded one.</summary>
    public ImmutableArray<int> Order => ImmutableArray.Create(_order);

    /// <inheritdoc />
    public string Name => "transpose";

    /// <summary>The transpose v2's <c>"order": "F"</c> means for an array of <paramref name="rank"/> dimensions: the reversed axes.</summary>
    public static TransposeCodec FortranOrder(int rank)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rank, 1);
        var order = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            order[i] = rank - 1 - i;
        }

        return new TransposeCodec(order);
    }

    /// <summary>True when <paramref name="order"/> is a non-empty permutation of 0..Length-1.</summary>
    public static bool IsPermutation(ReadOnlySpan<int> order)
    {
        if (order.IsEmpty || order.Length > 1024)
        {
            return false;
        }

        Span<bool> seen = stackalloc bool[order.Length];
        foreach (var axis in order)
        {
            if ((uint)axis >= (uint)order.Length || seen[axis])
            {
                return false;
            }

            seen[axis] = true;
        }

        return true;
    }

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    public ChunkSpec GetEncodedSpec(in ChunkSpec decoded)
    {
        CheckRank(decoded);
        var shape = new int[_order.Length];
        for (var i = 0; i < shape.Length; i++)
        {
            shape[i] = decoded.Shape[_order[i]];
        }

        return decoded with { Shape = ImmutableArrays.Own(shape) };
    }

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded, in ChunkSpec decodedSpec) =>
        Permute(decoded, encoded, decodedSpec, encode: true);

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded, in ChunkSpec decodedSpec) =>
        Permute(encoded, decoded, decodedSpec, encode: false);

    private void CheckRank(in ChunkSpec spec)
    {
        if (spec.Shape.Length != _order.Length)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the order [{string.Join(", ", _order)}] has {_order.Length} axes; the chunk has {spec.Shape.Length} (shape ({string.Join(", ", spec.Shape)}))"));
        }
    }

    private void Permute(ReadOnlySpan<byte> source, Span<byte> destination, in ChunkSpec decodedSpec, bool encode)
    {
        CheckRank(decodedSpec);
        var length = decodedSpec.ByteLength;
        if (source.Length != length || destination.Length != length)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the buffers are {source.Length} and {destination.Length} bytes; the chunk is {length}"));
        }

        if (length == 0)
        {
            return;
        }

        var rank = _order.Length;
        Span<int> encodedShape = rank <= MaxStackRank ? stackalloc int[rank] : new int[rank];
        Span<long> strides = rank <= MaxStackRank ? stackalloc long[rank] : new long[rank];

        // strides[i]: the step, in elements of the decoded (C order) array, of encoded axis i.
        Span<long> decodedStrides = rank <= MaxStackRank ? stackalloc long[rank] : new long[rank];
        long stride = 1;
        for (var d = rank - 1; d >= 0; d--)
        {
            decodedStrides[d] = stride;
            stride *= decodedSpec.Shape[d];
        }

        var identity = true;
        for (var i = 0; i < rank; i++)
        {
            encodedShape[i] = decodedSpec.Shape[_order[i]];
            strides[i] = decodedStrides[_order[i]];
            identity &= _order[i] == i;
        }

        if (identity)
        {
            source.CopyTo(destination);
            return;
        }

        switch (decodedSpec.DataType.ItemSize)
        {
            case 1: Run<byte>(source, destination, encodedShape, strides, encode); break;
            case 2: Run<ushort>(source, destination, encodedShape, strides, encode); break;
            case 4: Run<uint>(source, destination, encodedShape, strides, encode); break;
            case 8: Run<ulong>(source, destination, encodedShape, strides, encode); break;
            case 16: Run<Int128>(source, destination, encodedShape, strides, encode); break;
            default: RunBlocks(source, destination, encodedShape, strides, encode, decodedSpec.DataType.ItemSize); break;
        }
    }

    /// <summary>
    /// <see cref="Run{T}"/> for elements of any other size (fixed strings, structured types: 3, 24, 48 bytes...),
    /// each copied as a block of <paramref name="itemSize"/> bytes.
    /// </summary>
    private static void RunBlocks(ReadOnlySpan<byte> source, Span<byte> destination, ReadOnlySpan<int> encodedShape, ReadOnlySpan<long> strides, bool encode, int itemSize)
    {
        var rank = encodedShape.Length;
        Span<int> index = rank <= MaxStackRank ? stackalloc int[rank] : new int[rank];
        index.Clear();
        var inner = encodedShape[rank - 1];
        var innerStride = strides[rank - 1];
        long total = destination.Length / itemSize;
        long linear = 0;
        long offset = 0;
        while (linear < total)
        {
            var o = offset;
            for (var k = 0; k < inner; k++, o += innerStride)
            {
                var encoded = (int)((linear + k) * itemSize);
                var decoded = (int)(o * itemSize);
                if (encode)
                {
                    source.Slice(decoded, itemSize).CopyTo(destination.Slice(encoded, itemSize));
                }
                else
                {
                    source.Slice(encoded, itemSize).CopyTo(destination.Slice(decoded, itemSize));
                }
            }

            linear += inner;
            offset = NextRow(offset, index, encodedShape, strides);
        }
    }

    private static void Run<T>(ReadOnlySpan<byte> source, Span<byte> destination, ReadOnlySpan<int> encodedShape, ReadOnlySpan<long> strides, bool encode)
        where T : unmanaged
    {
        var src = MemoryMarshal.Cast<byte, T>(source);
        var dst = MemoryMarshal.Cast<byte, T>(destination);
        var rank = encodedShape.Length;

        // Encoded element (j0..jn) in C order is decoded element sum(j_i * strides[i]).
        if (rank == 2)
        {
            // A true 2-D transpose (order [1, 0]): tiles keep both sides in cache.
            Transpose2D(src, dst, encodedShape[0], encodedShape[1], strides[0], strides[1], encode);
            return;
        }

        Span<int> index = rank <= MaxStackRank ? stackalloc int[rank] : new int[rank];
        index.Clear();
        var inner = encodedShape[rank - 1];
        var innerStride = strides[rank - 1];
        long total = dst.Length;
        long linear = 0;
        long offset = 0;
        while (linear < total)
        {
            if (encode)
            {
                var o = offset;
                for (var k = 0; k < inner; k++, o += innerStride)
                {
                    dst[(int)(linear + k)] = src[(int)o];
                }
            }
            else
            {
                var o = offset;
                for (var k = 0; k < inner; k++, o += innerStride)
                {
                    dst[(int)o] = src[(int)(linear + k)];
                }
            }

            linear += inner;
            offset = NextRow(offset, index, encodedShape, strides);
        }
    }

    /// <summary>
    /// Advances the odometer over the outer axes (all but the last) by one row of the encoded array and returns the
    /// decoded offset of that row's first element.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long NextRow(long offset, Span<int> index, ReadOnlySpan<int> encodedShape, ReadOnlySpan<long> strides)
    {
        for (var d = encodedShape.Length - 2; d >= 0; d--)
        {
            offset += strides[d];
            if (++index[d] < encodedShape[d])
            {
                return offset;
            }

            offset -= strides[d] * encodedShape[d];
            index[d] = 0;
        }

        return offset;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Transpose2D<T>(ReadOnlySpan<T> src, Span<T> dst, int rows, int cols, long rowStride, long colStride, bool encode)
        where T : unmanaged
    {
        // Encoded (r, c) at r * cols + c  <->  decoded at r * rowStride + c * colStride.
        for (var r0 = 0; r0 < rows; r0 += Tile)
        {
            var r1 = Math.Min(r0 + Tile, rows);
            for (var c0 = 0; c0 < cols; c0 += Tile)
            {
                var c1 = Math.Min(c0 + Tile, cols);
                for (var r = r0; r < r1; r++)
                {
                    var e = (long)r * cols;
                    var d = r * rowStride;
                    if (encode)
                    {
                        for (var c = c0; c < c1; c++)
                        {
                            dst[(int)(e + c)] = src[(int)(d + (c * colStride))];
                        }
                    }
                    else
                    {
                        for (var c = c0; c < c1; c++)
                        {
                            dst[(int)(d + (c * colStride))] = src[(int)(e + c)];
                        }
                    }
                }
            }
        }
    }
}
