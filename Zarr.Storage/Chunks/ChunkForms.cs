using Zarr.Storage.Buffers;

namespace Zarr.Storage.Chunks;

/// <summary>The form a decoded chunk takes in a read-modify-write: how it is made, decoded, encoded and released.</summary>
/// <typeparam name="TChunk">The decoded chunk.</typeparam>
internal interface IChunkForm<TChunk>
{
    /// <summary>A new chunk; with <paramref name="fill"/> every element is the fill value, else its contents are undefined.</summary>
    TChunk Create(ChunkIO io, bool fill);

    /// <summary>The chunk decoded from its stored bytes, the codecs using at most <paramref name="codecParallelism"/> threads (0: their choice).</summary>
    TChunk Decode(ChunkIO io, ReadOnlySpan<byte> encoded, long[] coordinates, int codecParallelism);

    /// <summary>
    /// The chunk encoded, or all fill value, the codecs using at most <paramref name="codecParallelism"/> threads (0: their
    /// choice). With <paramref name="keepAllFill"/> a chunk of fill values is encoded too (for a store that cannot delete on a version).
    /// </summary>
    ChunkEncoding Encode(ChunkIO io, TChunk chunk, long[] coordinates, int codecParallelism, bool keepAllFill = false);

    /// <summary>Sets every element of the chunk that lies outside <paramref name="grid"/>'s shape to the fill value.</summary>
    void FillOutside(ChunkIO io, TChunk chunk, long[] coordinates, ChunkGrid grid);

    /// <summary>Gives back what <see cref="Create"/> or <see cref="Decode"/> rented.</summary>
    void Release(TChunk chunk);
}

/// <summary>A chunk of fixed-size elements: a pooled buffer of its bytes (C order, little-endian).</summary>
internal sealed class ByteChunkForm : IChunkForm<PooledBuffer>
{
    public static ByteChunkForm Instance { get; } = new();

    public PooledBuffer Create(ChunkIO io, bool fill)
    {
        var chunk = PooledBuffer.RentDecoded(io.ByteLength);
        if (fill)
        {
            io.DecodeMissing(chunk.Span);
        }

        return chunk;
    }

    public PooledBuffer Decode(ChunkIO io, ReadOnlySpan<byte> encoded, long[] coordinates, int codecParallelism)
    {
        var chunk = PooledBuffer.RentDecoded(io.ByteLength);
        try
        {
            io.Decode(encoded, coordinates, chunk.Span, codecParallelism);
            return chunk;
        }
        catch
        {
            chunk.Dispose();
            throw;
        }
    }

    public ChunkEncoding Encode(ChunkIO io, PooledBuffer chunk, long[] coordinates, int codecParallelism, bool keepAllFill = false) =>
        io.Encode(chunk.Span, coordinates, keepAllFill ? FillComparison.Never : FillComparison.Value, codecParallelism);

    public void FillOutside(ChunkIO io, PooledBuffer chunk, long[] coordinates, ChunkGrid grid) =>
        ChunkEdges.FillOutside(chunk.Span, coordinates, grid, io.ChunkStrides, io.Metadata.FillValue.AsSpan());

    public void Release(PooledBuffer chunk) => chunk.Dispose();
}

/// <summary>A chunk of variable-length strings (C order); a new one holds the fill value, "" where v2's is null.</summary>
internal sealed class StringChunkForm : IChunkForm<string?[]>
{
    public static StringChunkForm Instance { get; } = new();

    public string?[] Create(ChunkIO io, bool fill)
    {
        // Always filled: a string chunk has no undefined contents to leave.
        var chunk = new string?[io.ElementCount];
        Array.Fill(chunk, io.StringFill ?? string.Empty);
        return chunk;
    }

    public string?[] Decode(ChunkIO io, ReadOnlySpan<byte> encoded, long[] coordinates, int codecParallelism) => io.DecodeStrings(encoded, coordinates, codecParallelism);

    public ChunkEncoding Encode(ChunkIO io, string?[] chunk, long[] coordinates, int codecParallelism, bool keepAllFill = false) =>
        io.EncodeStrings(chunk, coordinates, codecParallelism, keepAllFill);

    public void FillOutside(ChunkIO io, string?[] chunk, long[] coordinates, ChunkGrid grid) =>
        ChunkEdges.FillOutside(chunk, coordinates, grid, io.StringFill ?? string.Empty);

    public void Release(string?[] chunk)
    {
    }
}
