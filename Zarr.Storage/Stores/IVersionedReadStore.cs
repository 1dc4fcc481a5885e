using Zarr.Storage.Buffers;

namespace Zarr.Storage;

/// <summary>
/// A store that tells, on the very read that returned some bytes of a value, which version of the value they came
/// from, and reads more of it only while it is still that version. This is what lets a reader keep something it derived
/// from one read (a shard's decoded index) and use it for later ranged reads without ever mixing two versions of the
/// value: the directory store's version is the file's (device, inode, size, change and modification times to the
/// nanosecond), taken with <c>fstat</c> on the handle it read from; an object store's is the ETag of the ranged GET,
/// checked with <c>If-Match</c>; the memory store's is the value's generation.
/// </summary>
/// <remarks>Versions are opaque, compared only by the store that gave them, and only for the same key.</remarks>
public interface IVersionedReadStore
{
    /// <summary>False when the store cannot tell versions where it runs (a directory store off Linux); then the other
    /// two methods are not called.</summary>
    bool CanReadVersioned { get; }

    /// <summary>
    /// Reads <paramref name="range"/> of the value of <paramref name="key"/> and the version of the value the bytes came
    /// from; a null value and <see cref="StoreVersion.Absent"/> when the key has none. The caller disposes the result.
    /// Only a version that is lasting (<see cref="VersionedValue.IsLasting"/>) may be kept to read by later; any version
    /// serves the reads that follow this one at once.
    /// </summary>
    /// <exception cref="ZarrStoreException">The key is not valid, or the read failed.</exception>
    ValueTask<VersionedValue> GetVersionedRangeAsync(string key, ByteRange range, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads <paramref name="range"/> of the value of <paramref name="key"/> only if it is still <paramref name="expected"/>;
    /// null, reading nothing, when the key holds another version now or none. The caller owns the buffer.
    /// </summary>
    /// <exception cref="ZarrStoreException">The key is not valid, or the read failed.</exception>
    ValueTask<PooledBuffer?> GetRangeIfVersionAsync(string key, ByteRange range, StoreVersion expected, CancellationToken cancellationToken = default);
}
