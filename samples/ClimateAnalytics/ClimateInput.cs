using Zarr.Dataflow;
using Zarr.Dataflow.Datasets;
using Zarr.Storage;
using Zarr.Storage.Datasets;

/// <summary>
/// What the sample needs of IN, checked with errors that say what is wrong and where: temp as a float32 (time, lat, lon)
/// lazy cube, and the decoded time steps.
/// </summary>
internal static class ClimateInput
{
    /// <summary>The variable's stored float32 values as a lazy cube; NaN (xarray's fill for floats) marks missing data.</summary>
    public static LazyArray<float> Cube(string input, DatasetVariable temp)
    {
        if (temp.Dimensions.Length != 3)
        {
            throw new ZarrException($"{input}: '{temp.Name}' has dimensions ({string.Join(", ", temp.Dimensions)}); the sample reads (time, lat, lon)");
        }

        if (temp.Kind != DatasetValueKind.Number || temp.Array.DataType != ZarrDataType.Float32)
        {
            throw new ZarrException($"{input}: '{temp.Name}' is stored as {temp.Array.DataType}; the sample reads float32");
        }

        // Packed values (scale_factor/add_offset) or a fill other than NaN would need decoding per element; xarray
        // writes a float32 variable with neither, so the stored floats are the values.
        var encoding = temp.Encoding;
        if (encoding.ScaleFactor is not null || encoding.AddOffset is not null
            || encoding.FillValue is { } fill && !double.IsNaN(fill)
            || encoding.MissingValue is { } missing && !double.IsNaN(missing))
        {
            throw new ZarrException($"{input}: '{temp.Name}' is packed or marks missing values with a number (scale_factor, add_offset, _FillValue or missing_value); the sample reads plain float32 with NaN for missing data");
        }

        return (LazyArray<float>)temp.ToLazy();
    }

    /// <summary>The time steps, decoded from CF (units "days since ...", a calendar); a missing step (NaT) is an error.</summary>
    public static async Task<DateTime[]> TimesAsync(string input, DatasetVariable time)
    {
        if (time.Kind != DatasetValueKind.Time)
        {
            throw new ZarrException($"{input}: the coordinate '{time.Name}' is not a CF time (no 'units: <unit> since <date>' in a calendar the library decodes{(time.DecodingNote is { } note ? ": " + note : "")})");
        }

        var decoded = await time.ReadTimesAsync();
        var missing = Array.FindIndex(decoded, t => t is null);
        if (missing >= 0)
        {
            throw new ZarrException($"{input}: the coordinate '{time.Name}' has a missing time (NaT) at index {missing}; every step needs a date for its month and its day");
        }

        return [.. decoded.Select(t => t!.Value)];
    }
}
