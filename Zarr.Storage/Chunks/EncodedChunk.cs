using Zarr.Storage.Buffers;

namespace Zarr.Storage.Chunks;

/// <summary>
/// The result of encoding one chunk: its encoded bytes, or <see cref="IsAllFill"/> when every element is the fill value
/// (such a chunk is not stored: storing it deletes its key, and it reads back as the fill value).
/// </summary>
/// <remarks>Owns the pooled buffer of the bytes; dispose it once stored.</remarks>
public readonly struct EncodedChunk : IDisposable
{
    private readonly PooledBuffer? _bytes;

    private EncodedChunk(PooledBuffer? bytes) => _bytes = bytes;

    /// <summary>A chunk whose every element is the fill value: storing it deletes the chunk's key.</summary>
    public static EncodedChunk AllFill => default;

    /// <summary>True when every element is the fill value (there are no bytes to store).</summary>
    public bool IsAllFill => _bytes is null;

    /// <summary>The encoded bytes (empty when <see cref="IsAllFill"/>).</summary>
    public ReadOnlyMemory<byte> Memory => _bytes is null ? default : _bytes.Memory;

    /// <summary>The number of encoded bytes (0 when <see cref="IsAllFill"/>).</summary>
    public int Length => _bytes?.Length ?? 0;

    /// <summary>The bytes to store, or null to delete the key (all fill). The cast keeps null from becoming an empty memory through the array conversion.</summary>
    internal ReadOnlyMemory<byte>? StoredBytes => _bytes is null ? (ReadOnlyMemory<byte>?)null : _bytes.Memory;

    /// <summary>The pooled buffer, or null when all fill (for the engine's steps, which pass the buffer on).</summary>
    internal PooledBuffer? Buffer => _bytes;

    /// <summary>Encoded bytes to store; the result owns <paramref name="bytes"/>.</summary>
    /// <param name="bytes">The encoded chunk.</param>
    public static EncodedChunk Of(PooledBuffer bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        return new(bytes);
    }

    /// <summary>Returns the buffer to its pool.</summary>
    public void Dispose() => _bytes?.Dispose();
}

/// <summary>When an encoded chunk counts as all fill value (and so is not stored).</summary>
public enum FillComparison
{
    /// <summary>Every element equals the fill value as a number; for a NaN fill value every NaN counts, whatever its payload (numpy's <c>equal_nan</c>, as zarr-python).</summary>
    Value,

    /// <summary>Every element has exactly the fill value's bytes (a copy that must keep every bit).</summary>
    Bits,

    /// <summary>Never: every chunk is stored, also one of fill values.</summary>
    Never,
}
