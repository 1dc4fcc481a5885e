using System.Globalization;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Datasets;

/// <summary>
/// CF time units, <c>"&lt;unit&gt; since &lt;date&gt;"</c> (<c>"days since 2000-01-01"</c>, <c>"hours since 1970-01-01 00:00:00"</c>):
/// a count of a unit since a reference date, in the standard, gregorian or proleptic_gregorian calendar, which for the
/// dates <see cref="DateTime"/> holds (years 1 to 9999) are one calendar.
/// </summary>
/// <param name="Unit">The unit, as one span of time.</param>
/// <param name="UnitName">The unit's name as CF writes it (<c>days</c>, <c>hours</c>, ...).</param>
/// <param name="Epoch">The reference date, UTC.</param>
public sealed record CfTimeUnits(TimeSpan Unit, string UnitName, DateTime Epoch)
{
    // xarray's _NETCDF_TIME_UNITS_NUMPY, coarsest first: the order in which it tries units for new data.
    private static readonly (string Name, TimeSpan Unit)[] Units =
    [
        ("days", TimeSpan.FromDays(1)),
        ("hours", TimeSpan.FromHours(1)),
        ("minutes", TimeSpan.FromMinutes(1)),
        ("seconds", TimeSpan.FromSeconds(1)),
        ("milliseconds", TimeSpan.FromMilliseconds(1)),
        ("microseconds", TimeSpan.FromTicks(10)),
    ];

    private static readonly string[] CalendarsDecoded = ["standard", "gregorian", "proleptic_gregorian"];

    /// <summary>The units as xarray writes them (its epoch as pandas prints a timestamp): <c>"days since 2020-01-01 00:00:00"</c>.</summary>
    public override string ToString() => $"{UnitName} since {Epoch.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)}{Fraction()}";

    /// <summary>True for the calendars decoded to <see cref="DateTime"/>: standard, gregorian, proleptic_gregorian (and none given, which CF reads as standard).</summary>
    public static bool IsDecodedCalendar(string? calendar) =>
        calendar is null || Array.IndexOf(CalendarsDecoded, calendar.ToLowerInvariant()) >= 0;

    /// <summary>Parses CF time units; null when <paramref name="units"/> is not of the form "&lt;unit&gt; since &lt;date&gt;".</summary>
    public static CfTimeUnits? TryParse(string units)
    {
        ArgumentNullException.ThrowIfNull(units);
        var at = units.IndexOf(" since ", StringComparison.OrdinalIgnoreCase);
        if (at <= 0)
        {
            return null;
        }

        var name = units[..at].Trim().ToLowerInvariant();
        var unit = name switch
        {
            "days" or "day" or "d" => TimeSpan.FromDays(1),
            "hours" or "hour" or "hr" or "h" => TimeSpan.FromHours(1),
            "minutes" or "minute" or "min" => TimeSpan.FromMinutes(1),
            "seconds" or "second" or "sec" or "s" => TimeSpan.FromSeconds(1),
            "milliseconds" or "millisecond" or "ms" => TimeSpan.FromMilliseconds(1),
            "microseconds" or "microsecond" or "us" => TimeSpan.FromTicks(10),
            _ => (TimeSpan?)null,
        };
        var epoch = ParseDate(units[(at + " since ".Length)..].Trim());
        return unit is null || epoch is null ? null : new CfTimeUnits(unit.Value, name, epoch.Value);
    }

    /// <summary>
    /// The units xarray chooses for new times (its <c>infer_datetime_units</c>): since the first date, in the coarsest of
    /// days, hours, minutes, seconds, milliseconds, microseconds that counts every step between the dates whole.
    /// </summary>
    public static CfTimeUnits Infer(ReadOnlySpan<DateTime> dates)
    {
        var epoch = dates.IsEmpty ? DateTime.UnixEpoch : DateTime.SpecifyKind(dates[0], DateTimeKind.Utc);
        foreach (var (name, unit) in Units)
        {
            var whole = true;
            for (var i = 1; i < dates.Length && whole; i++)
            {
                whole = (dates[i].Ticks - dates[i - 1].Ticks) % unit.Ticks == 0;
            }

            if (whole)
            {
                return new CfTimeUnits(unit, name, epoch);
            }
        }

        return new CfTimeUnits(TimeSpan.FromTicks(1), "nanoseconds", epoch);
    }

