using System.Collections.Immutable;
using System.Numerics;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Datasets;

/// <summary>
/// Dimensions, coordinates, variables and attributes to write as a dataset (<see cref="ZarrDataset.CreateAsync"/>), to
/// append along a dimension (<see cref="ZarrDataset.AppendAsync"/>) or to write into a region
/// (<see cref="ZarrDataset.WriteRegionAsync"/>): xarray's <c>Dataset</c> before <c>to_zarr</c>. Values are in C order;
/// each <c>Add</c> checks them against the lengths the dimensions already have.
/// </summary>
public sealed class DatasetContents
{
    private readonly List<ContentVariable> _variables = [];
    private readonly Dictionary<string, long> _dimensions = new(StringComparer.Ordinal);

    /// <summary>The dataset's attributes (the group's), to fill in.</summary>
    public JsonObject Attributes { get; } = [];

    /// <summary>The names of the variables added, in order.</summary>
    public IReadOnlyList<string> VariableNames => [.. _variables.Select(v => v.Name)];

    /// <summary>The dimensions named so far and their lengths.</summary>
    public IReadOnlyDictionary<string, long> Dimensions => _dimensions;

    internal IReadOnlyList<ContentVariable> Variables => _variables;

    /// <summary>Gives a dimension without a coordinate its length.</summary>
    /// <exception cref="ZarrException">The dimension already has another length.</exception>
    public DatasetContents AddDimension(string name, long length)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Bind(name, length, name);
        return this;
    }

    /// <summary>Adds an index coordinate of numbers: the variable <paramref name="name"/> over the dimension of the same name.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the values (numbers, times, booleans), so no call is ambiguous.")]
    public DatasetContents AddCoordinate<T>(string name, T[] values, JsonObject? attributes = null, CfEncoding? encoding = null) where T : unmanaged, INumberBase<T> =>
        Add(name, [name], new NumberValues<T>(Checked(values)), attributes, encoding);

    /// <summary>Adds an index coordinate of times (UTC), CF-encoded as xarray does (int64 in the coarsest whole unit since the first time; see <see cref="CfTimeUnits.Infer"/>) unless <paramref name="encoding"/> gives units.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the values (numbers, times, booleans), so no call is ambiguous.")]
    public DatasetContents AddCoordinate(string name, DateTime[] values, JsonObject? attributes = null, CfEncoding? encoding = null) =>
        Add(name, [name], new TimeValues(Checked(values)), attributes, encoding);

    /// <summary>Adds a variable of numbers over <paramref name="dimensions"/>; <paramref name="encoding"/> may pack them (scale, offset, a <see cref="CfEncoding.StorageType"/>) and mark missing ones.</summary>
    /// <exception cref="ZarrException">The number of values is not the product of the dimensions' lengths (a dimension not yet known takes what is left, when it is the only one).</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the values (numbers, times, booleans), so no call is ambiguous.")]
    public DatasetContents AddVariable<T>(string name, string[] dimensions, T[] values, JsonObject? attributes = null, CfEncoding? encoding = null) where T : unmanaged, INumberBase<T> =>
        Add(name, dimensions, new NumberValues<T>(Checked(values)), attributes, encoding);

    /// <summary>Adds a variable of times (UTC) over <paramref name="dimensions"/>.</summary>
    /// <exception cref="ZarrException">The number of values is not the product of the dimensions' lengths.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the values (numbers, times, booleans), so no call is ambiguous.")]
    public DatasetContents AddVariable(string name, string[] dimensions, DateTime[] values, JsonObject? attributes = null, CfEncoding? encoding = null) =>
        Add(name, dimensions, new TimeValues(Checked(values)), attributes, encoding);

    /// <summary>Adds a variable of booleans over <paramref name="dimensions"/>, stored as xarray does (int8 with the attribute <c>dtype: "bool"</c>).</summary>
    /// <exception cref="ZarrException">The number of values is not the product of the dimensions' lengths.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The overloads differ by the type of the values (numbers, times, booleans), so no call is ambiguous.")]
    public DatasetContents AddVariable(string name, string[] dimensions, bool[] values, JsonObject? attributes = null) =>
        Add(name, dimensions, new BoolValues(Checked(values)), attributes, null);

    internal ContentVariable? Find(string name) => _variables.FirstOrDefault(v => v.Name == name);

    private static T[] Checked<T>(T[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values;
    }

    private DatasetContents Add(string name, string[] dimensions, ContentValues values, JsonObject? attributes, CfEncoding? encoding)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (_variables.Any(v => v.Name == name))
        {
            throw new ZarrException($"the dataset already has a variable {UserText.Quote(name)}");
        }

        if (dimensions.Distinct().Count() != dimensions.Length || dimensions.Any(d => d is null))
        {
            throw new ZarrException($"variable {UserText.Quote(name)}: each dimension needs a name, once ({string.Join(", ", dimensions.Select(UserText.Quote))})");
        }

        var unknown = dimensions.Where(d => !_dimensions.ContainsKey(d)).ToArray();
        var known = dimensions.Where(_dimensions.ContainsKey).Aggregate(1L, (a, d) => checked(a * _dimensions[d]));
        if (unknown.Length == 1 && known > 0 && values.Length % known == 0)
        {
            Bind(unknown[0], values.Length / known, name);
        }
        else if (unknown.Length > 0)
        {
            throw new ZarrException($"variable {UserText.Quote(name)}: the lengths of {string.Join(", ", unknown.Select(UserText.Quote))} are not known; add their coordinates or AddDimension first");
        }

        long[] shape = [.. dimensions.Select(d => _dimensions[d])];
        var size = shape.Aggregate(1L, (a, b) => checked(a * b));
        if (size != values.Length)
        {
            throw new ZarrException($"variable {UserText.Quote(name)} has {values.Length} values, but its dimensions ({string.Join(", ", dimensions.Select((d, i) => $"{d}: {shape[i]}"))}) hold {size}");
        }

        _variables.Add(new ContentVariable(name, [.. dimensions], [.. shape], values, (JsonObject?)attributes?.DeepClone() ?? [], encoding ?? CfEncoding.None));
        return this;
    }

    private void Bind(string dimension, long length, string variable)
    {
        if (_dimensions.TryGetValue(dimension, out var known) && known != length)
        {
            throw new ZarrException($"variable {UserText.Quote(variable)}: dimension {UserText.Quote(dimension)} has length {length}, but already has length {known}");
        }

        _dimensions[dimension] = length;
    }
}

/// <summary>A variable to write: its dimensions, shape, values, attributes and encoding as given.</summary>
internal sealed record ContentVariable(string Name, ImmutableArray<string> Dimensions, ImmutableArray<long> Shape, ContentValues Values, JsonObject Attributes, CfEncoding Encoding);
