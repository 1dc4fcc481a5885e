using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json.Nodes;
using Zarr.Storage.Buffers;
using Zarr.Storage.Codecs;
using Zarr.Storage.Codecs.ArrayToArray;
using Zarr.Storage.Codecs.ArrayToBytes;
using Zarr.Storage.DataTypes;
using Zarr.Storage.Indexing;
using Zarr.Storage.Internal;
using Zarr.Storage.Metadata;
using Zarr.Storage.Stores;

namespace Zarr.Storage;

/// <summary>
/// A Zarr array in a store, of any data type (use <see cref="ZarrArray{T}"/> for typed reads and writes).
/// Every handle is thread-safe: any number of threads may read and write one array at once, and partial writes to
/// the same chunk never lose an update. There is nothing to close or flush: each write is in the store when its
/// task completes.
/// </summary>
public class ZarrArray
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

    /// <summary>The shape (a copy).</summary>
    public long[] Shape => (long[])Metadata.Shape.Clone();

    /// <summary>The chunk shape (a copy).</summary>
    public int[] Chunks => (int[])Metadata.ChunkShape.Clone();

    /// <summary>The number of dimensions.</summary>
    public int Rank => Metadata.Rank;

    /// <summary>The element type.</summary>
    public ZarrDataType DataType => Metadata.DataType;

    /// <summary>The storage format.</summary>
    public ZarrFormat Format => Metadata.Format;

    /// <summary>The array's attributes (a copy; change them with <see cref="SetAttributesAsync"/>).</summary>
    public JsonObject Attributes => (JsonObject)Metadata.Attributes.DeepClone();

    /// <summary>The v3 dimension names (<c>dimension_names</c>; an entry may be null), or null when the array has none.</summary>
    public IReadOnlyList<string?>? DimensionNames => Metadata.DimensionNames;

    /// <summary>The number of elements.</summary>
    public long Size => Checked.Product(Metadata.Shape);

    /// <summary>The size of the data uncompressed, in bytes (see <see cref="NBytesExact"/> for sizes beyond 64 bits).</summary>
    /// <exception cref="ZarrException">The size is more than <see cref="long.MaxValue"/> bytes (2^63 − 1 int32 elements are 2^65 bytes): read <see cref="NBytesExact"/>.</exception>
    public long NBytes => ArrayInfo.ToLong(NBytesExact, Path);

    /// <summary>The size of the data uncompressed, in bytes, whatever it is: <see cref="Size"/> × the item size, which may need more than 64 bits.</summary>
    public UInt128 NBytesExact => Sizes.Multiply(Sizes.Product(Metadata.Shape), (uint)DataType.ItemSize);

    /// <summary>The chunk grid.</summary>
    public ChunkGrid Grid => _state.Current.Grid;

    /// <summary>True when the array was opened read-only (mode <c>r</c>).</summary>
    public bool IsReadOnly => _state.ReadOnly;

    /// <summary>How many chunks one read or write works on at once.</summary>
    public int MaxDegreeOfParallelism => _state.Parallelism;

    private protected ArrayState State => _state;

    /// <summary>The state every handle on this array in the process shares (its lock; see <see cref="NodeState"/>).</summary>
    internal NodeState Node => _state.Node;

    // ---------------------------------------------------------------- entry points

    /// <summary>Opens an existing array (v3 <c>zarr.json</c> or v2 <c>.zarray</c>).</summary>
    /// <param name="store">The store.</param>
    /// <param name="path">The array's path inside the store ("" for the root).</param>
    /// <param name="mode"><see cref="AccessMode.Read"/> or <see cref="AccessMode.ReadWrite"/>.</param>
    /// <param name="cancellationToken">Cancels the metadata read.</param>
    /// <exception cref="ZarrNodeException">There is no array at <paramref name="path"/>.</exception>
    /// <exception cref="ZarrMetadataException">The metadata is invalid.</exception>
    public static async Task<ZarrArray> OpenAsync(IStore store, string path = "", AccessMode mode = AccessMode.Read, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (mode is not (AccessMode.Read or AccessMode.ReadWrite))
        {
            throw new ArgumentException($"OpenAsync takes mode r or r+; use OpenOrCreateAsync for {mode}", nameof(mode));
        }

        path = NodePaths.Normalize(path);
        var node = NodeState.For(store, path);
        var version = node.Version;
        var metadata = await NodeIO.ReadArrayMetadataAsync(store, path, cancellationToken).ConfigureAwait(false)
            ?? throw new ZarrNodeException(path, $"no array found in {store}");
        return new ZarrArray(new ArrayState(store, path, metadata, mode == AccessMode.Read, null, node, version));
    }

    /// <summary>Opens an existing array as elements of <typeparamref name="T"/>.</summary>
    /// <exception cref="ZarrTypeMismatchException">The array's data type is not <typeparamref name="T"/>.</exception>
    public static async Task<ZarrArray<T>> OpenAsync<T>(IStore store, string path = "", AccessMode mode = AccessMode.Read, CancellationToken cancellationToken = default)
        where T : unmanaged =>
        (await OpenAsync(store, path, mode, cancellationToken).ConfigureAwait(false)).As<T>();

    /// <summary>
    /// Opens or creates an array with zarr-python's modes: <c>r</c>/<c>r+</c> open, <c>a</c> opens or creates,
    /// <c>w</c> creates replacing what was there, <c>w-</c> creates and fails if something is there.
    /// </summary>
    public static async Task<ZarrArray<T>> OpenOrCreateAsync<T>(IStore store, string path, AccessMode mode, long[] shape, ArrayOptions? options = null, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(store);
        path = NodePaths.Normalize(path);
        switch (mode)
        {
            case AccessMode.Read or AccessMode.ReadWrite:
                return await OpenAsync<T>(store, path, mode, cancellationToken).ConfigureAwait(false);
            case AccessMode.Append:
                var node = NodeState.For(store, path);
                var version = node.Version;
                var existing = await NodeIO.ReadArrayMetadataAsync(store, path, cancellationToken).ConfigureAwait(false);
                if (existing is not null)
                {
                    return new ZarrArray(new ArrayState(store, path, existing, false, options?.MaxDegreeOfParallelism, node, version)).As<T>();
                }

                return await CreateAsync<T>(store, path, shape, options, overwrite: false, cancellationToken).ConfigureAwait(false);
            default:
                return await CreateAsync<T>(store, path, shape, options, overwrite: mode == AccessMode.Write, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Creates an array of <typeparamref name="T"/> filled (lazily) with <c>options.FillValue</c> or zero. Only the
    /// metadata is written: a chunk costs nothing until it is written.
    /// </summary>
    /// <param name="store">The store.</param>
    /// <param name="path">The array's path ("" for the root).</param>
    /// <param name="shape">The shape.</param>
    /// <param name="options">Chunks, format, codecs, ...; null for zarr-python's defaults.</param>
    /// <param name="overwrite">Replace a node that is already there (mode <c>w</c>); otherwise that is an error (mode <c>w-</c>).</param>
    /// <param name="cancellationToken">Cancels the metadata write.</param>
    /// <exception cref="ZarrNodeException">A node exists at <paramref name="path"/> and <paramref name="overwrite"/> is false.</exception>
    public static Task<ZarrArray<T>> CreateAsync<T>(IStore store, string path, long[] shape, ArrayOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
        where T : unmanaged =>
        CreateTypedAsync<T>(store, path, shape, options, null, overwrite, cancellationToken);

    /// <summary>Creates an array of zeros (lazily: nothing but metadata is written). Same as <see cref="CreateAsync{T}"/> with fill value 0.</summary>
    /// <exception cref="ZarrException"><c>options.FillValueIsNull</c> is set: this factory sets the fill value.</exception>
    public static Task<ZarrArray<T>> ZerosAsync<T>(IStore store, string path, long[] shape, ArrayOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
        where T : unmanaged =>
        CreateTypedAsync<T>(store, path, shape, options, default(T), overwrite, cancellationToken);

    /// <summary>
    /// Creates an array whose contents are unspecified until written (as zarr's <c>empty</c>, chunks read as zero). The fill
    /// value is 0, or none with <c>options.FillValueIsNull</c>.
    /// </summary>
    public static Task<ZarrArray<T>> EmptyAsync<T>(IStore store, string path, long[] shape, ArrayOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
        where T : unmanaged =>
        CreateTypedAsync<T>(store, path, shape, options, options?.FillValueIsNull == true ? null : default(T), overwrite, cancellationToken);

    /// <summary>Creates an array of ones (lazily: the fill value is 1).</summary>
    /// <exception cref="ZarrException"><c>options.FillValueIsNull</c> is set: this factory sets the fill value.</exception>
    public static Task<ZarrArray<T>> OnesAsync<T>(IStore store, string path, long[] shape, ArrayOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
        where T : unmanaged =>
        CreateTypedAsync<T>(store, path, shape, options, ElementValues.One<T>(), overwrite, cancellationToken);

    /// <summary>Creates an array whose every element is <paramref name="fillValue"/> (lazily: it is the fill value).</summary>
    /// <exception cref="ZarrException"><c>options.FillValueIsNull</c> is set: this factory sets the fill value.</exception>
    public static Task<ZarrArray<T>> FullAsync<T>(IStore store, string path, long[] shape, T fillValue, ArrayOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
        where T : unmanaged =>
        CreateTypedAsync<T>(store, path, shape, options, fillValue, overwrite, cancellationToken);

    /// <summary>Creates an array holding <paramref name="data"/> (C order, of <paramref name="shape"/>), as zarr's <c>array</c>.</summary>
    /// <exception cref="ZarrSelectionException">The data's length is not the shape's element count.</exception>
    public static async Task<ZarrArray<T>> FromDataAsync<T>(IStore store, string path, ReadOnlyMemory<T> data, long[] shape, ArrayOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        var array = await CreateTypedAsync<T>(store, path, shape, options, null, overwrite, cancellationToken).ConfigureAwait(false);
        await array.WriteAsync([], data, cancellationToken).ConfigureAwait(false);
        return array;
    }

    /// <summary>Creates an array holding a tensor's values and shape, as zarr's <c>array</c>.</summary>
    public static Task<ZarrArray<T>> FromDataAsync<T>(IStore store, string path, System.Numerics.Tensors.Tensor<T> data, ArrayOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        var shape = new long[data.Rank];
        for (var d = 0; d < shape.Length; d++)
        {
            shape[d] = data.Lengths[d];
        }

        return FromDataAsync<T>(store, path, TensorData.ToArray(data), shape, options, overwrite, cancellationToken);
    }

    /// <summary>Creates an array of a data type known at run time; <c>options.FillValue</c> is parsed as v3 JSON (<c>options.FillValueIsNull</c>: none).</summary>
    public static async Task<ZarrArray> CreateAsync(IStore store, string path, ZarrDataType dataType, long[] shape, ArrayOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        var fill = options?.FillValue is null ? new byte[dataType.ItemSize] : ParseFillValue(options.FillValue, dataType);
        var metadata = BuildMetadata(shape, dataType, fill, options ?? new ArrayOptions());
        return await CreateFromMetadataAsync(store, path, metadata, overwrite, options?.MaxDegreeOfParallelism, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Creates an array from complete metadata (as copied from another array).</summary>
    /// <remarks>
    /// A v2 array's <see cref="ArrayMetadata.FillValueIsNull"/> is kept (<c>"fill_value": null</c>). v3 has no null fill
    /// value: a v3 array made from such metadata has the zeros of <see cref="ArrayMetadata.FillValue"/> as its fill value,
    /// and the returned array's metadata says <see cref="ArrayMetadata.FillValueIsNull"/> false, as reopening it would.
    /// </remarks>
    /// <exception cref="ZarrException">The metadata is not consistent: the chunk grid or codec chain is invalid, or
    /// <see cref="ArrayMetadata.FillValueIsNull"/> is set with a <see cref="ArrayMetadata.FillValue"/> that is not zero.</exception>
    public static async Task<ZarrArray> CreateFromMetadataAsync(IStore store, string path, ArrayMetadata metadata, bool overwrite = false, int? maxDegreeOfParallelism = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(metadata);
        path = NodePaths.Normalize(path);
        if (metadata.ChunkShape.Length == metadata.Shape.Length && Sizes.CheckArray(metadata.Shape, metadata.ChunkShape, metadata.DataType) is var (_, tooLarge))
        {
            throw new ZarrException($"cannot create array {UserText.Quote("/" + path)}: {tooLarge}");
        }

        _ = new ChunkGrid(metadata.Shape, metadata.ChunkShape);

        CodecPipeline.Create(metadata.Codecs).Validate(metadata.ChunkSpec);
        MetadataSerializer.CheckNullFillValue(metadata);
        if (metadata.FillValueIsNull && metadata.Format == ZarrFormat.V3)
        {
            metadata = metadata with { FillValueIsNull = false };
        }

        if (store.IsReadOnly)
        {
            throw new ZarrStoreException(null, $"cannot create array {UserText.Quote("/" + path)}: {store} is read-only");
        }

        var node = NodeState.For(store, path);
        var version = node.Version;

        if (await NodeIO.NodeExistsAsync(store, path, cancellationToken).ConfigureAwait(false))
        {
            if (!overwrite)
            {
                throw new ZarrNodeException(path, $"a node already exists in {store} (use overwrite / mode 'w' to replace it)");
            }

            await store.DeletePrefixAsync(NodePaths.Prefix(path), cancellationToken).ConfigureAwait(false);
            await NodeIO.DeleteNodeDocumentsAsync(store, path, cancellationToken).ConfigureAwait(false);
        }

        await NodeIO.EnsureParentGroupsAsync(store, path, metadata.Format, cancellationToken).ConfigureAwait(false);
        await NodeIO.WriteArrayMetadataAsync(store, path, metadata, cancellationToken).ConfigureAwait(false);
        return new ZarrArray(new ArrayState(store, path, metadata, false, maxDegreeOfParallelism, node, version));
    }

    private static async Task<ZarrArray<T>> CreateTypedAsync<T>(IStore store, string path, long[] shape, ArrayOptions? options, T? fillValue, bool overwrite, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var dataType = ZarrDataType.Of<T>();
        options ??= new ArrayOptions();
        byte[] fill;
        if (fillValue is { } value)
        {
            if (options.FillValueIsNull)
            {
                throw new ZarrException("ZerosAsync, OnesAsync and FullAsync set the fill value, and the options' FillValueIsNull asks for none; create the array with CreateAsync or EmptyAsync to have no fill value");
            }

            // .NET's NaN constants carry the sign bit; the fill value is stored as the canonical NaN.
            fill = FillValueJson.FromScalar(value);
        }
        else
        {
            fill = ParseFillValue(options.FillValue, dataType);
        }

        var metadata = BuildMetadata(shape, dataType, fill, options);
        var array = await CreateFromMetadataAsync(store, path, metadata, overwrite, options.MaxDegreeOfParallelism, cancellationToken).ConfigureAwait(false);
        return array.As<T>();
    }

    private static byte[] ParseFillValue(System.Text.Json.Nodes.JsonNode? value, ZarrDataType dataType)
    {
        if (value is null)
        {
            return new byte[dataType.ItemSize];
        }

        using var document = System.Text.Json.JsonDocument.Parse(value.ToJsonString());
        return FillValueJson.ParseV3(document.RootElement, dataType, "fill value");
    }

    /// <summary>The metadata of a new array; <paramref name="fill"/> is the fill value's bytes (zeros when <c>options.FillValueIsNull</c>).</summary>
    internal static ArrayMetadata BuildMetadata(long[] shape, ZarrDataType dataType, byte[] fill, ArrayOptions options)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (options.FillValueIsNull && options.FillValue is not null)
        {
            throw new ZarrException($"the options give a fill value ({UserText.Json(options.FillValue)}) and FillValueIsNull (no fill value); set one or the other");
        }

        var chunks = options.Chunks ?? ChunkShapes.Guess(shape, dataType.ItemSize);
        if (options.Shards is not null)
        {
            chunks = ShardChunks(shape, dataType, options);
        }

        if (chunks.Length != shape.Length)
        {
            throw new ZarrException($"the chunk shape ({string.Join(", ", chunks)}) has {chunks.Length} dimensions but the shape ({string.Join(", ", shape)}) has {shape.Length}");
        }

        var codecs = new List<ICodec>();
        if (options.Order is 'F' or 'f')
        {
            codecs.Add(new TransposeCodec([.. Enumerable.Range(0, shape.Length).Reverse()]));
        }
        else if (options.Order is not ('C' or 'c'))
        {
            throw new ZarrException($"order must be 'C' or 'F', not '{options.Order}'");
        }

        // Filters may change the element type: the bytes codec and the default compressor see what they produce.
        var stored = new ChunkSpec(chunks, dataType, fill);
        foreach (var filter in options.Filters ?? [])
        {
            codecs.Add(filter);
            stored = filter.GetEncodedSpec(stored);
        }

        codecs.Add(new BytesCodec(stored.DataType.ItemSize == 1 ? null : options.Endian));
        codecs.AddRange(options.Compressors ?? [CodecRegistry.DefaultCompressor(stored.DataType)]);
        if (options.Shards is { } shards)
        {
            // The chunk grid is the shard grid; the chunks are the inner chunks of each shard.
            codecs = [new ShardingCodec(chunks, codecs)];
            chunks = shards;
        }

        var separator = options.ChunkKeySeparator ?? (options.Format == ZarrFormat.V3 ? '/' : '.');
        var encoding = ChunkKeyEncoding.Create(options.Format == ZarrFormat.V3 ? "default" : "v2", separator);
        if (options.Format == ZarrFormat.V2 && options.DimensionNames is not null)
        {
            throw new ZarrException("dimension names are a Zarr v3 feature; v2 arrays cannot store them");
        }

        if (options.DimensionNames is not null && options.DimensionNames.Count != shape.Length)
        {
            throw new ZarrException($"{options.DimensionNames.Count} dimension names were given for {shape.Length} dimensions");
        }

        var metadata = new ArrayMetadata
        {
            Format = options.Format,
            Shape = (long[])shape.Clone(),
            ChunkShape = (int[])chunks.Clone(),
            DataType = dataType,
            FillValue = fill,

            // v3 has no null fill value: there the type's zero stands in, as zarr-python 3 writes it.
            FillValueIsNull = options.FillValueIsNull && options.Format == ZarrFormat.V2,
            Codecs = codecs,
            ChunkKeyEncoding = encoding,
            Attributes = (JsonObject?)options.Attributes?.DeepClone() ?? [],
            DimensionNames = options.DimensionNames,
        };
        MetadataSerializer.ValidateChain(metadata.Codecs, metadata.Format);
        return metadata;
    }

    // The inner chunk shape of a sharded array: the given chunks, which must divide the shards, or a guess that does.
    private static int[] ShardChunks(long[] shape, ZarrDataType dataType, ArrayOptions options)
    {
        var shards = options.Shards!;
        if (options.Format != ZarrFormat.V3)
        {
            throw new ZarrException("shards are a Zarr v3 feature (the sharding_indexed codec); v2 arrays cannot be sharded");
        }

        if (shards.Length != shape.Length)
        {
            throw new ZarrException($"the shard shape ({string.Join(", ", shards)}) has {shards.Length} dimensions but the shape ({string.Join(", ", shape)}) has {shape.Length}");
        }

        if (options.Chunks is { } given)
        {
            if (given.Length != shards.Length || given.Where((c, d) => c <= 0 || shards[d] % c != 0).Any())
            {
                throw new ZarrException($"the shard shape ({string.Join(", ", shards)}) must be divisible by the chunk shape ({string.Join(", ", given)}) in every dimension");
            }

            return (int[])given.Clone();
        }

        if (shards.Any(s => s <= 0))
        {
            throw new ZarrException($"the shard shape ({string.Join(", ", shards)}) must be positive in every dimension");
        }

        // zarr-python guesses the inner chunks from the shard shape; each is lowered to a divisor of its shard dimension.
        var guess = ChunkShapes.Guess([.. shards.Select(s => (long)s)], dataType.ItemSize);
        for (var d = 0; d < guess.Length; d++)
        {
            var c = Math.Clamp(guess[d], 1, shards[d]);
            while (shards[d] % c != 0)
            {
                c--;
            }

            guess[d] = c;
        }

        return guess;
    }

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

    // ---------------------------------------------------------------- the steps of a chunk's life

    /// <summary>The store key of the chunk at <paramref name="coordinates"/>.</summary>
    public string GetChunkKey(ReadOnlySpan<long> coordinates) =>
        NodePaths.Prefix(Path) + Metadata.ChunkKeyEncoding.Encode(coordinates);

    /// <summary>Fetch: the encoded bytes of a chunk, or null when it was never written (it reads as the fill value). The caller owns the buffer.</summary>
    public ValueTask<PooledBuffer?> FetchChunkAsync(long[] coordinates, CancellationToken cancellationToken = default) =>
        Store.GetAsync(GetChunkKey(coordinates), null, cancellationToken);

    /// <summary>
    /// Decode: fills <paramref name="chunk"/> (exactly the chunk's decoded size: C order, little-endian) from
    /// <paramref name="encoded"/>, or with the fill value when it is null.
    /// </summary>
    /// <exception cref="ZarrCodecException">The chunk is corrupt; the exception names the array, the chunk key and the codec.</exception>
    public void DecodeChunk(ReadOnlySpan<byte> encoded, bool missing, ReadOnlySpan<long> coordinates, Span<byte> chunk)
    {
        ZarrStringArray.ThrowIfVariableLength(this); // dtypes: strings have no byte form (see ZarrStringArray)
        var current = _state.Current;
        if (missing)
        {
            StridedCopy.FillPattern(chunk, current.Metadata.FillValue);
            return;
        }

        try
        {
            current.Pipeline.Decode(encoded, chunk, current.Spec);
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(Path, GetChunkKey(coordinates));
        }
    }

    /// <summary>Encode: the encoded bytes of a decoded chunk, or null when every element is the fill value (such a chunk is not stored). The caller owns the buffer.</summary>
    /// <remarks>For a NaN fill value every NaN is the fill value, whatever its payload (numpy's <c>equal_nan</c>, as zarr-python).</remarks>
    public PooledBuffer? EncodeChunk(ReadOnlySpan<byte> chunk, ReadOnlySpan<long> coordinates) => Encode(chunk, coordinates, exact: false);

    /// <summary>
    /// Encode keeping every bit: as <see cref="EncodeChunk"/>, but null only when every element has exactly the fill
    /// value's bytes, so a chunk of NaNs whose payloads differ from a NaN fill value's is stored, not left to read as it;
    /// with <paramref name="keepFillChunks"/> never null (every chunk is stored).
    /// </summary>
    internal PooledBuffer? EncodeChunkExact(ReadOnlySpan<byte> chunk, ReadOnlySpan<long> coordinates, bool keepFillChunks = false) =>
        Encode(chunk, coordinates, exact: true, keepFillChunks);

    private PooledBuffer? Encode(ReadOnlySpan<byte> chunk, ReadOnlySpan<long> coordinates, bool exact, bool keepFillChunks = false)
    {
        ZarrStringArray.ThrowIfVariableLength(this); // dtypes: strings have no byte form (see ZarrStringArray)
        var current = _state.Current;
        var fill = current.Metadata.FillValue;
        if (!keepFillChunks && (exact ? FillValues.IsAllSameBytes(chunk, fill) : FillValues.IsAllFill(chunk, fill, current.Metadata.DataType)))
        {
            return null;
        }

        try
        {
            return current.Pipeline.Encode(chunk, current.Spec);
        }
        catch (ZarrCodecException e)
        {
            throw e.WithChunk(Path, GetChunkKey(coordinates));
        }
    }

    /// <summary>Store: writes a chunk's encoded bytes, or deletes the chunk when <paramref name="encoded"/> is null (all fill value).</summary>
    public async ValueTask StoreChunkAsync(long[] coordinates, ReadOnlyMemory<byte>? encoded, CancellationToken cancellationToken = default)
    {
        EnsureWritable();
        var key = GetChunkKey(coordinates);
        if (encoded is { } bytes)
        {
            await Store.SetAsync(key, bytes, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await Store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits for the lock that serialises every write of one chunk (the same lock this library's partial writes take,
    /// shared by all handles on the same <see cref="IStore.Location"/>, through any store object). Whoever stores whole chunks beside concurrent partial writers
    /// holds it around <see cref="StoreChunkAsync"/>, so no read-modify-write rebuilds the chunk from stale data.
    /// Dispose the result to release it.
    /// </summary>
    public async ValueTask<IDisposable> AcquireChunkLockAsync(long[] coordinates, CancellationToken cancellationToken = default) =>
        await ChunkLocks.For(Store).AcquireAsync(GetChunkKey(coordinates), cancellationToken).ConfigureAwait(false);

    /// <summary>Reads of at least this many bytes (more than a server's last-level cache) write their result with streaming stores.</summary>
    private const long StreamingReadBytes = 64L << 20;

    /// <summary>The decoded size of one chunk in bytes.</summary>
    public int ChunkByteLength => _state.Current.Spec.ByteLength;

    // ---------------------------------------------------------------- selections (element-size generic core)

    private protected async Task ReadCoreAsync<TElement>(SelectionPlan plan, Memory<TElement> destination, CancellationToken cancellationToken)
        where TElement : unmanaged
    {
        var itemSize = DataType.ItemSize;
        var needed = checked(plan.ElementCount * itemSize);
        if ((long)destination.Length * Unsafe.SizeOf<TElement>() != needed)
        {
            throw new ZarrSelectionException($"the destination holds {destination.Length} elements but the selection of shape ({string.Join(", ", plan.OutputShape)}) has {plan.ElementCount}");
        }

        var geometry = new OutputGeometry(plan, itemSize);

        // A result larger than any cache is written with streaming stores (see StridedCopy.Copy).
        var streaming = needed >= StreamingReadBytes;
        await ForEachChunkAsync(plan, async (chunk, ct) =>
        {
            var region = _state.Current.PartialDecoder is not null && !plan.CoversChunk(chunk) ? RegionOf(plan, chunk) : (ChunkRegion?)null;
            using var decoded = await FetchDecodedAsync(chunk.Coordinates, region, ct).ConfigureAwait(false);
            CopyOut(plan, geometry, chunk, decoded, destination, streaming);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Fetch and decode of one chunk for a read: the whole chunk, or, when <paramref name="region"/> is given and the
    /// chain can (sharding), only what the region needs, through ranged reads. Null when the chunk was never written.
    /// The caller owns the buffer (the whole decoded chunk's layout; outside a partial region, contents are undefined).
    /// </summary>
    private async ValueTask<PooledBuffer?> FetchDecodedAsync(long[] coordinates, ChunkRegion? region, CancellationToken cancellationToken)
    {
        var current = _state.Current;
        if (region is { } part && current.PartialDecoder is { } partial)
        {
            var key = GetChunkKey(coordinates);
            var buffer = PooledBuffer.RentDecoded(current.Spec.ByteLength);
            try
            {
                if (await partial.TryDecodePartialAsync(Store, key, part, buffer.Memory, current.Spec, cancellationToken).ConfigureAwait(false))
                {
                    return buffer;
                }
            }
            catch (ZarrCodecException e)
            {
                buffer.Dispose();
                throw e.WithChunk(Path, key);
            }
            catch
            {
                buffer.Dispose();
                throw;
            }

            buffer.Dispose();
            return null;
        }

        using var encoded = await FetchChunkAsync(coordinates, cancellationToken).ConfigureAwait(false);
        if (encoded is null)
        {
            return null;
        }

        var decoded = PooledBuffer.RentDecoded(current.Spec.ByteLength);
        try
        {
            DecodeChunk(encoded.Span, false, coordinates, decoded.Span);
            return decoded;
        }
        catch
        {
            decoded.Dispose();
            throw;
        }
    }

    // The part of one chunk a basic selection needs, in chunk-local coordinates.
    private static ChunkRegion RegionOf(SelectionPlan plan, ChunkSelection chunk)
    {
        var rank = plan.Dimensions.Length;
        var region = new ChunkRegion(new int[rank], new int[rank], new int[rank]);
        for (var d = 0; d < rank; d++)
        {
            region.Start[d] = chunk.Projections[d].LocalStart;
            region.Step[d] = (int)Math.Min(plan.Dimensions[d].Step, int.MaxValue);
            region.Count[d] = chunk.Projections[d].Count;
        }

        return region;
    }

    // Copies the selected part of a decoded chunk into the output, or the fill value where the chunk is missing (null).
    private void CopyOut<TElement>(SelectionPlan plan, OutputGeometry geometry, ChunkSelection chunk, PooledBuffer? decoded, Memory<TElement> destination, bool streaming)
        where TElement : unmanaged
    {
        var current = _state.Current;
        var rank = plan.Dimensions.Length;
        Span<nint> chunkSteps = stackalloc nint[rank];
        Span<nint> outSteps = stackalloc nint[rank];
        Span<long> counts = stackalloc long[rank];
        nint srcOffset = 0, dstOffset = 0;
        var chunkStrides = current.ChunkStrides;
        for (var d = 0; d < rank; d++)
        {
            var p = chunk.Projections[d];
            counts[d] = p.Count;
            chunkSteps[d] = (nint)(chunkStrides[d] * plan.Dimensions[d].Step);
            outSteps[d] = (nint)geometry.Strides[d];
            srcOffset += (nint)(p.LocalStart * chunkStrides[d]);
            dstOffset += (nint)(p.OutputStart * geometry.Strides[d]);
        }

        ref var dst = ref Unsafe.As<TElement, byte>(ref MemoryMarshal.GetReference(destination.Span));
        if (decoded is null)
        {
            StridedCopy.Fill(ref dst, dstOffset, outSteps, counts, current.Metadata.FillValue);
            return;
        }

        StridedCopy.Copy(ref MemoryMarshal.GetReference(decoded.Span), srcOffset, chunkSteps, ref dst, dstOffset, outSteps, counts, DataType.ItemSize, streaming);
    }

    /// <summary>Writes <paramref name="source"/> (the selection's shape in C order), or broadcasts <paramref name="scalar"/> when source is empty and scalar is given.</summary>
    private protected async Task WriteCoreAsync<TElement>(SelectionPlan plan, ReadOnlyMemory<TElement> source, byte[]? scalar, CancellationToken cancellationToken)
        where TElement : unmanaged
    {
        EnsureWritable();
        var itemSize = DataType.ItemSize;
        if (scalar is null && (long)source.Length * Unsafe.SizeOf<TElement>() != checked(plan.ElementCount * itemSize))
        {
            throw new ZarrSelectionException($"the data holds {source.Length} elements but the selection of shape ({string.Join(", ", plan.OutputShape)}) has {plan.ElementCount}");
        }

        var geometry = new OutputGeometry(plan, itemSize);
        var locks = ChunkLocks.For(Store);
        using var writing = await EnterWriteAsync(plan.Grid, cancellationToken).ConfigureAwait(false);
        await ForEachChunkAsync(plan, (chunk, ct) => ModifyChunkAsync(
            locks,
            plan.Grid,
            chunk.Coordinates,
            plan.CoversChunk(chunk),
            (Plan: plan, Geometry: geometry, Chunk: chunk, Source: source, Scalar: scalar),
            static (array, state, decoded) => array.CopyIntoChunk(state.Plan, state.Geometry, state.Chunk, state.Source, state.Scalar, decoded),
            ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes a decoded chunk in place (the copy-in step of a write).</summary>
    private delegate void ChunkUpdate<TState>(ZarrArray array, TState state, Span<byte> decoded);

    /// <summary>
    /// Waits for the array's node lock, shared, for a write planned on <paramref name="planned"/>: no resize runs while
    /// it is held, so the shape the write then sees (<see cref="ArrayState.Current"/>) stays until it is done. A write
    /// planned before a shrink that ran in the meantime is clipped to the new shape (see <see cref="ModifyChunkAsync"/>),
    /// as if it had completed before the resize and been trimmed by it.
    /// </summary>
    /// <exception cref="ZarrException">The chunk shape changed since the write was planned (the array was replaced).</exception>
    internal async ValueTask<AsyncReaderWriterLock.Releaser> EnterWriteAsync(ChunkGrid planned, CancellationToken cancellationToken)
    {
        var writing = await _state.Node.Gate.EnterSharedAsync(cancellationToken).ConfigureAwait(false);
        if (!planned.ChunkShape.AsSpan().SequenceEqual(Grid.ChunkShape))
        {
            writing.Dispose();
            throw new ZarrException($"array '/{Path}' was replaced by one with chunks ({string.Join(", ", Grid.ChunkShape)}) while this write was planned on chunks ({string.Join(", ", planned.ChunkShape)}); write again");
        }

        return writing;
    }

    /// <summary>True when <paramref name="current"/> is smaller than <paramref name="planned"/> along some dimension: the array shrank since a write was planned.</summary>
    internal static bool ShrankSince(ChunkGrid planned, ChunkGrid current)
    {
        for (var d = 0; d < planned.Shape.Length; d++)
        {
            if (current.Shape[d] < planned.Shape[d])
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The read-modify-write of one chunk, shared by every kind of write: under the chunk's lock, fetch and decode it
    /// (or, when the write covers it, start from the fill value), let <paramref name="update"/> copy the new values in,
    /// then encode and store it (a chunk left all fill value is deleted). When the array shrank since the write was
    /// planned on <paramref name="planned"/>, a chunk now wholly outside the shape is left alone and the elements of a
    /// chunk now across its edge that lie outside are reset to the fill value, as the resize's trim would have done.
    /// The caller holds the node's lock shared (<see cref="EnterWriteAsync"/>).
    /// </summary>
    private async ValueTask ModifyChunkAsync<TState>(ChunkLocks locks, ChunkGrid planned, long[] coordinates, bool coversChunk, TState state, ChunkUpdate<TState> update, CancellationToken cancellationToken)
    {
        var current = _state.Current;
        var clip = ShrankSince(planned, current.Grid);
        if (clip && !current.Grid.Contains(coordinates))
        {
            return;
        }

        var key = GetChunkKey(coordinates);
        using var held = await locks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);
        using var decoded = PooledBuffer.RentDecoded(current.Spec.ByteLength);
        if (coversChunk)
        {
            // Nothing of the old chunk survives; the part hanging over the array's edge holds the fill value. A chunk
            // inside the array is overwritten element by element, so it needs no fill first.
            if (!IsInterior(current.Grid, coordinates))
            {
                StridedCopy.FillPattern(decoded.Span, current.Metadata.FillValue);
            }
        }
        else
        {
            using var existing = await FetchChunkAsync(coordinates, cancellationToken).ConfigureAwait(false);
            DecodeChunk(existing is null ? default : existing.Span, existing is null, coordinates, decoded.Span);
        }

        update(this, state, decoded.Span);
        if (clip && !IsInterior(current.Grid, coordinates))
        {
            FillOutside(decoded.Span, coordinates, current.Grid);
        }

        using var encoded = EncodeChunk(decoded.Span, coordinates);
        await StoreChunkAsync(coordinates, encoded?.Memory, cancellationToken).ConfigureAwait(false);
    }

    // True when the chunk lies wholly inside the array (no part of it hangs over an edge).
    private static bool IsInterior(ChunkGrid grid, long[] coordinates)
    {
        for (var d = 0; d < coordinates.Length; d++)
        {
            if ((coordinates[d] + 1) * grid.ChunkShape[d] > grid.Shape[d])
            {
                return false;
            }
        }

        return true;
    }

    private void CopyIntoChunk<TElement>(SelectionPlan plan, OutputGeometry geometry, ChunkSelection chunk, ReadOnlyMemory<TElement> source, byte[]? scalar, Span<byte> decoded)
        where TElement : unmanaged
    {
        var rank = plan.Dimensions.Length;
        Span<nint> chunkSteps = stackalloc nint[rank];
        Span<nint> inSteps = stackalloc nint[rank];
        Span<long> counts = stackalloc long[rank];
        nint chunkOffset = 0, inOffset = 0;
        var chunkStrides = _state.Current.ChunkStrides;
        for (var d = 0; d < rank; d++)
        {
            var p = chunk.Projections[d];
            counts[d] = p.Count;
            chunkSteps[d] = (nint)(chunkStrides[d] * plan.Dimensions[d].Step);
            inSteps[d] = (nint)geometry.Strides[d];
            chunkOffset += (nint)(p.LocalStart * chunkStrides[d]);
            inOffset += (nint)(p.OutputStart * geometry.Strides[d]);
        }

        ref var chunkRef = ref MemoryMarshal.GetReference(decoded);
        if (scalar is not null)
        {
            StridedCopy.Fill(ref chunkRef, chunkOffset, chunkSteps, counts, scalar);
            return;
        }

        ref var src = ref Unsafe.As<TElement, byte>(ref MemoryMarshal.GetReference(source.Span));
        StridedCopy.Copy(ref src, inOffset, inSteps, ref chunkRef, chunkOffset, chunkSteps, counts, DataType.ItemSize);
    }

    private Task ForEachChunkAsync(SelectionPlan plan, Func<ChunkSelection, CancellationToken, ValueTask> body, CancellationToken cancellationToken) =>
        ForEachAsync(plan.Chunks(), plan.ChunkCount, body, cancellationToken);

    // Runs body for each chunk, in parallel across chunks up to the array's degree of parallelism.
    private async Task ForEachAsync<TChunk>(IEnumerable<TChunk> chunks, long count, Func<TChunk, CancellationToken, ValueTask> body, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return;
        }

        if (count == 1 || _state.Parallelism == 1)
        {
            foreach (var chunk in chunks)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await body(chunk, cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = _state.Parallelism, CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(chunks, options, body).ConfigureAwait(false);
    }

    // ---------------------------------------------------------------- advanced selections (orthogonal, coordinate, mask, block)

    /// <summary>Reads an advanced selection into <paramref name="destination"/> (C order, exactly the plan's element count).</summary>
    private protected async Task ReadPlanAsync<TElement>(IndexPlan plan, Memory<TElement> destination, CancellationToken cancellationToken)
        where TElement : unmanaged
    {
        var itemSize = DataType.ItemSize;
        if ((long)destination.Length * Unsafe.SizeOf<TElement>() != checked(plan.ElementCount * itemSize))
        {
            throw new ZarrSelectionException($"the destination holds {destination.Length} elements but the selection of shape ({string.Join(", ", plan.OutputShape)}) has {plan.ElementCount}");
        }

        await ForEachAsync(plan.Chunks(), plan.ChunkCount, async (chunk, ct) =>
        {
            // For sharding: only the chunk's region that holds the selected elements (those inner chunks).
            var region = _state.Current.PartialDecoder is not null && !plan.Covers(chunk) ? plan.Region(chunk) : (ChunkRegion?)null;
            using var decoded = await FetchDecodedAsync(chunk.Coordinates, region, ct).ConfigureAwait(false);
            TransferOut(plan, chunk, decoded, destination);
        }, cancellationToken).ConfigureAwait(false);
    }

    // Copies a chunk's selected elements out, or the fill value where the chunk is missing (null).
    private void TransferOut<TElement>(IndexPlan plan, PlannedChunk chunk, PooledBuffer? decoded, Memory<TElement> destination)
        where TElement : unmanaged
    {
        var current = _state.Current;
        ref var output = ref Unsafe.As<TElement, byte>(ref MemoryMarshal.GetReference(destination.Span));
        ref var source = ref decoded is null
            ? ref MemoryMarshal.GetArrayDataReference(current.Metadata.FillValue)
            : ref MemoryMarshal.GetReference(decoded.Span);
        plan.Transfer(chunk, ref source, decoded is null, current.ChunkStrides, ref output, false, false, DataType.ItemSize);
    }

    /// <summary>Writes <paramref name="source"/> (the plan's element count, C order) into an advanced selection, or broadcasts <paramref name="scalar"/> when it is given.</summary>
    private protected async Task WritePlanAsync<TElement>(IndexPlan plan, ReadOnlyMemory<TElement> source, byte[]? scalar, CancellationToken cancellationToken)
        where TElement : unmanaged
    {
        EnsureWritable();
        var itemSize = DataType.ItemSize;
        if (scalar is null && (long)source.Length * Unsafe.SizeOf<TElement>() != checked(plan.ElementCount * itemSize))
        {
            throw new ZarrSelectionException($"the data holds {source.Length} elements but the selection of shape ({string.Join(", ", plan.OutputShape)}) has {plan.ElementCount}");
        }

        var locks = ChunkLocks.For(Store);
        using var writing = await EnterWriteAsync(plan.Grid, cancellationToken).ConfigureAwait(false);
        await ForEachAsync(plan.Chunks(), plan.ChunkCount, (chunk, ct) => ModifyChunkAsync(
            locks,
            plan.Grid,
            chunk.Coordinates,
            plan.Covers(chunk),
            (Plan: plan, Chunk: chunk, Source: source, Scalar: scalar),
            static (array, state, decoded) =>
            {
                ref var input = ref state.Scalar is { } item
                    ? ref MemoryMarshal.GetArrayDataReference(item)
                    : ref Unsafe.As<TElement, byte>(ref MemoryMarshal.GetReference(state.Source.Span));
                state.Plan.Transfer(state.Chunk, ref MemoryMarshal.GetReference(decoded), false, array._state.Current.ChunkStrides, ref input, state.Scalar is not null, true, array.DataType.ItemSize);
            },
            ct), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a selection as raw little-endian bytes, C order, for arrays whose type is known only at run time.</summary>
    /// <returns>The bytes and the selection's shape.</returns>
    public async Task<(byte[] Data, long[] Shape)> ReadBytesAsync(Slice[] selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ZarrStringArray.ThrowIfVariableLength(this); // dtypes: strings have no byte form (see ZarrStringArray)
        var plan = SelectionPlan.Create(Grid, selection);
        var bytes = checked(plan.ElementCount * DataType.ItemSize);
        if (bytes > Array.MaxLength)
        {
            throw new ZarrSelectionException($"a selection of {Sizes.Human(bytes)} does not fit in one buffer; read it in parts");
        }

        var data = GC.AllocateUninitializedArray<byte>((int)bytes);
        await ReadCoreAsync<byte>(plan, data, cancellationToken).ConfigureAwait(false);
        return (data, plan.OutputShape);
    }

    /// <summary>
    /// Reads a selection as raw little-endian bytes, C order, into <paramref name="destination"/> (exactly the
    /// selection's size in bytes), which the caller owns: the byte form of <see cref="ZarrArray{T}.ReadIntoAsync(Slice[], Memory{T}, CancellationToken)"/>
    /// for every fixed-size type, those without an unmanaged CLR type (fixed strings, structured types) included.
    /// </summary>
    internal Task ReadBytesIntoAsync(Slice[] selection, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ZarrStringArray.ThrowIfVariableLength(this); // dtypes: strings have no byte form (see ZarrStringArray)
        return ReadCoreAsync(SelectionPlan.Create(Grid, selection), destination, cancellationToken);
    }

    /// <summary>Writes raw little-endian bytes (C order, the selection's shape) into a selection.</summary>
    public Task WriteBytesAsync(Slice[] selection, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ZarrStringArray.ThrowIfVariableLength(this); // dtypes: strings have no byte form (see ZarrStringArray)
        return WriteCoreAsync(SelectionPlan.Create(Grid, selection), data, null, cancellationToken);
    }

    // ---------------------------------------------------------------- resize, attributes, info

    /// <summary>
    /// Changes the shape. Growing writes only metadata. Shrinking deletes the chunks wholly outside the new shape and
    /// resets, in the chunks that straddle the new edge, the elements outside it to the fill value, so that growing
    /// again never brings back old data. Data inside the new shape is kept.
    /// </summary>
    /// <remarks>
    /// The metadata is changed as a read-modify-write of the stored document under the node's lock, which every handle in
    /// this process on the same array and <see cref="IStore.Location"/> shares: concurrent resizes and attribute changes
    /// never lose each other, and the stored attributes are kept. The handle's metadata is then what was written.
    /// </remarks>
    /// <exception cref="ZarrException">The rank differs or a dimension is negative.</exception>
    /// <exception cref="ZarrNodeException">The array is no longer in the store.</exception>
    public async Task ResizeAsync(long[] shape, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shape);
        EnsureWritable();
        shape = (long[])shape.Clone();
        CheckRank(shape, Rank);
        await ChangeMetadataAsync(
            async (stored, ct) =>
            {
                CheckRank(shape, stored.Rank);
                var newMetadata = stored with { Shape = shape };
                var newGrid = new ChunkGrid(newMetadata.Shape, newMetadata.ChunkShape);
                var shrinks = false;
                for (var d = 0; d < shape.Length; d++)
                {
                    shrinks |= shape[d] < stored.Shape[d];
                }

                if (shrinks)
                {
                    await TrimChunksAsync(newGrid, ct).ConfigureAwait(false);
                }

                return newMetadata;
            },
            cancellationToken).ConfigureAwait(false);

        void CheckRank(long[] shape, int rank)
        {
            if (shape.Length != rank)
            {
                throw new ZarrException($"cannot resize array '/{Path}' of {rank} dimensions to ({string.Join(", ", shape)})");
            }
        }
    }

    /// <summary>
    /// A read-modify-write of the array's metadata: under the node's exclusive lock, the stored document is read again
    /// (and becomes this handle's metadata), <paramref name="change"/> makes the new metadata from it, which is written,
    /// published to the other handles in this process, and becomes this handle's.
    /// </summary>
    private async Task ChangeMetadataAsync(Func<ArrayMetadata, CancellationToken, ValueTask<ArrayMetadata>> change, CancellationToken cancellationToken)
    {
        var node = _state.Node;
        using var exclusive = await node.Gate.EnterExclusiveAsync(cancellationToken).ConfigureAwait(false);
        var stored = await NodeIO.ReadArrayMetadataAsync(Store, Path, cancellationToken).ConfigureAwait(false)
            ?? throw new ZarrNodeException(Path, $"no array found in {Store}: it was deleted after this handle opened it");
        if (stored.DataType != DataType)
        {
            throw new ZarrException($"array '/{Path}' was replaced by an array of {stored.DataType} after this handle opened it as {DataType}; open it again");
        }

        // The chunks are trimmed by the stored metadata, which may be newer than this handle's (another process's change).
        _state.Update(stored, node.Version);
        var updated = await change(stored, cancellationToken).ConfigureAwait(false);
        await NodeIO.WriteArrayMetadataAsync(Store, Path, updated, cancellationToken).ConfigureAwait(false);
        _state.Update(updated, node.Publish(updated));
    }

    private async Task TrimChunksAsync(ChunkGrid newGrid, CancellationToken cancellationToken)
    {
        var rank = Rank;
        var straddling = new List<long[]>();
        var prefix = NodePaths.Prefix(Path);
        var coords = new long[rank];
        var toDelete = new List<string>();
        await foreach (var entry in Store.ListPrefixAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            if (!Metadata.ChunkKeyEncoding.TryDecode(entry.Key[prefix.Length..], rank, coords))
            {
                continue;
            }

            // Also a chunk left outside the old shape (by an older writer): nothing outside the shape may come back.
            if (!newGrid.Contains(coords))
            {
                toDelete.Add(entry.Key);
                continue;
            }

            for (var d = 0; d < rank; d++)
            {
                if ((coords[d] + 1) * newGrid.ChunkShape[d] > newGrid.Shape[d] && newGrid.Shape[d] < Grid.Shape[d])
                {
                    straddling.Add((long[])coords.Clone());
                    break;
                }
            }
        }

        // Under each chunk's lock too, for whoever stores whole chunks beside (AcquireChunkLockAsync).
        var locks = ChunkLocks.For(Store);
        foreach (var key in toDelete)
        {
            using var held = await locks.AcquireAsync(key, cancellationToken).ConfigureAwait(false);
            await Store.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
        }

        foreach (var c in straddling)
        {
            using var held = await locks.AcquireAsync(GetChunkKey(c), cancellationToken).ConfigureAwait(false);
            if (DataType.IsFixedSize)
            {
                await TrimChunkAsync(c, newGrid, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await new ZarrStringArray(this).TrimChunkAsync(c, newGrid, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // Resets the elements of a stored chunk that lie outside the grid's shape to the fill value (the caller holds its lock).
    private async ValueTask TrimChunkAsync(long[] coordinates, ChunkGrid newGrid, CancellationToken cancellationToken)
    {
        using var existing = await FetchChunkAsync(coordinates, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            return;
        }

        using var decoded = PooledBuffer.RentDecoded(_state.Current.Spec.ByteLength);
        DecodeChunk(existing.Span, false, coordinates, decoded.Span);
        FillOutside(decoded.Span, coordinates, newGrid);
        using var encoded = EncodeChunk(decoded.Span, coordinates);
        await StoreChunkAsync(coordinates, encoded?.Memory, cancellationToken).ConfigureAwait(false);
    }

    // Sets every element of a decoded chunk that lies outside the grid's shape to the fill value.
    private void FillOutside(Span<byte> decoded, long[] coords, ChunkGrid grid)
    {
        var rank = Rank;
        var strides = _state.Current.ChunkStrides;
        Span<nint> steps = stackalloc nint[rank];
        Span<long> counts = stackalloc long[rank];
        for (var d = 0; d < rank; d++)
        {
            var valid = Math.Clamp(grid.Shape[d] - (coords[d] * grid.ChunkShape[d]), 0, grid.ChunkShape[d]);
            if (valid >= grid.ChunkShape[d])
            {
                continue;
            }

            // The slab beyond the edge along d, whole along every other dimension.
            nint offset = (nint)(valid * strides[d]);
            for (var k = 0; k < rank; k++)
            {
                steps[k] = (nint)strides[k];
                counts[k] = k == d ? grid.ChunkShape[d] - valid : grid.ChunkShape[k];
            }

            StridedCopy.Fill(ref MemoryMarshal.GetReference(decoded), offset, steps, counts, Metadata.FillValue);
        }
    }

    /// <summary>Replaces the array's attributes.</summary>
    /// <remarks>
    /// A read-modify-write of the stored document under the node's lock (see <see cref="ResizeAsync"/>): the stored shape
    /// is kept, whatever this handle last saw. The handle's metadata is then what was written.
    /// </remarks>
    /// <exception cref="ZarrNodeException">The array is no longer in the store.</exception>
    public async Task SetAttributesAsync(JsonObject attributes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        EnsureWritable();
        var copy = (JsonObject)attributes.DeepClone();
        await ChangeMetadataAsync((stored, _) => ValueTask.FromResult(stored with { Attributes = copy }), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The summary of the array, with what is stored (this lists the array's keys in the store).</summary>
    public async Task<ArrayInfo> GetInfoAsync(CancellationToken cancellationToken = default)
    {
        var metadata = Metadata;
        var grid = Grid;
        var prefix = NodePaths.Prefix(Path);
        var coords = new long[metadata.Rank];
        long initialized = 0, stored = 0;
        await foreach (var entry in Store.ListPrefixAsync(prefix, cancellationToken).ConfigureAwait(false))
        {
            var relative = entry.Key[prefix.Length..];
            if (metadata.ChunkKeyEncoding.TryDecode(relative, metadata.Rank, coords) && grid.Contains(coords))
            {
                initialized++;
                stored += entry.Size;
            }
            else if (relative is MetadataSerializer.ZarrJson or MetadataSerializer.ZArray or MetadataSerializer.ZAttrs)
            {
                stored += entry.Size;
            }
        }

        return new ArrayInfo(this, metadata, stored, initialized, grid.ChunkCount);
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

    /// <summary>Byte strides of the selection's output, full rank (a dropped dimension has count 1).</summary>
    private protected readonly struct OutputGeometry
    {
        public OutputGeometry(SelectionPlan plan, int itemSize)
        {
            var rank = plan.Dimensions.Length;
            Strides = new long[rank];
            long stride = itemSize;
            for (var d = rank - 1; d >= 0; d--)
            {
                Strides[d] = stride;
                stride = checked(stride * plan.Dimensions[d].Count);
            }
        }

        public long[] Strides { get; }
    }
}
