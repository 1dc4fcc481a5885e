using System.Collections.Immutable;

namespace Zarr.Dataflow.Datasets;

/// <summary>
/// A coordinate an operation on a dataset variable creates, as xarray does: <c>month</c> (the calendar months present, 1
/// to 12) for a groupby by month, <c>degree</c> (highest first) for a polynomial fit, the group labels for a groupby by
/// labels (these three int64 index coordinates), <c>quantile</c> (float64) for quantiles, a scalar one (no dimension)
/// for a single quantile. Written by <see cref="ReducedVariable.ToContentsAsync"/>.
/// </summary>
public sealed class LabelCoordinate
{
    internal LabelCoordinate(string name, ImmutableArray<long> values)
    {
        Name = name;
        Values = [.. values.Select(v => (double)v)];
        IsInteger = true;
    }

    internal LabelCoordinate(string name, ImmutableArray<double> values, bool isScalar)
    {
        Name = name;
        Values = values;
        IsScalar = isScalar;
    }

    /// <summary>The coordinate's name, which is also its dimension's unless it is scalar.</summary>
    public string Name { get; }

    /// <summary>The labels, one per index of the dimension (the one value of a scalar coordinate).</summary>
    public ImmutableArray<double> Values { get; }

    /// <summary>Whether the labels are integers, written as int64 (otherwise float64).</summary>
    public bool IsInteger { get; }

    /// <summary>Whether this is a scalar coordinate (no dimension of its own: xarray's <c>quantile</c> of a single quantile), written as a 0-d variable that the result's <c>coordinates</c> attribute names.</summary>
    public bool IsScalar { get; }
}
