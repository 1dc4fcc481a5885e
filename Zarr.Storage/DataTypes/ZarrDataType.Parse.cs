using System.Globalization;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <content>Parsing a data type from its v3 name or a numpy type string.</content>
public sealed partial class ZarrDataType
{
    /// <summary>
    /// Finds a data type by its v3 name or a numpy name or type string (<c>int32</c>, <c>i4</c>, <c>&lt;f8</c>,
    /// <c>bool</c>, <c>&lt;M8[ns]</c>, <c>m8[10s]</c>, <c>datetime64[ms]</c>, <c>|S8</c>, <c>&lt;U6</c>, <c>string</c>);
    /// the byte order of a type string is ignored here.
    /// </summary>
    public static bool TryParse(string name, out ZarrDataType dataType)
    {
        ArgumentNullException.ThrowIfNull(name);
        var n = name.Length > 1 && name[0] is '<' or '>' or '|' or '=' ? name[1..] : name;
        foreach (var t in All)
        {
            if (t.Name == n || t.NumpyTypeCode == n)
            {
                dataType = t;
                return true;
            }
        }

        if (n is "b1" or "?")
        {
            dataType = Bool;
            return true;
        }

        if (n == "string")
        {
            dataType = String;
            return true;
        }

        foreach (var t in Extensions)
        {
            if (t.Name == n)
            {
                dataType = t;
                return true;
            }
        }

        if (TryParseParameterised(n, out var parsed))
        {
            dataType = parsed;
            return true;
        }

        dataType = null!;
        return false;
    }

    /// <summary>Finds a data type by name (see <see cref="TryParse"/>).</summary>
    /// <exception cref="ZarrException">The name is not a supported data type.</exception>
    public static ZarrDataType Parse(string name) =>
        TryParse(name, out var t) ? t : throw new ZarrException($"{UserText.Quote(name)} is not a supported data type; use one of {string.Join(", ", All.Select(d => d.Name))}, or a numpy type string such as <M8[ns], |S8, <U6");

    /// <summary>Parses <c>M8[ns]</c>, <c>m8</c>, <c>datetime64[10s]</c>, <c>S8</c>, <c>a8</c>, <c>U6</c> (no byte order).</summary>
    internal static bool TryParseParameterised(string code, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ZarrDataType? dataType)
    {
        dataType = null;
        ReadOnlySpan<char> rest;
        bool date;
        if (code.StartsWith("M8", StringComparison.Ordinal) || code.StartsWith("m8", StringComparison.Ordinal))
        {
            date = code[0] == 'M';
            rest = code.AsSpan(2);
        }
        else if (code.StartsWith("datetime64", StringComparison.Ordinal) || code.StartsWith("timedelta64", StringComparison.Ordinal))
        {
            date = code[0] == 'd';
            rest = code.AsSpan(date ? 10 : 11);
        }
        else
        {
            if (code.Length >= 2 && code[0] is 'S' or 'a' or 'U'
                && int.TryParse(code.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= 1)
            {
                if (code[0] == 'U' && n > int.MaxValue / 4)
                {
                    return false;
                }

                dataType = code[0] == 'U' ? FixedUnicode(n) : FixedBytes(n);
                return true;
            }

            return false;
        }

        var unit = TimeUnit.Generic;
        var scale = 1;
        if (rest.Length > 0)
        {
            if (rest.Length < 3 || rest[0] != '[' || rest[^1] != ']')
            {
                return false;
            }

            var inner = rest[1..^1];
            var digits = 0;
            while (digits < inner.Length && char.IsAsciiDigit(inner[digits]))
            {
                digits++;
            }

            if (digits > 0 && (!int.TryParse(inner[..digits], NumberStyles.None, CultureInfo.InvariantCulture, out scale) || scale < 1))
            {
                return false;
            }

            if (!TimeUnits.TryParse(inner[digits..], out unit) || (unit == TimeUnit.Generic && digits > 0))
            {
                return false;
            }
        }

        dataType = date ? DateTime64(unit, scale) : TimeDelta64(unit, scale);
        return true;
    }
}
