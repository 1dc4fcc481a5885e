namespace Zarr.Storage.Datasets;

/// <summary>How <see cref="ZarrDataset.OpenAsync"/> opens a dataset.</summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Option</term><description>Default</description></listheader>
/// <item><term><see cref="DecodeCF"/></term><description>true (xarray's <c>decode_cf=True</c>)</description></item>
/// <item><term><see cref="Mode"/></term><description><see cref="AccessMode.Read"/> (consolidated metadata used when there is some)</description></item>
/// </list>
/// </remarks>
public sealed record DatasetOpenOptions
{
    /// <summary>
    /// Decode CF conventions as xarray does by default: times with units "&lt;unit&gt; since &lt;date&gt;" to
    /// <see cref="DateTime"/>, <c>scale_factor</c>/<c>add_offset</c>, <c>_FillValue</c>/<c>missing_value</c> to NaN, int8
    /// with <c>dtype: "bool"</c> to booleans. False shows the stored values and every attribute (xarray's <c>decode_cf=False</c>).
    /// </summary>
    public bool DecodeCF { get; init; } = true;

    /// <summary>
    /// <see cref="AccessMode.Read"/> (read through consolidated metadata when the group has some, as xarray's
    /// <c>open_zarr</c>), or <see cref="AccessMode.ReadWrite"/> to append and write regions.
    /// </summary>
    public AccessMode Mode { get; init; } = AccessMode.Read;
}
