namespace Zarr.Storage;

/// <summary>
/// Options for a <see cref="DirectoryStore"/>. They are copied when the store is built; changing them later has no effect on it.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Option</term><description>Default</description></listheader>
/// <item><term><see cref="ReadOnly"/></term><description>false</description></item>
/// <item><term><see cref="Fsync"/></term><description>false</description></item>
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

    internal DirectoryStoreOptions Clone() => new() { ReadOnly = ReadOnly, Fsync = Fsync };
}
