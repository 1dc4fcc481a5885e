namespace Zarr.Storage;

/// <summary>
/// Options for a <see cref="DirectoryStore"/>. They are copied when the store is built; changing them later has no effect on it.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Option</term><description>Default</description></listheader>
/// <item><term><see cref="ReadOnly"/></term><description>false</description></item>
/// <item><term><see cref="Fsync"/></term><description>false</description></item>
/// <item><term><see cref="SweepTemporaryFiles"/></term><description>true</description></item>
/// </list>
/// </remarks>
public sealed class DirectoryStoreOptions
{
    /// <summary>
    /// When true, every write and delete throws a <see cref="ZarrStoreException"/> ("store is read-only") and the store never
    /// creates its root folder. Default false.
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// When true, each write flushes the value to the disk before it is renamed into place, and then flushes the folder
    /// that holds it (on Linux and macOS), so a completed write survives a power loss. This costs one or two disk
    /// flushes per write, often milliseconds each. Default false: a completed write is atomic but may be lost in a crash.
    /// </summary>
    public bool Fsync { get; set; }

    /// <summary>
    /// When true, the first write or delete through the store first deletes the temporary files that writers killed
    /// mid-write left in the folder (never those of a writer still running: each file names its process), and the lock
    /// files no one holds. This walks the whole folder once per store object, which costs a listing of it; turn it off for
    /// huge folders, or for a folder shared by several machines (a process id means nothing on another host), and sweep
    /// with <see cref="DirectoryStore.SweepTemporaryFilesAsync"/> (or <c>zarr verify --repair</c>) instead. Default true.
    /// </summary>
    public bool SweepTemporaryFiles { get; set; } = true;

    internal DirectoryStoreOptions Clone() => new() { ReadOnly = ReadOnly, Fsync = Fsync, SweepTemporaryFiles = SweepTemporaryFiles };
}
