namespace Zarr.Storage.Datasets;

/// <summary>How <see cref="ZarrDataset.CreateAsync"/> and <see cref="ZarrDataset.WriteAsync"/> store variables.</summary>
/// <remarks>
/// <list type="table">
/// <listheader><term>Option</term><description>Default</description></listheader>
/// <item><term><see cref="Format"/></term><description>v2 with <c>_ARRAY_DIMENSIONS</c>, as xarray's <c>to_zarr</c></description></item>
/// <item><term><see cref="Consolidated"/></term><description>true, as xarray's <c>to_zarr</c></description></item>
/// <item><term><see cref="Chunks"/></term><description>one chunk along every dimension not named</description></item>
/// <item><term><see cref="Overwrite"/></term><description>false (xarray's mode <c>w-</c>)</description></item>
/// </list>
/// </remarks>
public sealed record DatasetWriteOptions
{
    /// <summary>The format of a new dataset: v2 keeps dimension names in <c>_ARRAY_DIMENSIONS</c>, v3 in <c>dimension_names</c>. Ignored when writing into an existing one.</summary>
    public ZarrFormat Format { get; init; } = ZarrFormat.V2;

    /// <summary>Write consolidated metadata after creating the dataset (later writes refresh it when the group has some).</summary>
    public bool Consolidated { get; init; } = true;

    /// <summary>The chunk length along each named dimension (xarray's encoding <c>chunks</c>, by dimension); null for one chunk per dimension.</summary>
    public IReadOnlyDictionary<string, int>? Chunks { get; init; }

    /// <summary>Replace a node already at the path (xarray's mode <c>w</c>); otherwise that is an error.</summary>
    public bool Overwrite { get; init; }
}
