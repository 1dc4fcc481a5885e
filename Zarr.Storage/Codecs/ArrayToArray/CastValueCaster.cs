using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Zarr.Storage.Codecs;

/// <summary>One direction of the cast: the value exactly when it can be, else rounded, else the out-of-range rule.</summary>
internal sealed class CastValueCaster<TFrom, TTo>
    where TFrom : unmanaged, INumber<TFrom>
    where TTo : unmanaged, INumber<TTo>
{
    private readonly CastRounding _rounding;
    private readonly CastOutOfRange _outOfRange;
    private readonly ZarrDataType _target;
    private readonly Int128 _min;
    private readonly Int128 _max;

    public CastValueCaster(CastRounding rounding, CastOutOfRange outOfRange, ZarrDataType target)
    {
        _rounding = rounding;
        _outOfRange = outOfRange;
        _target = target;
        if (!NumpyCast.IsFloat<TTo>())
        {
            var bits = target.ItemSize * 8;
            var signed = target.NumpyKind == 'i';
            _min = signed ? -(Int128.One << (bits - 1)) : Int128.Zero;
            _max = signed ? (Int128.One << (bits - 1)) - 1 : (Int128.One << bits) - 1;
        }
    }

    public TTo Cast(TFrom x)
    {
        if (NumpyCast.IsFloat<TFrom>())
        {
            var d = double.CreateTruncating(x);
            if (NumpyCast.IsFloat<TTo>())
            {
                return ToFloat(d);
            }

            if (!double.IsFinite(d))
            {
                throw new OverflowException(string.Create(CultureInfo.InvariantCulture, $"{d} has no value in {_target} (map it in scalar_map)"));
            }

            var r = Math.Round(d, Midpoint());
            if (Math.Abs(r) < 8.5070591730234616e37) // 2^126: Int128 holds it exactly
            {
                return ToInteger((Int128)r, d);
            }

            return _outOfRange switch
            {
                CastOutOfRange.Clamp => TTo.CreateTruncating(r > 0 ? _max : _min),
                CastOutOfRange.Wrap => TTo.Zero, // a double this large is a multiple of 2^74, so 0 modulo 2^64
                _ => throw OutOfRangeError(d),
            };
        }

        var n = Int128.CreateTruncating(x);
        return NumpyCast.IsFloat<TTo>() ? ToFloat(n) : ToInteger(n, (double)n);
    }

    private MidpointRounding Midpoint() => _rounding switch
    {
        CastRounding.TowardsZero => MidpointRounding.ToZero,
        CastRounding.TowardsPositive => MidpointRounding.ToPositiveInfinity,
        CastRounding.TowardsNegative => MidpointRounding.ToNegativeInfinity,
        CastRounding.NearestAway => MidpointRounding.AwayFromZero,
        _ => MidpointRounding.ToEven,
    };

    private TTo ToInteger(Int128 n, double shown)
    {
        if (n >= _min && n <= _max)
        {
            return TTo.CreateTruncating(n);
        }

        return _outOfRange switch
        {
            CastOutOfRange.Clamp => TTo.CreateTruncating(n > _max ? _max : _min),
            CastOutOfRange.Wrap => TTo.CreateTruncating(n),
            _ => throw OutOfRangeError(shown),
        };
    }

    private TTo ToFloat(double d)
    {
        var nearest = TTo.CreateTruncating(d);
        if (double.IsNaN(d))
        {
            return nearest;
        }

        var c = double.CreateTruncating(nearest);
        var result = c == d || _rounding == CastRounding.NearestEven ? nearest : Directed(nearest, c, d);
        return CheckOverflow(result, double.IsInfinity(d), d);
    }

    private TTo ToFloat(Int128 n)
    {
        // Exactly representable in double: the double path is exact. Beyond 2^53 the neighbours are compared as integers.
        var d = (double)n;
        if ((Int128)d == n)
        {
            return ToFloat(d);
        }

        var nearest = TTo.CreateTruncating(d);
        var below = double.CreateTruncating(nearest) < d || ((Int128)double.CreateTruncating(nearest) < n);
        var lo = below ? nearest : Step(nearest, up: false);
        var hi = below ? Step(nearest, up: true) : nearest;
        if ((Int128)double.CreateTruncating(lo) > n)
        {
            (lo, hi) = (Step(lo, up: false), lo);
        }
        else if (double.IsFinite(double.CreateTruncating(hi)) && (Int128)double.CreateTruncating(hi) < n)
        {
            (lo, hi) = (hi, Step(hi, up: true));
        }

        var loGap = n - (Int128)double.CreateTruncating(lo);
        var hiGap = double.IsFinite(double.CreateTruncating(hi)) ? (Int128)double.CreateTruncating(hi) - n : Int128.MaxValue;
        var result = _rounding switch
        {
            CastRounding.TowardsZero => n > 0 ? lo : hi,
            CastRounding.TowardsPositive => hi,
            CastRounding.TowardsNegative => lo,
            _ when loGap != hiGap => loGap < hiGap ? lo : hi,
            CastRounding.NearestAway => n > 0 ? hi : lo,
            _ => IsEven(lo) ? lo : hi,
        };
        return CheckOverflow(result, false, d);
    }

    private TTo Directed(TTo nearest, double c, double d)
    {
        var lo = c < d ? nearest : Step(nearest, up: false);
        var hi = c < d ? Step(nearest, up: true) : nearest;
        switch (_rounding)
        {
            case CastRounding.TowardsZero:
                return d > 0 ? lo : hi;
            case CastRounding.TowardsPositive:
                return hi;
            case CastRounding.TowardsNegative:
                return lo;
            default:
                var loGap = d - double.CreateTruncating(lo);
                var hiGap = double.CreateTruncating(hi) - d;
                return loGap == hiGap ? (d > 0 ? hi : lo) : nearest;
        }
    }

    private TTo CheckOverflow(TTo result, bool infiniteInput, double shown)
    {
        if (infiniteInput || double.IsFinite(double.CreateTruncating(result)))
        {
            return result;
        }

        return _outOfRange == CastOutOfRange.Clamp ? result : throw OutOfRangeError(shown);
    }

    private OverflowException OutOfRangeError(double value) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{value} is outside the range of {_target} and out_of_range is not set"));

    private static TTo Step(TTo value, bool up)
    {
        if (typeof(TTo) == typeof(double))
        {
            var v = Unsafe.As<TTo, double>(ref value);
            var s = up ? Math.BitIncrement(v) : Math.BitDecrement(v);
            return Unsafe.As<double, TTo>(ref s);
        }

        if (typeof(TTo) == typeof(float))
        {
            var v = Unsafe.As<TTo, float>(ref value);
            var s = up ? MathF.BitIncrement(v) : MathF.BitDecrement(v);
            return Unsafe.As<float, TTo>(ref s);
        }

        var h = Unsafe.As<TTo, Half>(ref value);
        var t = up ? Half.BitIncrement(h) : Half.BitDecrement(h);
        return Unsafe.As<Half, TTo>(ref t);
    }

    private static bool IsEven(TTo value)
    {
        if (typeof(TTo) == typeof(double))
        {
            return (BitConverter.DoubleToInt64Bits(Unsafe.As<TTo, double>(ref value)) & 1) == 0;
        }

        if (typeof(TTo) == typeof(float))
        {
            return (BitConverter.SingleToInt32Bits(Unsafe.As<TTo, float>(ref value)) & 1) == 0;
        }

        return (BitConverter.HalfToInt16Bits(Unsafe.As<TTo, Half>(ref value)) & 1) == 0;
    }
}
