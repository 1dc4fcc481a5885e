namespace Zarr.Storage.Datasets;

/// <summary>
/// How a variable's values are stored, in CF conventions as xarray writes them: what decoding undoes on read and
/// encoding applies on write. On read, these are the attributes decoding took out of <see cref="DatasetVariable.Attributes"/>
/// (xarray's <c>variable.encoding</c>); on write, what to apply (<see cref="DatasetContents"/>).
/// </summary>
public sealed record CfEncoding
{
    /// <summary>No encoding: values stored as they are.</summary>
    public static CfEncoding None { get; } = new();

    /// <summary><c>scale_factor</c>: decoded = stored × scale + offset.</summary>
    public double? ScaleFactor { get; init; }

    /// <summary><c>add_offset</c>: decoded = stored × scale + offset.</summary>
    public double? AddOffset { get; init; }

    /// <summary>
    /// <c>_FillValue</c>, in stored units: elements equal to it are missing (NaN once decoded). A v2 array's is its
    /// <c>fill_value</c> (as xarray reads it); a v3 array's is the attribute <c>_FillValue</c> (its <c>fill_value</c> is always
    /// set, so it marks nothing).
    /// </summary>
    public double? FillValue { get; init; }

    /// <summary><c>missing_value</c>, in stored units: elements equal to it are missing too.</summary>
    public double? MissingValue { get; init; }

    /// <summary>CF time units: the stored numbers count these since their epoch (decoded to <see cref="DateTime"/>).</summary>
    public CfTimeUnits? TimeUnits { get; init; }

    /// <summary>The calendar of <see cref="TimeUnits"/> (xarray writes <c>proleptic_gregorian</c>).</summary>
    public string? Calendar { get; init; }

    /// <summary>Booleans stored as int8 with xarray's attribute <c>dtype: "bool"</c>.</summary>
    public bool StoredAsBool { get; init; }

    /// <summary>
    /// On write, the stored type when it is not the values' own (<c>int16</c> for scale/offset packing, as xarray's
    /// encoding <c>dtype</c>); null for the values' type. On read, the stored type.
    /// </summary>
    public ZarrDataType? StorageType { get; init; }

    /// <summary>True when missing elements are marked (a <see cref="FillValue"/> or a <see cref="MissingValue"/>).</summary>
    public bool MarksMissing => FillValue is not null || MissingValue is not null;

    /// <summary>True when values are packed (a <see cref="ScaleFactor"/> or an <see cref="AddOffset"/>).</summary>
    public bool IsPacked => ScaleFactor is not null || AddOffset is not null;

    /// <summary>True when a stored element is missing: equal to the fill value or the missing value (NaN matches NaN, as xarray masks it).</summary>
    internal bool IsMissing(double stored) =>
        Matches(stored, FillValue) || Matches(stored, MissingValue);

    /// <summary>
    /// The decoded value of a stored element (NaN when it is missing), computed in the precision of the decoded type as
    /// xarray does: in float32 when <paramref name="inSingle"/> (xarray's decoded type is float32), else in float64.
    /// </summary>
    internal double Decode(double stored, bool inSingle)
    {
        if (IsMissing(stored))
        {
            return double.NaN;
        }

        if (inSingle)
        {
            var single = (float)stored;
            single = ScaleFactor is { } s ? single * (float)s : single;
            return AddOffset is { } o ? single + (float)o : single;
        }

        var value = ScaleFactor is { } scale ? stored * scale : stored;
        return AddOffset is { } offset ? value + offset : value;
    }

    /// <summary>
    /// The type xarray decodes <paramref name="stored"/> to under this encoding: a masked integer widens to float32 (up to
    /// two bytes) or float64; packed values to float32 when that holds them exactly (float32 and smaller, or integers up to
    /// two bytes without an offset), else float64.
    /// </summary>
    internal ZarrDataType DecodedType(ZarrDataType stored)
    {
        var type = stored;
        if (MarksMissing && ElementConversion.IsInteger(type) && !StoredAsBool && TimeUnits is null)
        {
            type = type.ItemSize <= 2 ? ZarrDataType.Float32 : ZarrDataType.Float64;
        }

        if (IsPacked && TimeUnits is null)
        {
            type = (type.IsFloatingPoint && type.ItemSize <= 4) || (ElementConversion.IsInteger(type) && type.ItemSize <= 2 && AddOffset is null)
                ? ZarrDataType.Float32
                : ZarrDataType.Float64;
        }

        return type;
    }

    /// <summary>The stored value of a decoded one (xarray: (x − offset) / scale, NaN to the fill value, rounded half to even for integers).</summary>
    internal double Encode(double value, bool integerStorage)
    {
        var stored = (value - (AddOffset ?? 0.0)) / (ScaleFactor ?? 1.0);
        if (double.IsNaN(stored) && FillValue is { } fill)
        {
            return fill;
        }

        return integerStorage ? Math.Round(stored, MidpointRounding.ToEven) : stored;
    }

    private static bool Matches(double stored, double? marker) =>
        marker is { } m && (stored == m || (double.IsNaN(m) && double.IsNaN(stored)));
}
