using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Datasets;

public sealed partial class ZarrDataset
{
    /// <summary>
    /// Writes <paramref name="contents"/> as a new dataset, as xarray's <c>to_zarr</c>: a group with the dataset's
    /// attributes, one array per variable with its dimension names (v2 <c>_ARRAY_DIMENSIONS</c>, v3 <c>dimension_names</c>),
    /// CF-encoded (times as int64 counts with <c>units</c> and <c>calendar</c>, booleans as int8 with <c>dtype: "bool"</c>,
    /// floats with a NaN fill value, packing and fill values as each variable's <see cref="CfEncoding"/> says), and
    /// consolidated metadata.
    /// </summary>
    /// <returns>The dataset as written, open for reading and writing.</returns>
    /// <exception cref="ZarrNodeException">A node exists at the path and <see cref="DatasetWriteOptions.Overwrite"/> is false.</exception>
    /// <exception cref="ZarrException">A value does not fit its stored type, or a variable's attributes and encoding disagree.</exception>
    public static async Task<ZarrDataset> CreateAsync(IStore store, string path, DatasetContents contents, DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(contents);
        options ??= new DatasetWriteOptions();
        var group = await ZarrGroup.CreateAsync(store, path, options.Format, contents.Attributes, options.Overwrite, cancellationToken).ConfigureAwait(false);
        foreach (var variable in contents.Variables)
        {
            await CreateVariableAsync(group, variable, options, cancellationToken).ConfigureAwait(false);
        }

        if (options.Consolidated)
        {
            await group.ConsolidateMetadataAsync(cancellationToken).ConfigureAwait(false);
        }

        return await ReopenAsync(group, true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Adds the variables of <paramref name="contents"/> to the dataset, replacing those of the same name (xarray's
    /// <c>to_zarr(mode="a")</c> without <c>append_dim</c>), and sets its attributes; their dimensions must have the lengths
    /// they have here. Refreshes consolidated metadata when the group has some.
    /// </summary>
    /// <returns>The dataset as written.</returns>
    /// <exception cref="ZarrException">The dataset was opened read-only, or a dimension's length differs.</exception>
    public async Task<ZarrDataset> WriteAsync(DatasetContents contents, DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contents);
        options ??= new DatasetWriteOptions();
        foreach (var variable in contents.Variables)
        {
            for (var i = 0; i < variable.Dimensions.Length; i++)
            {
                if (_dimensions.TryGetValue(variable.Dimensions[i], out var length) && length != variable.Shape[i])
                {
                    throw new ZarrException($"variable {UserText.Quote(variable.Name)}: dimension {UserText.Quote(variable.Dimensions[i])} has length {variable.Shape[i]}, but {length} in dataset {UserText.Quote("/" + Group.Path)}");
                }
            }
        }

        foreach (var variable in contents.Variables)
        {
            await CreateVariableAsync(Group, variable, options with { Overwrite = true }, cancellationToken).ConfigureAwait(false);
        }

        if (contents.Attributes.Count > 0)
        {
            await Group.UpdateAttributesAsync(contents.Attributes, null, cancellationToken).ConfigureAwait(false);
        }

        return await FinishWriteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Appends <paramref name="contents"/> along <paramref name="dimension"/>, as xarray's <c>to_zarr(append_dim=...)</c>:
    /// every variable with that dimension grows by the contents' length of it, its new values encoded as the stored ones
    /// are (the same time units, packing and fill value); variables without it are overwritten. Refreshes consolidated
    /// metadata when the group has some.
    /// </summary>
    /// <returns>The dataset as written.</returns>
    /// <exception cref="ZarrException">A variable with the dimension is missing from the contents, a variable in them is not in the dataset or has other dimensions, another dimension's length differs, a value does not fit, or the dataset was opened read-only.</exception>
    public async Task<ZarrDataset> AppendAsync(string dimension, DatasetContents contents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dimension);
        ArgumentNullException.ThrowIfNull(contents);
        _ = DimensionLength(dimension);
        foreach (var variable in _variables)
        {
            if (variable.StoredDimensions.Contains(dimension) && contents.Find(variable.Name) is null)
            {
                throw new ZarrException($"appending along {UserText.Quote(dimension)} to dataset {UserText.Quote("/" + Group.Path)}: variable {UserText.Quote(variable.Name)} has that dimension but is not in the contents appended");
            }
        }

        var writes = new List<(ZarrArray Array, long[] Shape, Slice[] Selection, byte[] Bytes)>();
        foreach (var content in contents.Variables)
        {
            var stored = Matching(content, "append");
            var axis = stored.StoredDimensions.IndexOf(dimension);
            var shape = stored.Array.Shape.ToArray();
            var selection = new Slice[shape.Length];
            for (var i = 0; i < shape.Length; i++)
            {
                if (i == axis)
                {
                    selection[i] = Slice.Range(shape[i], shape[i] + content.Shape[i]);
                    shape[i] += content.Shape[i];
                }
                else if (content.Shape[i] != shape[i])
                {
                    throw new ZarrException($"appending along {UserText.Quote(dimension)}: variable {UserText.Quote(content.Name)} has length {content.Shape[i]} along {UserText.Quote(stored.StoredDimensions[i])}, where the dataset has {shape[i]}");
                }
                else
                {
                    selection[i] = Slice.All;
                }
            }

            writes.Add((stored.Array, shape, selection, EncodeLike(stored, content)));
        }

        foreach (var (array, shape, selection, bytes) in writes)
        {
            if (!shape.AsSpan().SequenceEqual(array.Shape.AsSpan()))
            {
                await array.ResizeAsync(shape, cancellationToken).ConfigureAwait(false);
            }

            await WriteValuesAsync(array, selection, bytes, cancellationToken).ConfigureAwait(false);
        }

        return await FinishWriteAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes <paramref name="contents"/> into a region of the dataset's variables, as xarray's <c>to_zarr(region=...)</c>:
    /// each variable's values go at <paramref name="start"/> along the dimensions it names (0 along the others, whose
    /// lengths must then be the dataset's), encoded as the stored values are.
    /// </summary>
    /// <returns>The dataset as written.</returns>
    /// <exception cref="ZarrException">A variable is not in the dataset or has other dimensions, the region is out of bounds, a value does not fit, or the dataset was opened read-only.</exception>
    public async Task<ZarrDataset> WriteRegionAsync(DatasetContents contents, IReadOnlyDictionary<string, long> start, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(contents);
        ArgumentNullException.ThrowIfNull(start);
        var writes = new List<(ZarrArray Array, Slice[] Selection, byte[] Bytes)>();
        foreach (var content in contents.Variables)
        {
            var stored = Matching(content, "region write");
            var selection = new Slice[content.Shape.Length];
            for (var i = 0; i < selection.Length; i++)
            {
                var from = start.GetValueOrDefault(stored.StoredDimensions[i]);
                var length = stored.Array.Shape[i];
                if (from < 0 || from + content.Shape[i] > length || (!start.ContainsKey(stored.StoredDimensions[i]) && content.Shape[i] != length))
                {
                    throw new ZarrException($"region write: variable {UserText.Quote(content.Name)} covers {from} to {from + content.Shape[i]} along {UserText.Quote(stored.StoredDimensions[i])}, which has length {length}{(start.ContainsKey(stored.StoredDimensions[i]) ? "" : " (a dimension not in the region is written whole)")}");
                }

                selection[i] = Slice.Range(from, from + content.Shape[i]);
            }

            writes.Add((stored.Array, selection, EncodeLike(stored, content)));
        }

        foreach (var (array, selection, bytes) in writes)
        {
            await WriteValuesAsync(array, selection, bytes, cancellationToken).ConfigureAwait(false);
        }

        return await FinishWriteAsync(cancellationToken).ConfigureAwait(false);
    }

    private DatasetVariable Matching(ContentVariable content, string operation)
    {
        if (!TryGetVariable(content.Name, out var stored))
        {
            throw new ZarrException($"{operation}: dataset {UserText.Quote("/" + Group.Path)} has no variable {UserText.Quote(content.Name)} (add new variables with WriteAsync)");
        }

        if (!stored.StoredDimensions.SequenceEqual(content.Dimensions))
        {
            throw new ZarrException($"{operation}: variable {UserText.Quote(content.Name)} has dimensions ({string.Join(", ", content.Dimensions)}), but ({string.Join(", ", stored.StoredDimensions)}) in the dataset");
        }

        return stored;
    }

    // New values of a stored variable take its encoding (xarray appends with the encoding on disk).
    private byte[] EncodeLike(DatasetVariable stored, ContentVariable content)
    {
        if (!DecodesCF)
        {
            throw new ZarrException($"dataset {UserText.Quote("/" + Group.Path)} was opened without CF decoding, so the encoding of variable {UserText.Quote(content.Name)} is not known; open it with DecodeCF to write into it");
        }

        var kind = stored.Kind == DatasetValueKind.Other ? DatasetValueKind.Number : stored.Kind;
        if (content.Values.Kind != kind)
        {
            throw new ZarrException($"variable {UserText.Quote(content.Name)} holds {stored.Kind.ToString().ToLowerInvariant()} values; the values given are {content.Values.Kind.ToString().ToLowerInvariant()} values");
        }

        return content.Values.Encode(stored.Array.DataType, stored.Encoding, content.Name);
    }

    private async Task<ZarrDataset> FinishWriteAsync(CancellationToken cancellationToken)
    {
        if (await ConsolidatedMetadata.TryOpenAsync(Group.Store, Group.Path, cancellationToken).ConfigureAwait(false) is not null)
        {
            await Group.ConsolidateMetadataAsync(cancellationToken).ConfigureAwait(false);
        }

        return await ReopenAsync(Group, DecodesCF, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<ZarrDataset> ReopenAsync(ZarrGroup group, bool decodeCF, CancellationToken cancellationToken)
    {
        var reopened = await ZarrGroup.OpenAsync(group.Store, group.Path, AccessMode.ReadWrite, cancellationToken).ConfigureAwait(false);
        return await FromGroupAsync(reopened, decodeCF, cancellationToken).ConfigureAwait(false);
    }

    private static Task WriteValuesAsync(ZarrArray array, Slice[] selection, byte[] bytes, CancellationToken cancellationToken) =>
        bytes.Length == 0 ? Task.CompletedTask : array.WriteBytesAsync(selection, bytes, cancellationToken);

    private static async Task CreateVariableAsync(ZarrGroup group, ContentVariable variable, DatasetWriteOptions options, CancellationToken cancellationToken)
    {
        var encoding = DefaultEncoding(variable);
        var storage = encoding.StorageType!;
        var attributes = EncodedAttributes(variable, encoding, group.Format);
        var chunks = variable.Dimensions.Select((d, i) => options.Chunks is not null && options.Chunks.TryGetValue(d, out var c) ? c : (int)Math.Clamp(variable.Shape[i], 1, int.MaxValue));
        var arrayOptions = new ArrayOptions
        {
            Chunks = [.. chunks],
            Attributes = attributes,
            DimensionNames = [.. variable.Dimensions],
        };
        arrayOptions = encoding.FillValue is { } fill
            ? arrayOptions with { FillValue = FillJson(fill, storage) }
            : group.Format == ZarrFormat.V2 ? arrayOptions with { FillValueIsNull = true } : arrayOptions;

        var array = await group.CreateArrayAsync(variable.Name, storage, [.. variable.Shape], arrayOptions, options.Overwrite, cancellationToken).ConfigureAwait(false);
        var bytes = variable.Values.Encode(storage, encoding, variable.Name);
        await WriteValuesAsync(array, [.. variable.Shape.Select(_ => Slice.All)], bytes, cancellationToken).ConfigureAwait(false);
    }

    // xarray's defaults (conventions.encode_cf_variable): times as int64 counts in inferred units, proleptic_gregorian;
    // booleans as int8; floats with NaN as _FillValue.
    private static CfEncoding DefaultEncoding(ContentVariable variable)
    {
        var encoding = variable.Encoding;
        var values = variable.Values;
        return values.Kind switch
        {
            DatasetValueKind.Time => encoding with
            {
                TimeUnits = encoding.TimeUnits ?? CfTimeUnits.Infer(values.Times),
                Calendar = encoding.Calendar ?? "proleptic_gregorian",
                StorageType = encoding.StorageType ?? ZarrDataType.Int64,
            },
            DatasetValueKind.Bool => encoding with { StoredAsBool = true, StorageType = ZarrDataType.Int8 },
            _ => encoding with
            {
                StorageType = encoding.StorageType ?? values.DefaultStorage,
                FillValue = encoding.FillValue ?? ((encoding.StorageType ?? values.DefaultStorage).IsFloatingPoint ? double.NaN : null),
            },
        };
    }

    private static JsonObject EncodedAttributes(ContentVariable variable, CfEncoding encoding, ZarrFormat format)
    {
        var attributes = (JsonObject)variable.Attributes.DeepClone();
        void Set(string key, JsonNode? value)
        {
            if (attributes.ContainsKey(key))
            {
                throw new ZarrException($"variable {UserText.Quote(variable.Name)}: the attribute {UserText.Quote(key)} is CF encoding, which the library writes from the variable's values and CfEncoding; leave it out of the attributes");
            }

            attributes[key] = value;
        }

        if (encoding.ScaleFactor is { } scale)
        {
            Set(CfDecoding.ScaleFactor, scale);
        }

        if (encoding.AddOffset is { } offset)
        {
            Set(CfDecoding.AddOffset, offset);
        }

        if (encoding.MissingValue is { } missing)
        {
            Set(CfDecoding.MissingValue, NumberJson(missing, encoding.StorageType!));
        }

        if (variable.Values.Kind == DatasetValueKind.Time)
        {
            Set(CfDecoding.Units, encoding.TimeUnits!.ToString());
            Set(CfDecoding.Calendar, encoding.Calendar);
        }

        if (encoding.StoredAsBool)
        {
            Set(CfDecoding.DType, "bool");
        }

        // A v3 array always has a fill value, so (as xarray does for v3) the one that marks missing values is an attribute.
        if (format == ZarrFormat.V3 && encoding.FillValue is { } fill)
        {
            Set(CfDecoding.FillValue, NumberJson(fill, encoding.StorageType!));
        }

        return attributes;
    }

    private static JsonValue FillJson(double value, ZarrDataType storage) => NumberJson(value, storage);

    private static JsonValue NumberJson(double value, ZarrDataType storage) =>
        double.IsNaN(value) ? JsonValue.Create("NaN")
        : double.IsPositiveInfinity(value) ? JsonValue.Create("Infinity")
        : double.IsNegativeInfinity(value) ? JsonValue.Create("-Infinity")
        : ElementConversion.IsInteger(storage) ? JsonValue.Create((long)value)
        : JsonValue.Create(value);
}
