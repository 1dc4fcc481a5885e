using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Zarr.Storage;

/// <summary>
/// One element of a numpy <c>datetime64</c> array: the raw signed 64-bit count of units since the Unix epoch
/// (1970-01-01T00:00:00Z). The unit and scale belong to the array's data type (<see cref="ZarrDataType.TimeUnit"/>,
/// <see cref="ZarrDataType.TimeScale"/>), so conversions take them as arguments. <see cref="long.MinValue"/> is NaT,
/// "not a time".
/// </summary>
/// <param name="Value">The count of units since the epoch.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct DateTime64(long Value) : IComparable<DateTime64>
{
    /// <summary>NaT: not a time (the count −2^63).</summary>
    public static DateTime64 NaT => new(long.MinValue);

    /// <summary>True for NaT.</summary>
    public bool IsNaT => Value == long.MinValue;

    /// <summary>The moment as a UTC <see cref="DateTime"/>; finer units than 100 ns are floored to whole ticks.</summary>
    /// <param name="unit">The array's unit.</param>
    /// <param name="scale">The array's scale factor (1 unless the type is e.g. <c>M8[10s]</c>).</param>
    /// <exception cref="ZarrException">The value is NaT, the unit is generic, or the moment is outside <see cref="DateTime"/>'s range.</exception>
    public DateTime ToDateTime(TimeUnit unit, int scale = 1)
    {
        if (IsNaT)
        {
            throw new ZarrException("NaT (not a time) has no DateTime");
        }

        CheckScale(scale);
        var count = (BigInteger)Value * scale;
        try
        {
            switch (unit)
            {
                case TimeUnit.Year:
                    return new DateTime(checked(1970 + (int)count), 1, 1, 0, 0, 0, DateTimeKind.Utc);
                case TimeUnit.Month:
                    var months = (long)count;
                    var year = 1970 + Math.Floor(months / 12.0);
                    var month = (int)(((months % 12) + 12) % 12) + 1;
                    return new DateTime(checked((int)year), month, 1, 0, 0, 0, DateTimeKind.Utc);
                default:
                    var (num, den) = TimeUnits.TicksPerUnit(unit);
                    var ticks = TimeUnits.FloorDiv(count * num, den) + DateTime.UnixEpoch.Ticks;
                    return new DateTime((long)ticks, DateTimeKind.Utc);
            }
        }
        catch (Exception e) when (e is OverflowException or ArgumentOutOfRangeException)
        {
            throw new ZarrException(string.Create(CultureInfo.InvariantCulture, $"datetime64 {Value} [{scale}{TimeUnits.Code(unit)}] is outside the range of DateTime"), e);
        }
    }

    /// <summary>The moment as a <see cref="DateTimeOffset"/> at offset zero (see <see cref="ToDateTime"/>).</summary>
    public DateTimeOffset ToDateTimeOffset(TimeUnit unit, int scale = 1) => new(ToDateTime(unit, scale));

    /// <summary>
    /// The count of <paramref name="unit"/> × <paramref name="scale"/> since the epoch for a moment, floored as numpy
    /// casts (a local time is converted to UTC first; an unspecified kind is taken as UTC).
    /// </summary>
    /// <exception cref="ZarrException">The count does not fit in 64 bits, or the unit is generic.</exception>
    public static DateTime64 FromDateTime(DateTime value, TimeUnit unit, int scale = 1)
    {
        CheckScale(scale);
        if (value.Kind == DateTimeKind.Local)
        {
            value = value.ToUniversalTime();
        }

        BigInteger count = unit switch
        {
            TimeUnit.Year => TimeUnits.FloorDiv(value.Year - 1970, scale),
            TimeUnit.Month => TimeUnits.FloorDiv(((value.Year - 1970) * 12L) + value.Month - 1, scale),
            _ => FromTicks(value.Ticks - DateTime.UnixEpoch.Ticks, unit, scale),
        };
        return new DateTime64(ToCount(count, unit, scale));
    }

    /// <summary>The count for a <see cref="DateTimeOffset"/> (its UTC moment; see <see cref="FromDateTime"/>).</summary>
    public static DateTime64 FromDateTimeOffset(DateTimeOffset value, TimeUnit unit, int scale = 1) => FromDateTime(value.UtcDateTime, unit, scale);

    /// <inheritdoc />
    public int CompareTo(DateTime64 other) => Value.CompareTo(other.Value);

    /// <summary>Less than (NaT, the smallest count, sorts first).</summary>
    public static bool operator <(DateTime64 left, DateTime64 right) => left.Value < right.Value;

    /// <summary>Greater than.</summary>
    public static bool operator >(DateTime64 left, DateTime64 right) => left.Value > right.Value;

    /// <summary>Less than or equal.</summary>
    public static bool operator <=(DateTime64 left, DateTime64 right) => left.Value <= right.Value;

    /// <summary>Greater than or equal.</summary>
    public static bool operator >=(DateTime64 left, DateTime64 right) => left.Value >= right.Value;

    /// <inheritdoc />
    public override string ToString() => IsNaT ? "NaT" : Value.ToString(CultureInfo.InvariantCulture);

    internal static BigInteger FromTicks(long ticks, TimeUnit unit, int scale)
    {
        var (num, den) = TimeUnits.TicksPerUnit(unit);
        return TimeUnits.FloorDiv(ticks * den, num * scale);
    }

    internal static long ToCount(BigInteger count, TimeUnit unit, int scale) =>
        count > long.MinValue && count <= long.MaxValue
            ? (long)count
            : throw new ZarrException(string.Create(CultureInfo.InvariantCulture, $"the value is {count} units of {scale}{TimeUnits.Code(unit)}, outside the 64-bit range of numpy's datetime64/timedelta64"));

    internal static void CheckScale(int scale)
    {
        if (scale < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(scale), scale, "the scale factor is at least 1");
        }
    }
}

