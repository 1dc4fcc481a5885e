using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Datasets;

/// <summary>
/// A group seen as xarray sees it: variables (its arrays) with named dimensions, shared by name across variables;
/// coordinates (a 1-d variable named as its dimension, or one listed in a <c>coordinates</c> attribute); attributes; and
/// CF decoding of times, packing and missing values (<see cref="DatasetOpenOptions.DecodeCF"/>). The names come from
/// v2's <c>_ARRAY_DIMENSIONS</c> attribute or v3's <c>dimension_names</c>. A dataset is a snapshot of the group as it was
/// opened or last written; the writes (<see cref="AppendAsync"/>, <see cref="WriteRegionAsync"/>, <see cref="WriteAsync"/>)
/// return the dataset as they left it.
/// </summary>
public sealed partial class ZarrDataset
{
    private readonly Dictionary<string, DatasetVariable> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, object> _labels = new(StringComparer.Ordinal);
    private readonly HashSet<string> _coordinateNames = new(StringComparer.Ordinal);
    private readonly List<DatasetVariable> _variables = [];
    private readonly Dictionary<string, long> _dimensions = new(StringComparer.Ordinal);
    private readonly List<string> _dimensionOrder = [];

    private ZarrDataset(ZarrGroup group, bool decodesCF)
    {
        Group = group;
        DecodesCF = decodesCF;
    }

    /// <summary>The group the dataset is read from.</summary>
    public ZarrGroup Group { get; }

    /// <summary>The dataset's attributes (the group's).</summary>
    public AttributeDictionary Attributes => Group.Attributes;

    /// <summary>True when the dataset decodes CF conventions (see <see cref="DatasetOpenOptions.DecodeCF"/>).</summary>
    public bool DecodesCF { get; }

    /// <summary>The dimensions and their lengths, in the order the variables (sorted by name) name them first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> Dimensions => [.. _dimensionOrder.Select(d => new KeyValuePair<string, long>(d, _dimensions[d]))];

    /// <summary>Every variable, coordinates included, sorted by name.</summary>
    public IReadOnlyList<DatasetVariable> Variables => _variables;

    /// <summary>The coordinates: index coordinates (a 1-d variable named as its dimension) and those named in a <c>coordinates</c> attribute.</summary>
    public IReadOnlyList<DatasetVariable> Coordinates => [.. _variables.Where(v => _coordinateNames.Contains(v.Name))];

    /// <summary>The data variables: the variables that are not coordinates.</summary>
    public IReadOnlyList<DatasetVariable> DataVariables => [.. _variables.Where(v => !_coordinateNames.Contains(v.Name))];

    /// <summary>The variable <paramref name="name"/>.</summary>
    /// <exception cref="ZarrException">There is no such variable.</exception>
    public DatasetVariable this[string name] => TryGetVariable(name, out var variable)
        ? variable
        : throw new ZarrException($"dataset {UserText.Quote("/" + Group.Path)} has no variable {UserText.Quote(name)} (it has {string.Join(", ", _variables.Select(v => UserText.Quote(v.Name)))})");

