using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Zarr.Storage;
using Zarr.Storage.Datasets;

namespace Zarr.Dataflow.Datasets;

/// <summary>
/// The result of a reduction of a dataset variable (<see cref="DatasetVariableEngine"/>): its values with the named
/// dimensions that remain and their coordinates, as xarray's <c>ds["temp"].mean("time")</c> is a <c>DataArray</c> over
/// <c>(lat, lon)</c> with the lat and lon coordinates. <see cref="ToContentsAsync"/> makes it a dataset variable to store.
/// </summary>
public sealed class ReducedVariable
{
    internal ReducedVariable(string name, ImmutableArray<string> dimensions, ImmutableArray<long> shape, double[] values, ImmutableArray<DatasetVariable> coordinates, ImmutableArray<LabelCoordinate> labels = default)
    {
        Name = name;
        Dimensions = dimensions;
        Shape = shape;
        Values = values;
        Coordinates = coordinates;
        Labels = labels.IsDefault ? [] : labels;
    }

    /// <summary>The name of the variable reduced.</summary>
    public string Name { get; }

    /// <summary>The dimensions that remain, in the variable's order.</summary>
    public ImmutableArray<string> Dimensions { get; }

    /// <summary>The result's shape, one length per dimension.</summary>
    public ImmutableArray<long> Shape { get; }

    /// <summary>The values, C order (a single value when every dimension was reduced).</summary>
    public IReadOnlyList<double> Values { get; }

    /// <summary>The coordinates of the remaining dimensions (as selected in the view reduced).</summary>
    public ImmutableArray<DatasetVariable> Coordinates { get; }

    /// <summary>The coordinates the operation created (<c>month</c>, <c>degree</c>, <c>quantile</c>, scalar or not), empty for a plain reduction.</summary>
    public ImmutableArray<LabelCoordinate> Labels { get; }

    /// <summary>
    /// The result as dataset contents: its coordinates (read, decoded: numbers or times, with their attributes; the
    /// operation's own, such as <c>month</c>, as int64, a scalar <c>quantile</c> as a 0-d float64 variable the result's <c>coordinates</c> attribute names) and the
    /// values as a float64 variable named <paramref name="name"/> (the variable's own name when null), to write with
    /// <see cref="ZarrDataset.CreateAsync"/> or <see cref="ZarrDataset.WriteAsync"/>.
    /// </summary>
    /// <exception cref="ZarrException">A coordinate holds neither numbers nor times.</exception>
    public async Task<DatasetContents> ToContentsAsync(string? name = null, CancellationToken cancellationToken = default)
    {
        var contents = new DatasetContents();
        foreach (var coordinate in Coordinates)
        {
            var attributes = coordinate.Attributes.ToJsonObject();
            switch (coordinate.Kind)
            {
                case DatasetValueKind.Time:
                    var times = await coordinate.ReadTimesAsync(cancellationToken).ConfigureAwait(false);
                    if (times.Any(t => t is null))
                    {
                        throw new ZarrException($"coordinate '{coordinate.Name}' has missing times (NaT), which a coordinate written here cannot hold");
                    }

                    contents.AddCoordinate(coordinate.Name, [.. times.Select(t => t!.Value)], attributes);
                    break;
                case DatasetValueKind.Number:
                    contents.AddCoordinate(coordinate.Name, await coordinate.ReadDoublesAsync(cancellationToken).ConfigureAwait(false), attributes);
                    break;
                default:
                    throw new ZarrException($"coordinate '{coordinate.Name}' holds {coordinate.Array.DataType}; a result's coordinates are written as numbers or times");
            }
        }

        var scalars = new List<string>();
        foreach (var label in Labels)
        {
            if (label.IsScalar)
            {
                contents.AddVariable(label.Name, [], label.Values.ToArray());
                scalars.Add(label.Name);
            }
            else if (label.IsInteger)
            {
                contents.AddCoordinate(label.Name, [.. label.Values.Select(v => (long)v)]);
            }
            else
            {
                contents.AddCoordinate(label.Name, label.Values.ToArray());
            }
        }

        foreach (var (dimension, length) in Dimensions.Zip(Shape))
        {
            if (!contents.Dimensions.ContainsKey(dimension))
            {
                contents.AddDimension(dimension, length);
            }
        }

        var variableAttributes = scalars.Count == 0 ? null : new JsonObject { ["coordinates"] = string.Join(' ', scalars) };
        contents.AddVariable(name ?? Name, [.. Dimensions], Values.ToArray(), variableAttributes);
        return contents;
    }
}
