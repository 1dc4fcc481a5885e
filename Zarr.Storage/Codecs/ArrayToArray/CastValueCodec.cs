using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The <c>cast_value</c> codec (zarr-extensions): converts each value to <see cref="EncodedType"/> by its numerical value
/// (not its bits) when encoding, and back to the array's type when decoding, in the extension's order: the scalar map
/// first, then an exact conversion, then <see cref="Rounding"/> and <see cref="OutOfRange"/>; anything else (NaN or
/// ±Infinity to an integer type without a mapping, an out-of-range value without a rule) is an error naming the value.
/// </summary>
public sealed class CastValueCodec : IArrayToArrayCodec
{
    private readonly Kernel _kernel;

    /// <summary>Creates the codec.</summary>
    /// <param name="decodedType">The type the codec receives (the array's, or the previous codec's output): an integer or float type.</param>
    /// <param name="encodedType">The type it produces (the extension's <c>data_type</c>): an integer or float type.</param>
    /// <param name="rounding">How inexact values are rounded.</param>
    /// <param name="outOfRange">What an out-of-range value becomes.</param>
    /// <param name="scalarMap">The extension's <c>scalar_map</c> object (<c>{"encode": [[in, out], ...], "decode": [...]}</c>), or null.</param>
    /// <exception cref="ArgumentException">A type is not an integer or float type, <c>wrap</c> with a float target, or an invalid scalar map.</exception>
    public CastValueCodec(ZarrDataType decodedType, ZarrDataType encodedType, CastRounding rounding = CastRounding.NearestEven,
        CastOutOfRange outOfRange = CastOutOfRange.Error, JsonObject? scalarMap = null)
    {
        ArgumentNullException.ThrowIfNull(decodedType);
        ArgumentNullException.ThrowIfNull(encodedType);
        if (!FilterKernels.IsRealNumber(decodedType) || !FilterKernels.IsRealNumber(encodedType))
        {
            throw new ArgumentException($"cast_value converts between integer and float types, not {decodedType} → {encodedType}");
        }

        if (rounding is < CastRounding.NearestEven or > CastRounding.NearestAway)
        {
            throw new ArgumentOutOfRangeException(nameof(rounding), rounding, "not a rounding mode");
        }

        if (outOfRange is < CastOutOfRange.Error or > CastOutOfRange.Wrap)
        {
            throw new ArgumentOutOfRangeException(nameof(outOfRange), outOfRange, "not an out-of-range rule");
        }

        if (outOfRange == CastOutOfRange.Wrap && encodedType.IsFloatingPoint)
        {
            throw new ArgumentException($"out_of_range \"wrap\" is only for integer targets; {encodedType} is a float type", nameof(outOfRange));
        }

        DecodedType = decodedType;
        EncodedType = encodedType;
        Rounding = rounding;
        OutOfRange = outOfRange;
        ScalarMap = scalarMap?.DeepClone().AsObject();
        var (encode, decode) = ParseScalarMap(ScalarMap, decodedType, encodedType);
        _kernel = (Kernel)FilterKernels.Create(decodedType, encodedType, new Factory(new Rules(rounding, outOfRange, encode, decode, decodedType, encodedType)));
    }

    /// <summary>The type the codec receives.</summary>
    public ZarrDataType DecodedType { get; }

    /// <summary>The type the codec produces (<c>data_type</c>).</summary>
    public ZarrDataType EncodedType { get; }

    /// <summary>The rounding mode.</summary>
    public CastRounding Rounding { get; }

    /// <summary>The out-of-range rule.</summary>
    public CastOutOfRange OutOfRange { get; }

    /// <summary>The scalar map as given, or null.</summary>
    public JsonObject? ScalarMap { get; }

    /// <inheritdoc />
    public string Name => "cast_value";

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <summary>The extension's spelling of a rounding mode (<c>nearest-even</c>, ...).</summary>
    public static string RoundingName(CastRounding rounding) => rounding switch
    {
        CastRounding.NearestEven => "nearest-even",
        CastRounding.TowardsZero => "towards-zero",
        CastRounding.TowardsPositive => "towards-positive",
        CastRounding.TowardsNegative => "towards-negative",
        CastRounding.NearestAway => "nearest-away",
        _ => throw new ArgumentOutOfRangeException(nameof(rounding), rounding, "not a rounding mode"),
    };

