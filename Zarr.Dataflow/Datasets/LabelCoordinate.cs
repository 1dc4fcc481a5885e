using System.Collections.Immutable;

namespace Zarr.Dataflow.Datasets;

/// <summary>
/// A coordinate an operation on a dataset variable creates with its new dimension, as xarray does: <c>month</c> (the
/// calendar months present, 1 to 12) for a groupby by month, <c>degree</c> (highest first) for a polynomial fit, the
/// group labels for a groupby by labels. Written as an int64 index coordinate by <see cref="ReducedVariable.ToContentsAsync"/>.
/// </summary>
public sealed class LabelCoordinate
{
    internal LabelCoordinate(string name, ImmutableArray<long> values)
    {
        Name = name;
        Values = values;
    }

    /// <summary>The coordinate's name, which is also its dimension's.</summary>
    public string Name { get; }

    /// <summary>The labels, one per index of the dimension.</summary>
    public ImmutableArray<long> Values { get; }
}
