using System.Runtime.CompilerServices;

namespace Zarr.Storage;

/// <summary>
/// Where a store keeps its values, as far as this process can tell: store objects with equal locations read and write
/// the same values. This library serialises what must not interleave (the read-modify-write of a chunk, a change of a
/// node's metadata) per location rather than per store object, so two <see cref="DirectoryStore"/>s on one folder, or a
/// <see cref="PrefixStore"/> and the store below it, never lose each other's updates.
/// </summary>
/// <remarks>
/// <para>A location is a space and a key prefix in it: the key <c>k</c> of a store at (space, p) is the key <c>p + k</c> of
/// the space. The spaces are the file system (folders, named by their full path with symbolic links resolved where
/// they exist; compared as <see cref="DirectoryStore"/> compares paths: ignoring case on Windows only), zip files (named
/// by their full path, resolved the same way) and single objects (an in-memory store: nothing else holds its values).</para>
/// <para>The serialisation is within this process only: two processes writing one folder are not serialised by it
/// (that is a later issue; see issue 23).</para>
/// </remarks>
public sealed class StoreLocation : IEquatable<StoreLocation>
{
    private const int MaxLinkDepth = 40;

    private static readonly bool IgnoreCase = OperatingSystem.IsWindows();
    private static readonly object FileSystem = new Space("file");
    private static readonly object ZipFiles = new Space("zip");
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Space> NamedSpaces = new(StringComparer.Ordinal);

    private StoreLocation(object space, string prefix, bool ignoreCase)
    {
        SpaceObject = space;
        Prefix = prefix;
        IgnoresCase = ignoreCase;
    }

    /// <summary>The key prefix of the location in its space: "" or ending in '/'.</summary>
    public string Prefix { get; }

    /// <summary>The space: the file system, zip files, or the one object whose values these are.</summary>
    internal object SpaceObject { get; }

    /// <summary>True when keys in the space compare ignoring case (paths on Windows).</summary>
    internal bool IgnoresCase { get; }

    private StringComparer Comparer => IgnoresCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;

    /// <summary>The location of a store whose values no other store object holds (an in-memory store, a snapshot): <paramref name="owner"/> itself.</summary>
    /// <param name="owner">The object; locations of different objects are never equal.</param>
    public static StoreLocation OfObject(object owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return new StoreLocation(owner, string.Empty, false);
    }

    /// <summary>
    /// The location of a folder's values (as <see cref="DirectoryStore"/> keeps them): its full path, with symbolic links
    /// resolved as far as the path exists. The folder need not exist.
    /// </summary>
    /// <param name="path">The folder; a relative path is resolved against the current directory.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or not a valid path.</exception>
    public static StoreLocation OfFolder(string path) => new(FileSystem, ToPrefix(path), IgnoreCase);

    /// <summary>The location of a zip file's values (as <see cref="ZipStore"/> keeps them): its full path, with symbolic links resolved.</summary>
    internal static StoreLocation OfZipFile(string path) => new(ZipFiles, ToPrefix(path), IgnoreCase);

    /// <summary>
    /// The root of a named space of keys outside this machine's file system, such as an object store's bucket
    /// (<c>s3://127.0.0.1:7480/bucket</c>): every call with an equal <paramref name="name"/> gives an equal location, so
    /// that two store objects on one bucket share their in-process serialisation. Take <see cref="Below"/> of it for a
    /// key prefix. Names compare ordinally; the name must not hold a secret (it is shown by <see cref="ToString"/>).
    /// </summary>
    /// <param name="name">The space's name: not null or empty.</param>
    public static StoreLocation OfNamedSpace(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        return new StoreLocation(NamedSpaces.GetOrAdd(name, static n => new Space(n)), string.Empty, false);
    }

    /// <summary>The location of a view of this location below <paramref name="prefix"/> (what <see cref="PrefixStore"/> holds).</summary>
    /// <param name="prefix">"" for this location itself, else a valid key (a trailing '/' is allowed).</param>
    /// <exception cref="ZarrStoreException"><paramref name="prefix"/> is not "" or a valid key.</exception>
    public StoreLocation Below(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var relative = StoreKey.ToPrefix(prefix);
        return relative.Length == 0 ? this : new StoreLocation(SpaceObject, Prefix + relative, IgnoresCase);
    }

    /// <summary>The name, in the location's space, of the store's key <paramref name="key"/>.</summary>
    internal string KeyOf(string key) => Prefix + key;

    /// <summary>The name, in the location's space, of the node at <paramref name="path"/> (the prefix of its keys, so that a view's root and the node below it agree).</summary>
    internal string NodeOf(string path) => path.Length == 0 ? Prefix : Prefix + path + "/";

    /// <summary>A hash of a name in the location's space, consistent with how the space compares names.</summary>
    internal int HashOf(string name) => HashCode.Combine(RuntimeHelpers.GetHashCode(SpaceObject), Comparer.GetHashCode(name));

    /// <inheritdoc />
    public bool Equals(StoreLocation? other) =>
        other is not null && ReferenceEquals(SpaceObject, other.SpaceObject) && Comparer.Equals(Prefix, other.Prefix);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as StoreLocation);

    /// <inheritdoc />
    public override int GetHashCode() => HashOf(Prefix);

    /// <summary>The space and the prefix, as <c>file:/data/store/</c>, <c>zip:/data/a.zip/</c> or <c>MemoryStore#1234:g/</c>.</summary>
    public override string ToString() => SpaceObject is Space space
        ? $"{space.Name}:{Prefix}"
        : $"{SpaceObject}#{RuntimeHelpers.GetHashCode(SpaceObject)}:{Prefix}";

    // The full path with links resolved, '/'-separated, ending in '/'.
    private static string ToPrefix(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var resolved = Path.TrimEndingDirectorySeparator(ResolveLinks(Path.GetFullPath(path), 0));
        if (Path.DirectorySeparatorChar != '/')
        {
            resolved = resolved.Replace(Path.DirectorySeparatorChar, '/');
        }

        return resolved.EndsWith('/') ? resolved : resolved + "/";
    }

    /// <summary>
    /// <paramref name="fullPath"/> with every symbolic link along it replaced by its final target, as far as the path
    /// exists; the part that does not exist (yet) is kept as it is. Falls back to the path as given when a link cannot be read.
    /// </summary>
    private static string ResolveLinks(string fullPath, int depth)
    {
        var root = Path.GetPathRoot(fullPath);
        if (string.IsNullOrEmpty(root) || depth > MaxLinkDepth)
        {
            return fullPath;
        }

        var names = fullPath[root.Length..].Split(
            [Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        var current = root;
        for (var i = 0; i < names.Length; i++)
        {
            var next = Path.Join(current, names[i]);
            try
            {
                FileSystemInfo info = new DirectoryInfo(next);
                if (!info.Exists)
                {
                    info = new FileInfo(next);
                    if (!info.Exists && info.LinkTarget is null)
                    {
                        // Nothing there (yet): the rest is kept as given.
                        return Path.Join([next, .. names[(i + 1)..]]);
                    }
                }

                if (info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } target)
                {
                    // The target may itself lie below links: resolve it from its root.
                    next = ResolveLinks(Path.GetFullPath(target.FullName), depth + 1);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
            {
                return fullPath;
            }

            current = next;
        }

        return current;
    }

    /// <summary>A named space of names shared by every store of one kind.</summary>
    private sealed class Space(string name)
    {
        public string Name { get; } = name;

        public override string ToString() => Name;
    }
}