    /// <inheritdoc />
    /// <exception cref="ZarrCodecException">The chunk is of another type, or the fill value does not survive the cast both ways (the extension makes that an error).</exception>
    public ChunkSpec GetEncodedSpec(in ChunkSpec decoded)
    {
        Check(decoded.DataType);
        var fill = new byte[EncodedType.ItemSize];
        if (decoded.FillValue.Length == DecodedType.ItemSize)
        {
            var given = decoded.FillValue.ToArray();
            Run(() => _kernel.Encode(given, fill), "the fill value");
            var back = new byte[DecodedType.ItemSize];
            Run(() => _kernel.Decode(fill, back), "the fill value cast back");
            if (!_kernel.SameValue(back, given))
            {
                throw new ZarrCodecException(Name, $"the fill value {ScalarJson.Format(given, DecodedType).ToJsonString()} does not survive the cast to {EncodedType} and back (it comes back as {ScalarJson.Format(back, DecodedType).ToJsonString()}); map it in scalar_map or choose another fill value");
            }
        }

        return decoded with { DataType = EncodedType, FillValue = ImmutableArrays.Own(fill) };
    }

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded, in ChunkSpec decodedSpec)
    {
        CheckLengths(decodedSpec, decoded.Length, encoded.Length);
        try
        {
            _kernel.Encode(decoded, encoded);
        }
        catch (OverflowException ex)
        {
            throw new ZarrCodecException(Name, $"encoding {DecodedType} → {EncodedType}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded, in ChunkSpec decodedSpec)
    {
        CheckLengths(decodedSpec, decoded.Length, encoded.Length);
        try
        {
            _kernel.Decode(encoded, decoded);
        }
        catch (OverflowException ex)
        {
            throw new ZarrCodecException(Name, $"decoding {EncodedType} → {DecodedType}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"CastValue({DecodedType} → {EncodedType}, {RoundingName(Rounding)}, {OutOfRange})";

    private void Run(Action action, string what)
    {
        try
        {
            action();
        }
        catch (OverflowException ex)
        {
            throw new ZarrCodecException(Name, $"{what}: {ex.Message}", ex);
        }
    }

    private void Check(ZarrDataType dataType)
    {
        if (dataType != DecodedType)
        {
            throw new ZarrCodecException(Name, $"the codec casts from {DecodedType}; the chunk is of {dataType}");
        }
    }

    private void CheckLengths(in ChunkSpec spec, int decodedLength, int encodedLength)
    {
        Check(spec.DataType);
        var count = spec.ElementCount;
        if (decodedLength != count * DecodedType.ItemSize || encodedLength != count * EncodedType.ItemSize)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture,
                $"the buffers are {decodedLength} bytes ({DecodedType}) and {encodedLength} bytes ({EncodedType}); {count} elements need {count * DecodedType.ItemSize} and {count * EncodedType.ItemSize}"));
        }
    }

    private static (List<(byte[], byte[])> Encode, List<(byte[], byte[])> Decode) ParseScalarMap(JsonObject? map, ZarrDataType decoded, ZarrDataType encoded)
    {
        var encode = new List<(byte[], byte[])>();
        var decode = new List<(byte[], byte[])>();
        if (map is null)
        {
            return (encode, decode);
        }

        foreach (var (key, value) in map)
        {
            var (list, from, to) = key switch
            {
                "encode" => (encode, decoded, encoded),
                "decode" => (decode, encoded, decoded),
                _ => throw new ArgumentException($"scalar_map has the unknown key {UserText.Quote(key)} (only \"encode\" and \"decode\")"),
            };
            if (value is not JsonArray pairs)
            {
                throw new ArgumentException($"scalar_map.{key} must be an array of [input, output] pairs; got {UserText.Json(value)}");
            }

            foreach (var pair in pairs)
            {
                if (pair is not JsonArray { Count: 2 } p)
                {
                    throw new ArgumentException($"scalar_map.{key} holds {UserText.Json(pair)}, not an [input, output] pair");
                }

                try
                {
                    list.Add((ScalarJson.Parse(p[0], from, "cast_value", $"scalar_map.{key}"), ScalarJson.Parse(p[1], to, "cast_value", $"scalar_map.{key}")));
                }
                catch (ZarrMetadataException ex)
                {
                    throw new ArgumentException($"scalar_map.{key}: {UserText.Json(pair)} is not a pair of {from} and {to} values: {ex.Message}", ex);
                }
            }
        }

        return (encode, decode);
    }

    private sealed record Rules(CastRounding Rounding, CastOutOfRange OutOfRange, List<(byte[], byte[])> Encode, List<(byte[], byte[])> Decode, ZarrDataType DecodedType, ZarrDataType EncodedType);

    private abstract class Kernel : FilterKernel
    {
        public abstract bool SameValue(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b);
    }

    private readonly struct Factory(Rules rules) : IKernelFactory
    {
        public FilterKernel Create<TDecoded, TEncoded>()
            where TDecoded : unmanaged, INumber<TDecoded>
            where TEncoded : unmanaged, INumber<TEncoded> => new Kernel<TDecoded, TEncoded>(rules);
    }

    private sealed class Kernel<TDecoded, TEncoded>(Rules rules) : Kernel
        where TDecoded : unmanaged, INumber<TDecoded>
        where TEncoded : unmanaged, INumber<TEncoded>
    {
        private readonly (TDecoded From, TEncoded To)[] _encode = Map<TDecoded, TEncoded>(rules.Encode);
        private readonly (TEncoded From, TDecoded To)[] _decode = Map<TEncoded, TDecoded>(rules.Decode);
        private readonly CastValueCaster<TDecoded, TEncoded> _forward = new(rules.Rounding, rules.OutOfRange, rules.EncodedType);
        private readonly CastValueCaster<TEncoded, TDecoded> _backward = new(rules.Rounding, rules.OutOfRange, rules.DecodedType);

        public override void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded) =>
            Convert(Elements.Of<TDecoded>(decoded), Elements.Of<TEncoded>(encoded), _encode, _forward);

        public override void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded) =>
            Convert(Elements.Of<TEncoded>(encoded), Elements.Of<TDecoded>(decoded), _decode, _backward);

        public override bool SameValue(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
        {
            var x = MemoryMarshal.Read<TDecoded>(a);
            var y = MemoryMarshal.Read<TDecoded>(b);
            return x == y || (TDecoded.IsNaN(x) && TDecoded.IsNaN(y));
        }

        private static (TFrom, TTo)[] Map<TFrom, TTo>(List<(byte[] From, byte[] To)> pairs)
            where TFrom : unmanaged
            where TTo : unmanaged
        {
            var result = new List<(TFrom, TTo)>();
            foreach (var (from, to) in pairs)
            {
                var key = MemoryMarshal.Read<TFrom>(from);
                if (!result.Exists(r => Same(r.Item1, key)))
                {
                    // The first occurrence of a key wins, as the extension says.
                    result.Add((key, MemoryMarshal.Read<TTo>(to)));
                }
            }

            return [.. result];
        }

        private static bool Same<T>(T a, T b) => EqualityComparer<T>.Default.Equals(a, b) || (IsNaN(a) && IsNaN(b));

        private static bool IsNaN<T>(T value) => value switch
        {
            double d => double.IsNaN(d),
            float f => float.IsNaN(f),
            Half h => Half.IsNaN(h),
            _ => false,
        };

        private static void Convert<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> target, (TFrom From, TTo To)[] map, CastValueCaster<TFrom, TTo> caster)
            where TFrom : unmanaged, INumber<TFrom>
            where TTo : unmanaged, INumber<TTo>
        {
            for (var i = 0; i < source.Length; i++)
            {
                var x = source[i];
                var mapped = false;
                foreach (var (from, to) in map)
                {
                    if (x == from || (TFrom.IsNaN(x) && TFrom.IsNaN(from)))
                    {
                        target[i] = to;
                        mapped = true;
                        break;
                    }
                }

                if (!mapped)
                {
                    target[i] = caster.Cast(x);
                }
            }
        }
    }
}
