namespace Zarr.Storage;

/// <summary>
/// What identifies a file's value on Linux: a value replaced by a rename is a new inode, and one changed in place has
/// new times. The same inode number may come back for a later file, so a stamp is only trusted as "unchanged" once its
/// times lie clearly in the past (<see cref="IsSettledAt"/>).
/// </summary>
/// <remarks>
/// Why a fresh stamp is not trusted: the system may give a later file the inode number of an earlier one, and file times
/// tick coarsely (a few milliseconds on some file systems), so a file freed and another written within one tick can
/// carry the same stamp with other contents. A file written after a stamp was taken has times no earlier than that moment
/// less one tick; so once the stamped times lie <see cref="SettledAfter"/> before the moment the stamp was taken, a later
/// file cannot carry the same stamp. (A wall clock set back by more than that could fool it; so could a tool that
/// rewrites a file in place keeping its size and times.)
/// </remarks>
internal readonly record struct FileStamp(ulong Device, ulong Inode, long Size, long ChangedNanoseconds, long ModifiedNanoseconds)
{
    /// <summary>How long before its stamp was taken a file must have been written for the stamp to be trusted.</summary>
    public static readonly TimeSpan SettledAfter = TimeSpan.FromMilliseconds(100);

    /// <summary>The stamp as a store version's tag (every field, so two stamps have equal tags only when they are equal).</summary>
    public string ToTag() => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Device:x}:{Inode:x}:{Size}:{ChangedNanoseconds}:{ModifiedNanoseconds}");

    /// <summary>True when both times lie <see cref="SettledAfter"/> or more before <paramref name="takenAt"/>, the moment
    /// (UTC) just before the stamp was taken: then no later file can carry this stamp.</summary>
    public bool IsSettledAt(DateTimeOffset takenAt)
    {
        var limit = (takenAt.UtcDateTime - SettledAfter - DateTime.UnixEpoch).Ticks * 100;
        return ChangedNanoseconds < limit && ModifiedNanoseconds < limit;
    }
}
