using System.Numerics;
using System.Runtime.InteropServices;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Datasets;

/// <summary>The values of a variable to write, in their own type, and their encoding into a stored type.</summary>
internal abstract class ContentValues
{
    public abstract int Length { get; }

    /// <summary>What the values are (a number, a time, a boolean).</summary>
    public abstract DatasetValueKind Kind { get; }

    /// <summary>The stored type xarray gives them by default: the values' own, int64 for times, int8 for booleans.</summary>
    public abstract ZarrDataType DefaultStorage { get; }

    /// <summary>True for floating-point values, which xarray stores with a NaN fill value by default.</summary>
    public virtual bool IsFloat => false;

    /// <summary>The first and the steps of times (to choose their units); empty for other values.</summary>
    public virtual ReadOnlySpan<DateTime> Times => [];

    /// <summary>The values as elements of <paramref name="storage"/>, little-endian, encoded with <paramref name="encoding"/>.</summary>
    /// <exception cref="ZarrException">A value does not fit the stored type.</exception>
    public abstract byte[] Encode(ZarrDataType storage, CfEncoding encoding, string variable);
}

/// <summary>Numbers of a CLR type the library stores.</summary>
internal sealed class NumberValues<T>(T[] values) : ContentValues where T : unmanaged, INumberBase<T>
{
    public override int Length => values.Length;

    public override DatasetValueKind Kind => DatasetValueKind.Number;

    public override ZarrDataType DefaultStorage { get; } = ZarrDataType.Of<T>();

    public override bool IsFloat => DefaultStorage.IsFloatingPoint;

    public override byte[] Encode(ZarrDataType storage, CfEncoding encoding, string variable)
    {
        if (storage == DefaultStorage && !encoding.IsPacked && !(encoding.FillValue is { } f && !double.IsNaN(f) && IsFloat))
        {
            // Stored as they are (a float's NaN is its own missing marker).
            return MemoryMarshal.AsBytes(values.AsSpan()).ToArray();
        }

        var encoded = new double[values.Length];
        var integer = ElementConversion.IsInteger(storage);
        for (var i = 0; i < values.Length; i++)
        {
            encoded[i] = encoding.Encode(double.CreateTruncating(values[i]), integer);
        }

        var bytes = new byte[values.Length * storage.ItemSize];
        ElementConversion.FromDoubles(encoded, storage, bytes, variable);
        return bytes;
    }
}

/// <summary>Times (UTC), stored as a count of CF units since an epoch.</summary>
internal sealed class TimeValues(DateTime[] values) : ContentValues
{
    public override int Length => values.Length;

    public override DatasetValueKind Kind => DatasetValueKind.Time;

    public override ZarrDataType DefaultStorage => ZarrDataType.Int64;

    public override ReadOnlySpan<DateTime> Times => values;

    public override byte[] Encode(ZarrDataType storage, CfEncoding encoding, string variable)
    {
        var units = encoding.TimeUnits ?? throw new ZarrException($"variable {UserText.Quote(variable)} holds times but its encoding has no time units");
        if (storage == ZarrDataType.Int64)
        {
            var counts = new long[values.Length];
            for (var i = 0; i < values.Length; i++)
            {
                counts[i] = units.ToCount(DateTime.SpecifyKind(values[i], DateTimeKind.Utc));
            }

            return MemoryMarshal.AsBytes(counts.AsSpan()).ToArray();
        }

        var numbers = new double[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            numbers[i] = (double)(values[i].Ticks - units.Epoch.Ticks) / units.Unit.Ticks;
        }

        var bytes = new byte[values.Length * storage.ItemSize];
        ElementConversion.FromDoubles(numbers, storage, bytes, variable);
        return bytes;
    }
}

/// <summary>Booleans, stored as int8 0 and 1 (xarray's encoding, with the attribute <c>dtype: "bool"</c>).</summary>
internal sealed class BoolValues(bool[] values) : ContentValues
{
    public override int Length => values.Length;

    public override DatasetValueKind Kind => DatasetValueKind.Bool;

    public override ZarrDataType DefaultStorage => ZarrDataType.Int8;

    public override byte[] Encode(ZarrDataType storage, CfEncoding encoding, string variable)
    {
        if (storage.ItemSize != 1 || !ElementConversion.IsInteger(storage))
        {
            throw new ZarrException($"variable {UserText.Quote(variable)} holds booleans, stored as int8 (or bool), not {storage}");
        }

        return [.. values.Select(v => v ? (byte)1 : (byte)0)];
    }
}