    /// <summary>The variable <paramref name="name"/>, when there is one.</summary>
    public bool TryGetVariable(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out DatasetVariable variable)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _byName.TryGetValue(name, out variable);
    }

    /// <summary>The length of dimension <paramref name="name"/>.</summary>
    /// <exception cref="ZarrException">No variable has the dimension.</exception>
    public long DimensionLength(string name) => _dimensions.TryGetValue(name, out var length)
        ? length
        : throw new ZarrException($"dataset {UserText.Quote("/" + Group.Path)} has no dimension {UserText.Quote(name)}");

    /// <summary>Opens the group at <paramref name="path"/> as a dataset.</summary>
    /// <param name="store">The store.</param>
    /// <param name="path">The group's path ("" for the root).</param>
    /// <param name="options">Decoding and access mode; null for the defaults (decode, read-only).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="ZarrNodeException">There is no group at the path.</exception>
    /// <exception cref="ZarrException">An array has no dimension names, or two variables give a dimension different lengths.</exception>
    public static async Task<ZarrDataset> OpenAsync(IStore store, string path = "", DatasetOpenOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        options ??= new DatasetOpenOptions();
        var group = await ZarrGroup.OpenAsync(store, path, options.Mode, cancellationToken).ConfigureAwait(false);
        return await FromGroupAsync(group, options.DecodeCF, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens a group already open as a dataset.</summary>
    /// <param name="group">The group.</param>
    /// <param name="decodeCF">Decode CF conventions (see <see cref="DatasetOpenOptions.DecodeCF"/>).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <exception cref="ZarrException">An array has no dimension names, or two variables give a dimension different lengths.</exception>
    public static async Task<ZarrDataset> FromGroupAsync(ZarrGroup group, bool decodeCF = true, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(group);
        var dataset = new ZarrDataset(group, decodeCF);
        await foreach (var member in group.MembersAsync(cancellationToken).ConfigureAwait(false))
        {
            if (member.Kind != NodeKind.Array)
            {
                continue;
            }

            var array = await group.OpenArrayAsync(member.Path, cancellationToken).ConfigureAwait(false);
            dataset.Add(member.Path, array);
        }

        foreach (var variable in dataset._variables)
        {
            if (variable.StoredDimensions is [var only] && only == variable.Name)
            {
                dataset._coordinateNames.Add(variable.Name);
            }

            foreach (var listed in CfDecoding.CoordinateNames(variable.Array.Attributes.ToJsonObject()))
            {
                dataset._coordinateNames.Add(listed);
            }
        }

        await dataset.LoadLabelsAsync(cancellationToken).ConfigureAwait(false);
        return dataset;
    }

    /// <summary>An xarray-like summary: dimensions, coordinates, data variables and attributes.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"<ZarrDataset '/{Group.Path}'>\n");
        text.Append("Dimensions:  (").AppendJoin(", ", Dimensions.Select(d => $"{d.Key}: {d.Value}")).Append(")\n");
        text.Append("Coordinates:\n");
        foreach (var coordinate in Coordinates)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {(coordinate.StoredDimensions is [var d] && d == coordinate.Name ? '*' : ' ')} {Describe(coordinate)}\n");
        }

        text.Append("Data variables:\n");
        foreach (var variable in DataVariables)
        {
            text.Append(CultureInfo.InvariantCulture, $"    {Describe(variable)}\n");
        }

        text.Append("Attributes:\n");
        foreach (var (key, value) in Attributes)
        {
            text.Append(CultureInfo.InvariantCulture, $"    {key}: {UserText.Json(value)}\n");
        }

        return text.ToString();
    }

    internal bool IsCoordinateName(string name) => _coordinateNames.Contains(name);

    /// <summary>The index coordinate of <paramref name="dimension"/> (a 1-d variable named as it), or null.</summary>
    internal DatasetVariable? IndexCoordinate(string dimension) =>
        _byName.TryGetValue(dimension, out var variable) && variable.StoredDimensions is [var only] && only == dimension ? variable : null;

    /// <summary>The labels of <paramref name="dimension"/> (a <see cref="CoordinateLabels{T}"/> of double or of ticks), or null.</summary>
    internal object? Labels(string dimension) => _labels.GetValueOrDefault(dimension);

    private static string Describe(DatasetVariable variable)
    {
        return $"{variable.Name,-12} ({string.Join(", ", variable.Dimensions)}) {variable.DecodedType.NumpyName}";
    }

    private void Add(string name, ZarrArray array)
    {
        var names = array.DimensionNames;
        if (names is null || names.Count != array.Rank || names.Any(n => n is null))
        {
            var where = array.Format == ZarrFormat.V2 ? $"the attribute {V2DimensionNames.AttributeName}" : "dimension_names";
            throw new ZarrException($"variable {UserText.Quote(name)} in dataset {UserText.Quote("/" + Group.Path)} has no name for {(names is null ? "its dimensions" : "every dimension")} ({where}): a dataset's arrays name their dimensions, as xarray writes them; open it with ZarrGroup.OpenArrayAsync instead");
        }

        var dimensions = ImmutableArray.CreateRange(names.Select(n => n!));
        for (var i = 0; i < dimensions.Length; i++)
        {
            var dimension = dimensions[i];
            var length = array.Shape[i];
            if (_dimensions.TryGetValue(dimension, out var known))
            {
                if (known != length)
                {
                    var other = _variables.First(v => v.StoredDimensions.Contains(dimension));
                    var otherLength = other.Array.Shape[other.StoredDimensions.IndexOf(dimension)];
                    throw new ZarrException($"variable {UserText.Quote(name)} in dataset {UserText.Quote("/" + Group.Path)}: dimension {UserText.Quote(dimension)} has length {length}, but variable {UserText.Quote(other.Name)} gives it length {otherLength}");
                }
            }
            else
            {
                _dimensions[dimension] = length;
                _dimensionOrder.Add(dimension);
            }
        }

        if (dimensions.Distinct().Count() != dimensions.Length)
        {
            throw new ZarrException($"variable {UserText.Quote(name)} in dataset {UserText.Quote("/" + Group.Path)} names a dimension twice ({string.Join(", ", dimensions.Select(UserText.Quote))})");
        }

        var (attributes, encoding, kind, note) = CfDecoding.Split(name, array, DecodesCF);
        var variable = new DatasetVariable(this, name, array, dimensions, AttributeDictionary.Own(attributes), encoding, kind, note);
        _variables.Add(variable);
        _byName[name] = variable;
    }

    private async Task LoadLabelsAsync(CancellationToken cancellationToken)
    {
        foreach (var dimension in _dimensionOrder)
        {
            if (IndexCoordinate(dimension) is not { } coordinate)
            {
                continue;
            }

            switch (coordinate.Kind)
            {
                case DatasetValueKind.Time:
                    var times = await coordinate.ReadTimesAsync(cancellationToken).ConfigureAwait(false);
                    _labels[dimension] = new CoordinateLabels<long>(dimension, [.. times.Select(t => t?.Ticks ?? long.MinValue)],
                        ticks => ticks == long.MinValue ? "NaT" : new DateTime(ticks).ToString("O", CultureInfo.InvariantCulture),
                        ticks => TimeSpan.FromTicks(ticks).ToString("c", CultureInfo.InvariantCulture));
                    break;
                case DatasetValueKind.Number when ElementConversion.IsNumeric(coordinate.Array.DataType):
                    var numbers = await coordinate.ReadDoublesAsync(cancellationToken).ConfigureAwait(false);
                    static string Number(double n) => n.ToString("R", CultureInfo.InvariantCulture);
                    _labels[dimension] = new CoordinateLabels<double>(dimension, numbers, Number, Number);
                    break;
            }
        }
    }
}
