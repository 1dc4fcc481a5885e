using System.Globalization;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The bytes of one shard being encoded: inner chunks appended in their order, into one pooled buffer that grows by
/// doubling (its first size the caller's guess, or the exact size when every inner chunk is encoded already), room kept
/// at the front for an index stored first. The finished buffer goes to the caller; until then this owns it.
/// </summary>
internal sealed class ShardWriter : IDisposable
{
    private PooledBuffer? _buffer;
    private int _position;

    /// <param name="dataStart">Where inner chunks start (the index's length when it comes first, else 0).</param>
    /// <param name="capacity">The first buffer's size (capped at the largest array).</param>
    public ShardWriter(int dataStart, long capacity)
    {
        _buffer = PooledBuffer.Rent((int)Math.Min(capacity, Array.MaxLength));
        _position = dataStart;
    }

    /// <summary>Where the next inner chunk's bytes go in the shard.</summary>
    public int Position => _position;

    /// <summary>Appends one encoded inner chunk.</summary>
    /// <exception cref="ZarrCodecException">The shard would reach 2 GiB.</exception>
    public void Append(ReadOnlySpan<byte> bytes)
    {
        var buffer = Reserve(bytes.Length);
        bytes.CopyTo(buffer.Span[_position..]);
        _position += bytes.Length;
    }

    /// <summary>Writes the index into the room kept at the front and hands the shard over.</summary>
    public PooledBuffer FinishWithIndexFirst(ReadOnlySpan<byte> index)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(ShardWriter));
        index.CopyTo(buffer.Span);
        return Hand(buffer);
    }

    /// <summary>Appends the index after the inner chunks and hands the shard over.</summary>
    /// <exception cref="ZarrCodecException">The shard would reach 2 GiB.</exception>
    public PooledBuffer FinishWithIndexLast(ReadOnlySpan<byte> index)
    {
        Append(index);
        return Hand(_buffer!);
    }

    /// <summary>Gives the buffer back when the shard was not finished.</summary>
    public void Dispose()
    {
        _buffer?.Dispose();
        _buffer = null;
    }

    private PooledBuffer Hand(PooledBuffer buffer)
    {
        buffer.SetLength(_position);
        _buffer = null;
        return buffer;
    }

    // The buffer with room for `count` more bytes, grown (doubled, at least to fit) when it has not.
    private PooledBuffer Reserve(int count)
    {
        var buffer = _buffer ?? throw new ObjectDisposedException(nameof(ShardWriter));
        var needed = (long)_position + count;
        if (needed <= buffer.Capacity)
        {
            buffer.SetLength(buffer.Capacity);
            return buffer;
        }

        if (needed > Array.MaxLength)
        {
            throw new ZarrCodecException(ShardingCodec.CodecName, string.Create(CultureInfo.InvariantCulture, $"the encoded shard would be more than {needed} bytes; a shard must be under 2 GiB (use smaller shards)"));
        }

        var bigger = PooledBuffer.Rent((int)Math.Min(Math.Max(needed, 2L * buffer.Capacity), Array.MaxLength));
        buffer.Span[.._position].CopyTo(bigger.Span);
        buffer.Dispose();
        _buffer = bigger;
        bigger.SetLength(bigger.Capacity);
        return bigger;
    }
}
