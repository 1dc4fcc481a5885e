namespace Zarr.Storage;

/// <summary>
/// What identifies a file's value on Linux: a value replaced by a rename is a new inode, and one changed in place has
/// new times. The same inode number may come back for a later file, so a stamp is only trusted as "unchanged" once its
/// times lie clearly in the past (see <see cref="Chunks.StoredShape"/>).
/// </summary>
internal readonly record struct FileStamp(ulong Device, ulong Inode, long Size, long ChangedNanoseconds, long ModifiedNanoseconds);
