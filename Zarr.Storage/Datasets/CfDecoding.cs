using System.Text.Json;
using System.Text.Json.Nodes;

namespace Zarr.Storage.Datasets;

/// <summary>
/// Splits a stored array's attributes into those xarray shows and the CF encoding it decodes (xarray's
/// <c>decode_cf_variable</c> over its zarr backend): <c>_FillValue</c> (a v2 array's fill value, a v3 array's attribute),
/// <c>missing_value</c>, <c>scale_factor</c>, <c>add_offset</c>, time <c>units</c> and <c>calendar</c>, and <c>dtype: "bool"</c>.
/// </summary>
internal static class CfDecoding
{
    public const string FillValue = "_FillValue";
    public const string MissingValue = "missing_value";
    public const string ScaleFactor = "scale_factor";
    public const string AddOffset = "add_offset";
    public const string Units = "units";
    public const string Calendar = "calendar";
    public const string DType = "dtype";
    public const string Coordinates = "coordinates";

    /// <summary>The attributes to show, the encoding, the value kind and a note on what was left undecoded.</summary>
    public static (JsonObject Attributes, CfEncoding Encoding, DatasetValueKind Kind, string? Note) Split(string name, ZarrArray array, bool decode)
    {
        var attributes = array.Attributes.ToJsonObject();
        attributes.Remove(V2DimensionNames.AttributeName);
        var type = array.DataType;
        var numeric = ElementConversion.IsNumeric(type) && type.Kind != DataTypeKind.Bool;
        var storedKind = type.Kind == DataTypeKind.Bool ? DatasetValueKind.Bool : numeric ? DatasetValueKind.Number : DatasetValueKind.Other;

        // xarray's zarr backend: a v2 array's fill value is the _FillValue attribute (a v3 array always has one, so there
        // only the attribute marks missing values).
        double? zarrFill = array.Format == ZarrFormat.V2 && !array.Metadata.FillValueIsNull && numeric
            ? ElementConversion.ToDouble(array.Metadata.FillValue.AsSpan(), type)
            : null;
        if (!decode)
        {
            if (zarrFill is not null && !attributes.ContainsKey(FillValue))
            {
                attributes[FillValue] = type.ValueToJson(array.Metadata.FillValue.AsSpan());
            }

            return (attributes, CfEncoding.None with { StorageType = type }, storedKind, null);
        }

        var encoding = CfEncoding.None with { StorageType = type };
        string? note = null;
        if (numeric)
        {
            encoding = encoding with
            {
                FillValue = Take(attributes, FillValue) ?? zarrFill,
                MissingValue = Take(attributes, MissingValue),
                ScaleFactor = Take(attributes, ScaleFactor),
                AddOffset = Take(attributes, AddOffset),
            };
        }

        var kind = storedKind;
        if (numeric && Text(attributes, Units) is { } units && units.Contains(" since ", StringComparison.OrdinalIgnoreCase))
        {
            var calendar = Text(attributes, Calendar);
            if (!CfTimeUnits.IsDecodedCalendar(calendar))
            {
                note = CfTimeUnits.NotDecoded(name, units, calendar!);
            }
            else if (CfTimeUnits.TryParse(units) is { } parsed)
            {
                encoding = encoding with { TimeUnits = parsed, Calendar = calendar };
                attributes.Remove(Units);
                attributes.Remove(Calendar);
                kind = DatasetValueKind.Time;
            }
            else
            {
                note = $"variable '{name}': the time units '{units}' are not understood; kept as numbers";
            }
        }

        if (ElementConversion.IsInteger(type) && Text(attributes, DType) == "bool")
        {
            attributes.Remove(DType);
            encoding = encoding with { StoredAsBool = true };
            kind = DatasetValueKind.Bool;
        }

        return (attributes, encoding, kind, note);
    }

    /// <summary>The names a <c>coordinates</c> attribute lists (space-separated, as CF writes them).</summary>
    public static IEnumerable<string> CoordinateNames(JsonObject attributes) =>
        Text(attributes, Coordinates)?.Split(' ', StringSplitOptions.RemoveEmptyEntries) ?? [];

    private static double? Take(JsonObject attributes, string key)
    {
        if (!attributes.TryGetPropertyValue(key, out var node) || node is not JsonValue value)
        {
            return null;
        }

        double? number = value.TryGetValue<double>(out var d) ? d
            // zarr-python writes NaN and the infinities as strings in JSON.
            : value.TryGetValue<string>(out var s) ? s switch
            {
                "NaN" => double.NaN,
                "Infinity" => double.PositiveInfinity,
                "-Infinity" => double.NegativeInfinity,
                _ => null,
            }
            : null;
        if (number is not null)
        {
            attributes.Remove(key);
        }

        return number;
    }

    private static string? Text(JsonObject attributes, string key) =>
        attributes.TryGetPropertyValue(key, out var node) && node is JsonValue value && value.GetValueKind() == JsonValueKind.String
            ? value.GetValue<string>()
            : null;
}
