namespace Zarr.Dataflow.Datasets;

/// <summary>
/// A reduction over named dimensions of a dataset variable (<see cref="DatasetVariableEngine"/>). Each skips NaN (missing
/// values), as xarray's reductions do by default for floats (<c>skipna=True</c>).
/// </summary>
public enum DatasetReduction
{
    /// <summary>The mean (xarray's <c>mean</c>).</summary>
    Mean,

    /// <summary>The sum (xarray's <c>sum</c>; all missing gives 0, as numpy's nansum).</summary>
    Sum,

    /// <summary>The smallest value (xarray's <c>min</c>).</summary>
    Min,

    /// <summary>The largest value (xarray's <c>max</c>).</summary>
    Max,

    /// <summary>The population standard deviation (xarray's <c>std</c>, ddof 0).</summary>
    Std,

    /// <summary>The population variance (xarray's <c>var</c>, ddof 0).</summary>
    Var,

    /// <summary>The number of values present (xarray's <c>count</c>), as float64.</summary>
    Count,

    /// <summary>The median (xarray's <c>median</c>, numpy's <c>nanmedian</c>): over one dimension at a time, whose lanes it holds whole.</summary>
    Median,
}
