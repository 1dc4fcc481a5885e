using Zarr.Storage.Buffers;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Chunks;

/// <summary>Changes a decoded chunk in place (the copy-in step of a write).</summary>
/// <typeparam name="TChunk">The decoded chunk's form: a <see cref="PooledBuffer"/> of bytes, or strings.</typeparam>
/// <typeparam name="TState">What the update needs, passed so the callback can be static.</typeparam>
internal delegate void ChunkUpdate<in TChunk, in TState>(TState state, TChunk chunk);

/// <summary>What a read-modify-write starts from.</summary>
internal enum UpdateStart
{
    /// <summary>The stored chunk, decoded, or the fill value when it is missing (a partial write).</summary>
    Stored,

    /// <summary>Nothing of the stored chunk: the update sets every element inside the array (a write that covers it).</summary>
    Overwrite,

    /// <summary>The stored chunk; a missing chunk is left alone (a trim).</summary>
    StoredOnly,
}

/// <summary>A chunk's lock held: in this process, and across processes when the write needed it. Dispose to release both.</summary>
internal readonly struct ChunkLock(ChunkLocks.Releaser local, IDisposable? acrossProcesses) : IDisposable
{
    /// <summary>Releases the lock across processes, then the one in this process.</summary>
    public void Dispose()
    {
        acrossProcesses?.Dispose();
        local.Dispose();
    }
}
