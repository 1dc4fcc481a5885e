using Zarr.Storage.Internal;
using Zarr.Storage.Codecs;

namespace Zarr.Storage;

/// <summary>The entry points: open an array, or create one (the factories of zarr's <c>create</c>, <c>zeros</c>, <c>full</c>, ...).</summary>
public partial class ZarrArray
{
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
    /// <remarks>Without <c>options.Format</c>, the array takes the format of the group above it (v3 when there is none).</remarks>
    public static async Task<ZarrArray> CreateAsync(IStore store, string path, ZarrDataType dataType, long[] shape, ArrayOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        options = await HierarchyFormat.ForArrayAsync(store, path, options, cancellationToken).ConfigureAwait(false);
        var fill = options?.FillValue is null ? new byte[dataType.ItemSize] : ArrayMetadataBuilder.ParseFillValue(options.FillValue, dataType);
        var metadata = ArrayMetadataBuilder.Build(shape, dataType, fill, options ?? new ArrayOptions());
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
        if (metadata.ChunkShape.Length == metadata.Shape.Length && Sizes.CheckArray([.. metadata.Shape], [.. metadata.ChunkShape], metadata.DataType) is var (_, tooLarge))
        {
            throw new ZarrException($"cannot create array {UserText.Quote("/" + path)}: {tooLarge}");
        }

        _ = metadata.CreateGrid();

        metadata.Pipeline.Validate(metadata.ChunkSpec);
        if (!metadata.RectilinearChunks.IsDefault)
        {
            RectilinearRules.Validate(metadata, metadata.Pipeline, metadata.ChunkSpec);
        }
        MetadataSerializer.CheckNullFillValue(metadata);
        if (metadata.FillValueIsNull && metadata.Format == ZarrFormat.V3)
        {
            metadata = metadata with { FillValueIsNull = false };
        }

        // A v2 array's dimension names and its _ARRAY_DIMENSIONS attribute say the same, as reopening it would.
        metadata = V2DimensionNames.Normalize(metadata, path);

        if (store.IsReadOnly)
        {
            throw new ZarrStoreException(null, $"cannot create array {UserText.Quote("/" + path)}: {store} is read-only");
        }

        var node = NodeState.For(store, path);
        var version = node.Version;

        await NodeIO.MakeRoomAsync(store, path, overwrite, cancellationToken).ConfigureAwait(false);

        await NodeIO.EnsureParentGroupsAsync(store, path, metadata.Format, cancellationToken).ConfigureAwait(false);
        await NodeIO.WriteArrayMetadataAsync(store, path, metadata, cancellationToken).ConfigureAwait(false);
        return new ZarrArray(new ArrayState(store, path, metadata, false, maxDegreeOfParallelism, node, version));
    }

    private static async Task<ZarrArray<T>> CreateTypedAsync<T>(IStore store, string path, long[] shape, ArrayOptions? options, T? fillValue, bool overwrite, CancellationToken cancellationToken)
        where T : unmanaged
    {
        var dataType = ZarrDataType.Of<T>();
        options = await HierarchyFormat.ForArrayAsync(store, path, options, cancellationToken).ConfigureAwait(false);
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
            fill = ArrayMetadataBuilder.ParseFillValue(options.FillValue, dataType);
        }

        var metadata = ArrayMetadataBuilder.Build(shape, dataType, fill, options);
        var array = await CreateFromMetadataAsync(store, path, metadata, overwrite, options.MaxDegreeOfParallelism, cancellationToken).ConfigureAwait(false);
        return array.As<T>();
    }
}
