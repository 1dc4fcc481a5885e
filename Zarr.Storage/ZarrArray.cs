using System.Collections.Immutable;
using System.Text;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// A Zarr array in a store, of any data type (use <see cref="ZarrArray{T}"/> for typed reads and writes).
/// Every handle is thread-safe: any number of threads may read and write one array at once, and partial writes to
/// the same chunk never lose an update. There is nothing to close or flush: each write is in the store when its
/// task completes.
/// </summary>
public partial class ZarrArray
{
    private readonly ArrayState _state;

    private protected ZarrArray(ArrayState state) => _state = state;

    /// <summary>The store the array lives in.</summary>
    public IStore Store => _state.Store;

    /// <summary>The array's path inside the store ("" for the root), without leading or trailing '/'.</summary>
    public string Path => _state.Path;

    /// <summary>
    /// The array's current metadata (replaced, never mutated, by <see cref="ResizeAsync"/> and attribute changes, whether
    /// made through this handle or through another handle on the same array and <see cref="IStore.Location"/> in this process).
    /// </summary>
    public ArrayMetadata Metadata => _state.Current.Metadata;

    /// <summary>The shape (of the current metadata; immutable, so no copy is made).</summary>
    public ImmutableArray<long> Shape => Metadata.Shape;

    /// <summary>The chunk shape (immutable, so no copy is made).</summary>
    public ImmutableArray<int> Chunks => Metadata.ChunkShape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => Metadata.Rank;

    /// <summary>The element type.</summary>
    public ZarrDataType DataType => Metadata.DataType;

    /// <summary>The storage format.</summary>
    public ZarrFormat Format => Metadata.Format;

    /// <summary>
    /// The array's attributes, read-only: change them with <see cref="UpdateAttributesAsync"/> (some keys) or
    /// <see cref="SetAttributesAsync"/> (all of them). A v2 array's include xarray's <c>_ARRAY_DIMENSIONS</c> when it has
    /// dimension names, as zarr-python shows them.
    /// </summary>
    public AttributeDictionary Attributes => Metadata.Attributes;

    /// <summary>
    /// The dimension names (an entry may be null), or null when the array has none: v3 <c>dimension_names</c>, or for v2
    /// the attribute <c>_ARRAY_DIMENSIONS</c> that xarray writes and reads (a list of one string per dimension).
    /// </summary>
    public IReadOnlyList<string?>? DimensionNames => Metadata.DimensionNames;

    /// <summary>The number of elements.</summary>
    public long Size => Checked.Product(Metadata.Shape.AsSpan());

    /// <summary>The size of the data uncompressed, in bytes (see <see cref="NBytesExact"/> for sizes beyond 64 bits).</summary>
    /// <exception cref="ZarrException">The size is more than <see cref="long.MaxValue"/> bytes (2^63 − 1 int32 elements are 2^65 bytes): read <see cref="NBytesExact"/>.</exception>
    public long NBytes => ArrayInfo.ToLong(NBytesExact, Path);

    /// <summary>The size of the data uncompressed, in bytes, whatever it is: <see cref="Size"/> × the item size, which may need more than 64 bits.</summary>
    public UInt128 NBytesExact => Sizes.Multiply(Sizes.Product(Metadata.Shape.AsSpan()), (uint)DataType.ItemSize);

    /// <summary>The chunk grid.</summary>
    public ChunkGrid Grid => _state.Current.Grid;

    /// <summary>True when the array was opened read-only (mode <c>r</c>).</summary>
    public bool IsReadOnly => _state.ReadOnly;

    /// <summary>How many chunks one read or write works on at once.</summary>
    public int MaxDegreeOfParallelism => _state.Parallelism;

    private protected ArrayState State => _state;

    /// <summary>The state every handle on this array in the process shares (its lock; see <see cref="NodeState"/>).</summary>
    internal NodeState Node => _state.Node;

    /// <summary>This array as elements of <typeparamref name="T"/>, sharing this handle's state.</summary>
    /// <exception cref="ZarrTypeMismatchException">The array's data type is not <typeparamref name="T"/>.</exception>
    public ZarrArray<T> As<T>() where T : unmanaged
    {
        if (this is ZarrArray<T> typed)
        {
            return typed;
        }

        return DataType.ClrType == typeof(T)
            ? new ZarrArray<T>(_state)
            : throw new ZarrTypeMismatchException(Path, DataType.Name, typeof(T));
    }

    /// <summary>A one-line-per-aspect summary that needs no I/O (for stored bytes and initialized chunks use <see cref="GetInfoAsync"/>).</summary>
    public override string ToString()
    {
        var m = Metadata;
        var sb = new StringBuilder();
        sb.Append(ArrayInfo.Header(this, m)).Append('\n');
        sb.Append("  ").Append(ArrayInfo.DescribeCodecs(m.Codecs)).Append('\n');
        sb.Append("  nbytes: ").Append(Sizes.Human(NBytesExact)).Append("; chunks: ").Append(Grid.ChunkCount).Append('\n');
        sb.Append("  store: ").Append(Store).Append("; path: /").Append(Path);
        return sb.ToString();
    }

    private protected void EnsureWritable()
    {
        if (_state.ReadOnly)
        {
            throw new ZarrException($"array '/{Path}' was opened read-only (mode 'r'); open it with mode r+ or a to write");
        }
    }
}