/// <summary>
/// One element of a numpy <c>timedelta64</c> array: the raw signed 64-bit count of units. The unit and scale belong
/// to the array's data type. <see cref="long.MinValue"/> is NaT.
/// </summary>
/// <param name="Value">The count of units.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct TimeDelta64(long Value) : IComparable<TimeDelta64>
{
    /// <summary>NaT: not a time (the count −2^63).</summary>
    public static TimeDelta64 NaT => new(long.MinValue);

    /// <summary>True for NaT.</summary>
    public bool IsNaT => Value == long.MinValue;

    /// <summary>The duration as a <see cref="TimeSpan"/>; finer units than 100 ns are floored to whole ticks.</summary>
    /// <exception cref="ZarrException">NaT; a unit of years, months or generic (no fixed length); out of range.</exception>
    public TimeSpan ToTimeSpan(TimeUnit unit, int scale = 1)
    {
        if (IsNaT)
        {
            throw new ZarrException("NaT (not a time) has no TimeSpan");
        }

        DateTime64.CheckScale(scale);
        var (num, den) = TimeUnits.TicksPerUnit(unit);
        var ticks = TimeUnits.FloorDiv((BigInteger)Value * scale * num, den);
        return ticks >= long.MinValue && ticks <= long.MaxValue
            ? new TimeSpan((long)ticks)
            : throw new ZarrException(string.Create(CultureInfo.InvariantCulture, $"timedelta64 {Value} [{scale}{TimeUnits.Code(unit)}] is outside the range of TimeSpan"));
    }

    /// <summary>The count of <paramref name="unit"/> × <paramref name="scale"/> in a duration, floored.</summary>
    /// <exception cref="ZarrException">A unit of years, months or generic; the count does not fit in 64 bits.</exception>
    public static TimeDelta64 FromTimeSpan(TimeSpan value, TimeUnit unit, int scale = 1)
    {
        DateTime64.CheckScale(scale);
        return new TimeDelta64(DateTime64.ToCount(DateTime64.FromTicks(value.Ticks, unit, scale), unit, scale));
    }

    /// <inheritdoc />
    public int CompareTo(TimeDelta64 other) => Value.CompareTo(other.Value);

    /// <summary>Less than (NaT, the smallest count, sorts first).</summary>
    public static bool operator <(TimeDelta64 left, TimeDelta64 right) => left.Value < right.Value;

    /// <summary>Greater than.</summary>
    public static bool operator >(TimeDelta64 left, TimeDelta64 right) => left.Value > right.Value;

    /// <summary>Less than or equal.</summary>
    public static bool operator <=(TimeDelta64 left, TimeDelta64 right) => left.Value <= right.Value;

    /// <summary>Greater than or equal.</summary>
    public static bool operator >=(TimeDelta64 left, TimeDelta64 right) => left.Value >= right.Value;

    /// <inheritdoc />
    public override string ToString() => IsNaT ? "NaT" : Value.ToString(CultureInfo.InvariantCulture);
}