    /// <summary>The date <paramref name="count"/> units after the epoch.</summary>
    /// <exception cref="ZarrException">The date is outside what <see cref="DateTime"/> holds.</exception>
    public DateTime ToDate(double count)
    {
        var ticks = Math.Round(count * Unit.Ticks) + Epoch.Ticks;
        if (!(ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks))
        {
            throw new ZarrException($"{count} {this} is outside the dates a DateTime holds (years 1 to 9999)");
        }

        return new DateTime((long)ticks, DateTimeKind.Utc);
    }

    /// <summary>The count of units from the epoch to <paramref name="date"/>, which must be a whole count (as xarray's default int64 encoding).</summary>
    /// <exception cref="ZarrException">The date is not a whole number of units from the epoch.</exception>
    public long ToCount(DateTime date)
    {
        var ticks = date.Ticks - Epoch.Ticks;
        if (ticks % Unit.Ticks != 0)
        {
            throw new ZarrException($"{date:O} is not a whole number of {UnitName} since {Epoch:O}; encode the times in a finer unit");
        }

        return ticks / Unit.Ticks;
    }

    private string Fraction() => Epoch.Ticks % TimeSpan.TicksPerSecond == 0
        ? ""
        : "." + (Epoch.Ticks % TimeSpan.TicksPerSecond / 10).ToString("000000", CultureInfo.InvariantCulture);

    // CF dates: "2000-01-01", "2000-1-1", "2000-01-01 00:00:00", "2000-01-01T00:00:00Z", "1970-01-01 00:00:00.0 +0:00".
    private static DateTime? ParseDate(string text)
    {
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length is 0 or > 3)
        {
            return null;
        }

        var zone = TimeSpan.Zero;
        if (parts.Length == 3 || (parts.Length == 2 && (parts[1].StartsWith('+') || parts[1].StartsWith('-') || parts[1] is "UTC" or "Z")))
        {
            var zoneText = parts[^1];
            if (zoneText is not ("UTC" or "Z") && !TryParseZone(zoneText, out zone))
            {
                return null;
            }

            parts = parts[..^1];
        }

        var joined = string.Join('T', parts).TrimEnd('Z');
        string[] formats = ["yyyy-M-d", "yyyy-M-d'T'H:m", "yyyy-M-d'T'H:m:s", "yyyy-M-d'T'H:m:s.FFFFFFF"];
        return DateTime.TryParseExact(joined, formats, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date)
            ? DateTime.SpecifyKind(date - zone, DateTimeKind.Utc)
            : null;
    }

    private static bool TryParseZone(string text, out TimeSpan zone)
    {
        zone = TimeSpan.Zero;
        var sign = text[0] == '-' ? -1 : 1;
        var body = text.TrimStart('+', '-');
        var pieces = body.Split(':');
        if (pieces.Length > 2 || !int.TryParse(pieces[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hours))
        {
            return false;
        }

        var minutes = 0;
        if (pieces.Length == 2 && !int.TryParse(pieces[1], NumberStyles.None, CultureInfo.InvariantCulture, out minutes))
        {
            return false;
        }

        zone = sign * new TimeSpan(hours, minutes, 0);
        return true;
    }

    /// <summary>A message for times that are not decoded.</summary>
    internal static string NotDecoded(string variable, string units, string calendar) =>
        $"variable {UserText.Quote(variable)}: times in calendar {UserText.Quote(calendar)} are kept as numbers ({UserText.Quote(units)}); only the standard, gregorian and proleptic_gregorian calendars decode to DateTime";
}
