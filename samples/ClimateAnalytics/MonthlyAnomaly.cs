using Zarr.Dataflow.Blocks;

/// <summary>
/// The anomaly of a chunk of the (time, lat, lon) cube: each value minus its cell's climatology for the month of its
/// step, computed in double (as xarray subtracts a float64 climatology) and rounded to float32. The climatology is
/// small (months × lat × lon) and is shared by every chunk.
/// </summary>
/// <param name="climatology">The climatology, (group, lat, lon) in C order.</param>
/// <param name="groupOfStep">For each time step, its month's row in the climatology.</param>
/// <param name="lats">The length of the lat dimension.</param>
/// <param name="lons">The length of the lon dimension.</param>
internal sealed class MonthlyAnomaly(double[] climatology, int[] groupOfStep, int lats, int lons)
{
    public void Apply(ChunkRegion region, Span<float> values)
    {
        var (steps, rows, columns) = (region.Shape[0], region.Shape[1], region.Shape[2]);
        var (firstStep, firstLat, firstLon) = (region.Start[0], region.Start[1], region.Start[2]);
        var k = 0;
        for (var t = 0; t < steps; t++)
        {
            var plane = (long)groupOfStep[firstStep + t] * lats;
            for (var y = 0; y < rows; y++)
            {
                var mean = climatology.AsSpan(checked((int)(((plane + firstLat + y) * lons) + firstLon)), columns);
                var row = values.Slice(k, columns);
                for (var x = 0; x < columns; x++)
                {
                    row[x] = (float)(row[x] - mean[x]);
                }

                k += columns;
            }
        }
    }
}
