using System.IO.Compression;

namespace Zarr.Storage;

/// <summary>How a <see cref="ZipStore"/> opens its file.</summary>
public enum ZipStoreMode
{
    /// <summary>Read an existing zip file; every write is refused (zarr-python's mode <c>r</c>).</summary>
    Read,

    /// <summary>Start an empty archive that replaces the file, if any, when the store is committed (zarr-python's mode <c>w</c>).</summary>
    Create,

    /// <summary>Start from the file's entries (or from nothing when there is no file) and add to them (zarr-python's mode <c>a</c>).</summary>
    Append,
}

/// <summary>How a <see cref="ZipStore"/> compresses the values it writes.</summary>
public enum ZipCompression
{
    /// <summary>Values are stored as they are (zip method 0, zarr-python's <c>ZIP_STORED</c>): ranged reads read only the range.</summary>
    Stored,

    /// <summary>Values are deflated (zip method 8, <c>ZIP_DEFLATED</c>): ranged reads must inflate the value from its start.</summary>
    Deflate,
}

/// <summary>
/// Options for a <see cref="ZipStore"/>. They are copied when the store is built; changing them later has no effect on it.
/// </summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Option</term><description>Default</description></listheader>
/// <item><term><see cref="Mode"/></term><description><see cref="ZipStoreMode.Read"/></description></item>
/// <item><term><see cref="Compression"/></term><description><see cref="ZipCompression.Stored"/>, as zarr-python writes</description></item>
/// <item><term><see cref="CompressionLevel"/></term><description><see cref="System.IO.Compression.CompressionLevel.Optimal"/></description></item>
/// <item><term><see cref="Fsync"/></term><description>true</description></item>
/// <item><term><see cref="MaxInflatedEntrySize"/></term><description>1 GiB</description></item>
/// </list>
/// </remarks>
public sealed class ZipStoreOptions
{
    private ZipStoreMode _mode = ZipStoreMode.Read;
    private ZipCompression _compression = ZipCompression.Stored;
    private CompressionLevel _level = CompressionLevel.Optimal;
    private long _maxInflated = 1L << 30;

    /// <summary>How the file is opened. Default <see cref="ZipStoreMode.Read"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined mode.</exception>
    public ZipStoreMode Mode
    {
        get => _mode;
        set => _mode = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "not a zip store mode");
    }

    /// <summary>
    /// How written values are compressed. Default <see cref="ZipCompression.Stored"/>: chunks are usually compressed by
    /// their codecs already, and a stored entry can be read in part without reading the rest.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined compression.</exception>
    public ZipCompression Compression
    {
        get => _compression;
        set => _compression = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "not a zip compression");
    }

    /// <summary>The deflate level when <see cref="Compression"/> is <see cref="ZipCompression.Deflate"/>. Default <see cref="System.IO.Compression.CompressionLevel.Optimal"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined level.</exception>
    public CompressionLevel CompressionLevel
    {
        get => _level;
        set => _level = Enum.IsDefined(value) ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "not a compression level");
    }

    /// <summary>
    /// When true (the default), the new archive is flushed to the disk before it is renamed over the target, and the
    /// folder after, so a completed dispose survives a power loss. This costs one or two disk flushes per store, not per
    /// write. When false, a crash of the process still never leaves a corrupt file, but a power loss might.
    /// </summary>
    public bool Fsync { get; set; } = true;

    /// <summary>
    /// The largest size a deflated entry may declare and be read. Default 1 GiB. An archive's headers are claims: an entry
    /// that declares more is refused before anything is allocated or inflated (a zip bomb that states its size), and
    /// one that inflates to more than it declares is refused once it has (a bomb that lies about it), so reading an
    /// entry never allocates more than this, nor more than the entry really holds. Stored entries are bounded by the
    /// file itself: their declared size must be present in it.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1 or more than <see cref="Array.MaxLength"/>.</exception>
    public long MaxInflatedEntrySize
    {
        get => _maxInflated;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, Array.MaxLength);
            _maxInflated = value;
        }
    }

    internal ZipStoreOptions Clone() =>
        new() { Mode = Mode, Compression = Compression, CompressionLevel = CompressionLevel, Fsync = Fsync, MaxInflatedEntrySize = MaxInflatedEntrySize };
}
