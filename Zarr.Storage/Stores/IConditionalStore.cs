using Zarr.Storage.Buffers;

namespace Zarr.Storage;

/// <summary>
/// The version of one stored value, as a store with conditional writes tells it: an entity tag (S3, Azure Blob, HTTP),
/// a generation number, or "absent" (no value under the key). Opaque: only the store that gave it compares it.
/// </summary>
public readonly record struct StoreVersion
{
    private StoreVersion(string tag) => Tag = tag;

    /// <summary>No value under the key: a conditional write with this version creates the key only if it is still missing.</summary>
    public static StoreVersion Absent => default;

    /// <summary>The store's tag for the value (an ETag as the server sent it), or null when <see cref="IsAbsent"/>.</summary>
    public string? Tag { get; }

    /// <summary>True when the version says the key has no value.</summary>
    public bool IsAbsent => Tag is null;

    /// <summary>The version a store names with <paramref name="tag"/>.</summary>
    /// <param name="tag">The store's tag: not null or empty.</param>
    public static StoreVersion Of(string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        return new StoreVersion(tag);
    }

    /// <inheritdoc/>
    public override string ToString() => Tag ?? "(absent)";
}

/// <summary>
/// A stored value (whole, or the range asked for) with its version (both absent when the key has none), and whether that
/// version is lasting. The caller disposes it.
/// </summary>
public sealed class VersionedValue : IDisposable
{
    /// <summary>A value and its version, which is lasting when there is a value (an ETag, a generation).</summary>
    /// <param name="value">The value, or null when the key has none (then <paramref name="version"/> is absent).</param>
    /// <param name="version">The value's version.</param>
    public VersionedValue(PooledBuffer? value, StoreVersion version)
        : this(value, version, isLasting: true)
    {
    }

    /// <summary>A value, its version, and whether the version is lasting (see <see cref="IsLasting"/>).</summary>
    /// <param name="value">The value, or null when the key has none (then <paramref name="version"/> is absent).</param>
    /// <param name="version">The value's version.</param>
    /// <param name="isLasting">Whether no other value of the key can ever carry <paramref name="version"/>; ignored (false)
    /// when there is no value.</param>
    public VersionedValue(PooledBuffer? value, StoreVersion version, bool isLasting)
    {
        if (value is null != version.IsAbsent)
        {
            throw new ArgumentException("a missing value has the absent version, and only a missing value has it", nameof(version));
        }

        Value = value;
        Version = version;
        IsLasting = isLasting && value is not null;
    }

    /// <summary>The value, or null when the key has none. Owned by this object.</summary>
    public PooledBuffer? Value { get; }

    /// <summary>The value's version (<see cref="StoreVersion.Absent"/> when the key has none).</summary>
    public StoreVersion Version { get; }

    /// <summary>
    /// True when no other value of the key can ever carry <see cref="Version"/>, so what a reader derived from this value
    /// may be kept under the version and used with later reads on it (an ETag, a generation, a directory store's file
    /// stamp whose times lie <c>100 ms</c> or more before it was taken). False for a file stamp younger than that (a file
    /// written within one tick of the kernel's coarse clock after another was freed may get its inode and its stamp),
    /// which serves only the reads that follow at once, and for a value an HTTP server sent without a strong ETag (whose
    /// version checks nothing: <see cref="HttpStore"/>). Nothing derived from a value whose version is not lasting is
    /// kept. Always false when there is no value.
    /// </summary>
    public bool IsLasting { get; }

    /// <inheritdoc/>
    public void Dispose() => Value?.Dispose();
}

/// <summary>
/// A store that can write conditionally: replace or delete a value only if it is still the version the writer read,
/// and create a key only if it is still missing. This is what keeps the read-modify-write of a chunk safe across
/// processes and machines on an object store (the ETag compare-and-swap of S3's and Azure's <c>If-Match</c> and
/// <c>If-None-Match: *</c>): the library reads a chunk with its version, changes it, writes it back on that version,
/// and when another writer won in between (S3's 412, Azure's 409/412) reads and changes it again.
/// </summary>
public interface IConditionalStore : IStore
{
    /// <summary>True when <see cref="TryDeleteAsync"/> is conditional; when false, the library stores an all-fill chunk it
    /// changed under a version instead of deleting it (it reads the same, and no update is lost).</summary>
    bool CanDeleteConditionally { get; }

    /// <summary>Reads the whole value of <paramref name="key"/> and its version (absent when the key has none).</summary>
    ValueTask<VersionedValue> GetVersionedAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="value"/> under <paramref name="key"/> only if the stored value is still
    /// <paramref name="expected"/> (<see cref="StoreVersion.Absent"/>: only if the key is still missing). Returns false,
    /// writing nothing, when another version is there now; throws <see cref="ZarrStoreException"/> on any other failure.
    /// </summary>
    ValueTask<bool> TrySetAsync(string key, ReadOnlyMemory<byte> value, StoreVersion expected, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes <paramref name="key"/> only if its stored value is still <paramref name="expected"/>. Returns false when
    /// another version is there now (or, for an absent <paramref name="expected"/>, when the key has a value); true when
    /// the key is gone. Only called when <see cref="CanDeleteConditionally"/> is true.
    /// </summary>
    ValueTask<bool> TryDeleteAsync(string key, StoreVersion expected, CancellationToken cancellationToken = default);
}
