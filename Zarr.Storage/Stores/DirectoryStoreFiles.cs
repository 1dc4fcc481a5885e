using System.Globalization;

namespace Zarr.Storage;

/// <summary>
/// The names of a <see cref="DirectoryStore"/>'s own files beside the values: the temporary file of a write in progress
/// and the lock file of a key being changed across processes. Both have the form <see cref="StoreKey"/> reserves for
/// temporary files, <c>.{name}.{16 hex digits}.tmp</c>, so every listing skips them, no key can name them, and no rule
/// about keys had to change: a reader never sees them, and zarr-python ignores them as it ignores any dot-file.
/// </summary>
/// <remarks>
/// <para>A temporary file's 16 digits are the writing process's id (8 digits) and 8 random ones: the sweep after a crash
/// deletes a temporary file only when no process with that id is alive, so a live writer's file is never swept. An id
/// reused by a new process only keeps a dead writer's file a while longer; a folder shared by machines (or pid namespaces)
/// would judge another host's writers by this host's ids, and should turn the sweep off
/// (<see cref="DirectoryStoreOptions.SweepTemporaryFiles"/>).</para>
/// <para>On Linux the keys' locks are bytes of one file in each key's folder, <see cref="StoreLockName"/>. Elsewhere each key has
/// a lock file: its 16 digits are <c>ffffffff</c> (no process id) and a hash of the whole name, so every process names
/// the lock of a key alike. It lives beside the key (in the key's folder, reached through the same link checks as a
/// write), not in a folder of its own, which would be a valid key every listing of the root would show.</para>
/// </remarks>
internal static class DirectoryStoreFiles
{
    private const int StemMaxLength = 32;
    private const string LockTag = "ffffffff";
    private const long LockOffsetMask = 0x3FFF_FFFF_FFFF_FFFF;
    private const string Suffix = ".tmp";
    private const int Digits = 16;

    /// <summary>A new temporary file name for a write of <paramref name="name"/> by this process.</summary>
    public static string NewTemporaryName(string name)
    {
        var random = (uint)Random.Shared.NextInt64(1L << 32);
        return string.Create(CultureInfo.InvariantCulture, $".{Stem(name)}.{(uint)Environment.ProcessId:x8}{random:x8}{Suffix}");
    }

    /// <summary>The name of the lock file of <paramref name="name"/> (the last segment of a key), the same in every process.</summary>
    public static string LockName(string name) =>
        string.Create(CultureInfo.InvariantCulture, $".{Stem(name)}.{LockTag}{Fnv1a(name):x8}{Suffix}");

    /// <summary>
    /// The name of the lock file of a folder that holds keys (<see cref="StoreLockFile"/>, on Linux): its digits name no
    /// process (<c>fffffffe</c> is above every process id), so the sweep of killed writers' files never takes it for one.
    /// </summary>
    public const string StoreLockName = ".locks.fffffffe00000000.tmp";

    /// <summary>The byte of a folder's lock file that is the lock of the name <paramref name="key"/> in that folder (a 62-bit
    /// hash), the same in every process.</summary>
    public static long LockOffset(string key)
    {
        var hash = 14695981039346656037ul;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 1099511628211ul;
        }

        return (long)(hash & LockOffsetMask);
    }

    /// <summary>True when <paramref name="name"/> (a file name) is a lock file of this store.</summary>
    public static bool IsLockName(ReadOnlySpan<char> name) =>
        StoreKey.IsTemporaryName(name) && name[^(Digits + Suffix.Length)..].StartsWith(LockTag, StringComparison.Ordinal);

    /// <summary>
    /// The id of the process that made the temporary file <paramref name="name"/>, or null when it is no temporary file
    /// of a write (a lock file, or another name).
    /// </summary>
    public static int? WriterOf(ReadOnlySpan<char> name)
    {
        if (!StoreKey.IsTemporaryName(name) || IsLockName(name))
        {
            return null;
        }

        var digits = name.Slice(name.Length - Digits - Suffix.Length, 8);
        return uint.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var pid) && pid <= int.MaxValue ? (int)pid : null;
    }

    // Short enough for file systems that limit a name to 255 bytes; never a lone high surrogate at the cut.
    private static string Stem(string name)
    {
        var stem = name.Length > StemMaxLength ? name[..StemMaxLength] : name;
        return stem.Length > 0 && char.IsHighSurrogate(stem[^1]) ? stem[..^1] : stem;
    }

    // A hash every process computes alike (string.GetHashCode is randomised per process).
    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
