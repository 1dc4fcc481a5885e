namespace Zarr.Storage;

/// <summary>
/// What identifies a file's value on Linux: a value replaced by a rename is a new inode, and one changed in place has
/// new times. The same inode number may come back for a later file, so a stamp is only trusted as "unchanged" once its
/// times lie clearly in the past (see <see cref="Chunks.StoredShape"/>).
/// </summary>
internal readonly record struct FileStamp(ulong Device, ulong Inode, long Size, long ChangedNanoseconds, long ModifiedNanoseconds)
{
    /// <summary>The stamp as a store version's tag (every field, so two stamps have equal tags only when they are equal).</summary>
    public string ToTag() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Device:x}:{Inode:x}:{Size}:{ChangedNanoseconds}:{ModifiedNanoseconds}");
}
