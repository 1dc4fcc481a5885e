using System.Diagnostics;
using Zarr.Dataflow;
using Zarr.Dataflow.Blocks;
using Zarr.Storage;
using Zarr.Storage.Buffers;
using Zarr.Storage.Chunks;

namespace Zarr.Cli.Commands;

/// <summary>
/// Copies an array of any fixed-size data type chunk by chunk through the storage steps, for the types the engine cannot
/// compute on (bool, complex, ...) and for the copies whose fill value needs it (<see cref="FillNeedsExactCopy"/>). On the
/// same grid each chunk is fetched, decoded, encoded for the target and stored; on another grid each target chunk's region
/// is read and stored as a whole chunk. A chunk is left out only when it is bit for bit the target's fill value, so the
/// copy holds exactly the source's values, NaN payloads included. Memory: one chunk per worker.
/// </summary>
internal static class ChunkCopy
{
    /// <summary>
    /// True when the source's fill value and the target's differ in their bits but count as equal when chunks are stored:
    /// NaNs of different payloads. A v2 target cannot keep a NaN fill value's payload (its JSON says only "NaN", which
    /// zarr-python reads as numpy's NaN, so the copy's fill value is that NaN, as zarr-python would write it), and
    /// <c>--fill</c> may give another NaN. The source's missing chunks read as its own NaN, which the engine, like
    /// zarr-python, takes for the target's fill value and leaves out, to read back as the other NaN: such a copy goes
    /// through <see cref="CopyAsync"/>, which stores them.
    /// </summary>
    public static bool FillNeedsExactCopy(ZarrArray source, ZarrArray target)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        ReadOnlySpan<byte> from = source.Metadata.FillValue.AsSpan(), to = target.Metadata.FillValue.AsSpan();
        return target.DataType.IsFixedSize && from.Length == to.Length && !from.SequenceEqual(to) && target.DataType.AreSameValue(from, to);
    }

    /// <summary>
    /// True when zarr-python 2 reads a v2 array's fill value as another value than its <c>.zarray</c> says: a complex
    /// [re, im] is decoded as <c>re + 1j * im</c>, and <c>1j * im</c> is <c>complex(0 * im, im)</c>, so an infinite or NaN
    /// imaginary part makes the real part NaN (and a real part of -0.0 becomes 0.0). A chunk left out of such a copy would
    /// read differently there than here, so the copy stores every chunk.
    /// </summary>
    public static bool ZarrPython2MisreadsFill(ArrayMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        if (metadata.Format != ZarrFormat.V2 || !metadata.DataType.IsComplex || metadata.FillValueIsNull)
        {
            return false;
        }

        var fill = metadata.FillValue;
        if (metadata.DataType.ItemSize == 8)
        {
            float re = BitConverter.ToSingle(fill.AsSpan()), im = BitConverter.ToSingle(fill.AsSpan()[4..]);
            return BitConverter.SingleToInt32Bits(re + (0f * im)) != BitConverter.SingleToInt32Bits(re);
        }

        double real = BitConverter.ToDouble(fill.AsSpan()), imaginary = BitConverter.ToDouble(fill.AsSpan()[8..]);
        return BitConverter.DoubleToInt64Bits(real + (0d * imaginary)) != BitConverter.DoubleToInt64Bits(real);
    }

    /// <summary>
    /// Copies every element of <paramref name="source"/> into <paramref name="target"/> (the same shape and type) and
    /// returns the bytes read; with <paramref name="storeEveryChunk"/> also the chunks that are all fill value. Each chunk
    /// goes through the target's <see cref="ZarrArray.ChunkStorage"/>: stored under its lock, and a chunk that is bit for
    /// bit the fill value deletes the target's key, so nothing the target held there survives.
    /// </summary>
    public static async Task<long> CopyAsync(ZarrArray source, ZarrArray target, IProgress<PipelineProgress>? progress, bool storeEveryChunk, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var sameGrid = source.Grid.SameChunks(target.Grid);
        var grid = target.Grid;
        var total = grid.ChunkCount;
        long done = 0, read = 0, written = 0;
        var stopwatch = Stopwatch.StartNew();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount, CancellationToken = cancellationToken };
        var comparison = storeEveryChunk ? FillComparison.Never : FillComparison.Bits;
        var from = source.ChunkStorage;
        var to = target.ChunkStorage;
        await Parallel.ForEachAsync(ChunkBlocks.Requests(grid), parallel, async (request, token) =>
        {
            var coordinates = request.Coordinates.ToArray();
            using var chunk = PooledBuffer.RentDecoded(to.ByteLength);
            if (sameGrid)
            {
                using var encoded = await from.FetchAsync(coordinates, token).ConfigureAwait(false);
                Interlocked.Add(ref read, encoded?.Length ?? 0);
                if (encoded is null)
                {
                    from.DecodeMissing(chunk.Span);
                }
                else
                {
                    from.Decode(encoded.Span, coordinates, chunk.Span);
                }
            }
            else
            {
                var (data, shape) = await source.ReadBytesAsync(request.Region.ToSlices(), token).ConfigureAwait(false);
                Interlocked.Add(ref read, data.Length);
                Place(data, shape, chunk.Span, grid.ChunkShape.AsSpan(), target.DataType.ItemSize, target.Metadata.FillValue.AsSpan());
            }

            // Stored under the chunk's lock; a chunk that is bit for bit the fill value deletes the key, so nothing the
            // target held there before survives the copy.
            using var output = to.Encode(chunk.Span, coordinates, comparison);
            await to.StoreAsync(coordinates, output, token).ConfigureAwait(false);
            Interlocked.Add(ref written, output.Length);
            var finished = Interlocked.Increment(ref done);
            progress?.Report(new PipelineProgress(finished, total, Interlocked.Read(ref read), Interlocked.Read(ref written), stopwatch.Elapsed));
        }).ConfigureAwait(false);
        return read;
    }

    /// <summary>
    /// Lays the C-order values of a region (<paramref name="regionShape"/>, at the chunk's origin) out in a whole chunk of
    /// <paramref name="chunkShape"/>; the rest of an edge chunk, beyond the array, gets the fill value.
    /// </summary>
    internal static void Place(ReadOnlySpan<byte> region, long[] regionShape, Span<byte> chunk, ReadOnlySpan<int> chunkShape, int itemSize, ReadOnlySpan<byte> fill)
    {
        if (region.Length == chunk.Length)
        {
            region.CopyTo(chunk);
            return;
        }

        FillWith(chunk, fill);
        var rank = chunkShape.Length;
        var row = checked((int)regionShape[rank - 1] * itemSize);
        if (row == 0)
        {
            return;
        }

        // The byte stride of each dimension of the chunk, and the region's rows (its last dimension) one by one.
        var strides = new long[rank];
        long stride = itemSize;
        for (var d = rank - 1; d >= 0; d--)
        {
            strides[d] = stride;
            stride *= chunkShape[d];
        }

        var index = new long[rank];
        for (var offset = 0; offset < region.Length; offset += row)
        {
            long at = 0;
            for (var d = 0; d < rank - 1; d++)
            {
                at += index[d] * strides[d];
            }

            region.Slice(offset, row).CopyTo(chunk[(int)at..]);
            for (var d = rank - 2; d >= 0 && ++index[d] == regionShape[d]; d--)
            {
                index[d] = 0;
            }
        }
    }

    // The pattern repeated over the span, in copies that double: a few large copies instead of one per element.
    private static void FillWith(Span<byte> span, ReadOnlySpan<byte> pattern)
    {
        if (pattern.IsEmpty || span.IsEmpty)
        {
            return;
        }

        var filled = Math.Min(pattern.Length, span.Length);
        pattern[..filled].CopyTo(span);
        while (filled < span.Length)
        {
            var next = Math.Min(filled, span.Length - filled);
            span[..next].CopyTo(span[filled..]);
            filled += next;
        }
    }
}
