using System.Numerics;

namespace Zarr.Storage;

/// <summary>The units of numpy's <c>datetime64</c> and <c>timedelta64</c> (each with a scale factor: <c>10s</c> is ten seconds).</summary>
public enum TimeUnit
{
    /// <summary>numpy's generic unit (<c>&lt;M8</c> without brackets): a count with no unit yet; only NaT and 0 mean anything.</summary>
    Generic,
    /// <summary>Years (<c>Y</c>): calendar years since 1970.</summary>
    Year,
    /// <summary>Months (<c>M</c>): calendar months since January 1970.</summary>
    Month,
    /// <summary>Weeks (<c>W</c>): 7 days.</summary>
    Week,
    /// <summary>Days (<c>D</c>).</summary>
    Day,
    /// <summary>Hours (<c>h</c>).</summary>
    Hour,
    /// <summary>Minutes (<c>m</c>).</summary>
    Minute,
    /// <summary>Seconds (<c>s</c>).</summary>
    Second,
    /// <summary>Milliseconds (<c>ms</c>).</summary>
    Millisecond,
    /// <summary>Microseconds (<c>us</c>; numpy also reads <c>μs</c>).</summary>
    Microsecond,
    /// <summary>Nanoseconds (<c>ns</c>).</summary>
    Nanosecond,
    /// <summary>Picoseconds (<c>ps</c>).</summary>
    Picosecond,
    /// <summary>Femtoseconds (<c>fs</c>).</summary>
    Femtosecond,
    /// <summary>Attoseconds (<c>as</c>).</summary>
    Attosecond,
}

/// <summary>numpy's unit codes and the arithmetic of converting counts to .NET ticks (100 ns).</summary>
public static class TimeUnits
{
    /// <summary>numpy's code of a unit: <c>Y M W D h m s ms us ns ps fs as</c>, and <c>generic</c>.</summary>
    public static string Code(TimeUnit unit) => unit switch
    {
        TimeUnit.Generic => "generic",
        TimeUnit.Year => "Y",
        TimeUnit.Month => "M",
        TimeUnit.Week => "W",
        TimeUnit.Day => "D",
        TimeUnit.Hour => "h",
        TimeUnit.Minute => "m",
        TimeUnit.Second => "s",
        TimeUnit.Millisecond => "ms",
        TimeUnit.Microsecond => "us",
        TimeUnit.Nanosecond => "ns",
        TimeUnit.Picosecond => "ps",
        TimeUnit.Femtosecond => "fs",
        TimeUnit.Attosecond => "as",
        _ => throw new ArgumentOutOfRangeException(nameof(unit), unit, "not a time unit"),
    };

    /// <summary>The unit of a numpy code (<c>ns</c>, <c>D</c>, <c>μs</c>, <c>generic</c>, ...).</summary>
    public static bool TryParse(ReadOnlySpan<char> code, out TimeUnit unit)
    {
        unit = code switch
        {
            "generic" => TimeUnit.Generic,
            "Y" => TimeUnit.Year,
            "M" => TimeUnit.Month,
            "W" => TimeUnit.Week,
            "D" => TimeUnit.Day,
            "h" => TimeUnit.Hour,
            "m" => TimeUnit.Minute,
            "s" => TimeUnit.Second,
            "ms" => TimeUnit.Millisecond,
            "us" or "μs" => TimeUnit.Microsecond,
            "ns" => TimeUnit.Nanosecond,
            "ps" => TimeUnit.Picosecond,
            "fs" => TimeUnit.Femtosecond,
            "as" => TimeUnit.Attosecond,
            _ => (TimeUnit)(-1),
        };
        return unit >= 0;
    }

    /// <summary>
    /// One unit as a fraction of .NET ticks (100 ns): ticks = count × Numerator / Denominator. Not defined for years and
    /// months (their length varies) nor for the generic unit.
    /// </summary>
    internal static (BigInteger Numerator, BigInteger Denominator) TicksPerUnit(TimeUnit unit) => unit switch
    {
        TimeUnit.Week => (TimeSpan.TicksPerDay * 7, 1),
        TimeUnit.Day => (TimeSpan.TicksPerDay, 1),
        TimeUnit.Hour => (TimeSpan.TicksPerHour, 1),
        TimeUnit.Minute => (TimeSpan.TicksPerMinute, 1),
        TimeUnit.Second => (TimeSpan.TicksPerSecond, 1),
        TimeUnit.Millisecond => (TimeSpan.TicksPerMillisecond, 1),
        TimeUnit.Microsecond => (10, 1),
        TimeUnit.Nanosecond => (1, 100),
        TimeUnit.Picosecond => (1, 100_000),
        TimeUnit.Femtosecond => (1, 100_000_000),
        TimeUnit.Attosecond => (1, 100_000_000_000),
        _ => throw new ZarrException($"a count of unit '{Code(unit)}' has no fixed length in ticks"),
    };

    /// <summary>Floor division (toward negative infinity), as numpy's casts between units.</summary>
    internal static BigInteger FloorDiv(BigInteger a, BigInteger b)
    {
        var q = BigInteger.DivRem(a, b, out var r);
        return r != 0 && (r.Sign < 0) != (b.Sign < 0) ? q - 1 : q;
    }
}
