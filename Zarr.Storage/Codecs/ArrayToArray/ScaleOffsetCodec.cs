using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Zarr.Storage.Internal;

namespace Zarr.Storage.Codecs;

/// <summary>
/// The <c>scale_offset</c> codec (zarr-extensions): encodes <c>(x − offset) × scale</c> and decodes <c>x / scale + offset</c>
/// in the arithmetic of the array's own type, which it keeps (follow it with <see cref="CastValueCodec"/> to store a
/// narrower type). An integer result that overflows, or an integer division with a remainder, is an error, as the
/// extension requires; floats follow IEEE 754.
/// </summary>
public sealed class ScaleOffsetCodec : IArrayToArrayCodec
{
    private readonly byte[] _offset;
    private readonly byte[] _scale;
    private readonly bool _hasOffset;
    private readonly bool _hasScale;
    private readonly Kernel _kernel;

    /// <summary>Creates the codec for elements of <paramref name="dataType"/>.</summary>
    /// <param name="dataType">The type the codec receives and produces: an integer or float type.</param>
    /// <param name="offset">Subtracted before scaling (null: 0, and left out of the metadata).</param>
    /// <param name="scale">The factor applied after the offset (null: 1, and left out of the metadata).</param>
    /// <exception cref="ArgumentException">The type is not an integer or float type, a value is not exactly a value of it, or the scale is 0.</exception>
    public ScaleOffsetCodec(ZarrDataType dataType, double? offset = null, double? scale = null)
        : this(dataType, offset is { } o ? ToElement(dataType, o, nameof(offset)) : null, scale is { } s ? ToElement(dataType, s, nameof(scale)) : null)
    {
    }

    /// <summary>Creates the codec from elements of the type (little-endian bytes), as read from metadata.</summary>
    internal ScaleOffsetCodec(ZarrDataType dataType, byte[]? offset, byte[]? scale)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        if (!FilterKernels.IsRealNumber(dataType))
        {
            throw new ArgumentException($"scale_offset works on integer and float types, not {dataType}", nameof(dataType));
        }

        DataType = dataType;
        _hasOffset = offset is not null;
        _hasScale = scale is not null;
        _offset = offset ?? new byte[dataType.ItemSize];
        _scale = scale ?? ToElement(dataType, 1, nameof(scale));
        _kernel = dataType.Accept(new KernelChoice(_offset, _scale));
        if (_kernel.IsZeroScale)
        {
            throw new ArgumentException("scale_offset's scale must not be 0 (decoding divides by it)", nameof(scale));
        }
    }

    /// <summary>The type the codec receives and produces.</summary>
    public ZarrDataType DataType { get; }

    /// <summary>The offset as its v3 JSON scalar, or null when it is the default 0 and not written.</summary>
    public JsonNode? OffsetJson => _hasOffset ? ScalarJson.Format(_offset, DataType) : null;

    /// <summary>The scale as its v3 JSON scalar, or null when it is the default 1 and not written.</summary>
    public JsonNode? ScaleJson => _hasScale ? ScalarJson.Format(_scale, DataType) : null;

    /// <inheritdoc />
    public string Name => "scale_offset";

    /// <inheritdoc />
    public JsonObject ToV3Json() => CodecRegistry.Default.WriteV3(this);

    /// <inheritdoc />
    /// <exception cref="ZarrCodecException">The chunk is of another type, or the fill value does not survive the transformation.</exception>
    public ChunkSpec GetEncodedSpec(in ChunkSpec decoded)
    {
        Check(decoded.DataType);
        if (decoded.FillValue.Length != DataType.ItemSize)
        {
            return decoded;
        }

        var fill = new byte[DataType.ItemSize];
        var given = decoded.FillValue.ToArray();
        Run(() => _kernel.Encode(given, fill), "the fill value");
        return decoded with { FillValue = ImmutableArrays.Own(fill) };
    }

    /// <inheritdoc />
    public void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded, in ChunkSpec decodedSpec)
    {
        CheckLengths(decoded.Length, encoded.Length, decodedSpec);
        try
        {
            _kernel.Encode(decoded, encoded);
        }
        catch (OverflowException ex)
        {
            throw new ZarrCodecException(Name, $"(x - offset) * scale does not fit {DataType}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded, in ChunkSpec decodedSpec)
    {
        CheckLengths(decoded.Length, encoded.Length, decodedSpec);
        try
        {
            _kernel.Decode(encoded, decoded);
        }
        catch (Exception ex) when (ex is OverflowException or ArithmeticException)
        {
            throw new ZarrCodecException(Name, $"x / scale + offset is not a value of {DataType}: {ex.Message}", ex);
        }
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"ScaleOffset({DataType}, offset={ScalarJson.Format(_offset, DataType).ToJsonString()}, scale={ScalarJson.Format(_scale, DataType).ToJsonString()})";

    private void Run(Action action, string what)
    {
        try
        {
            action();
        }
        catch (Exception ex) when (ex is OverflowException or ArithmeticException)
        {
            throw new ZarrCodecException(Name, $"{what} does not survive (x - offset) * scale in {DataType}: {ex.Message}", ex);
        }
    }

    private void Check(ZarrDataType dataType)
    {
        if (dataType != DataType)
        {
            throw new ZarrCodecException(Name, $"the codec was made for {DataType}; the chunk is of {dataType}");
        }
    }

    private void CheckLengths(int decodedLength, int encodedLength, in ChunkSpec spec)
    {
        Check(spec.DataType);
        if (decodedLength != spec.ByteLength || encodedLength != spec.ByteLength)
        {
            throw new ZarrCodecException(Name, string.Create(CultureInfo.InvariantCulture, $"the buffers are {decodedLength} and {encodedLength} bytes; the chunk is {spec.ByteLength}"));
        }
    }

    private static byte[] ToElement(ZarrDataType dataType, double value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        if (!FilterKernels.IsRealNumber(dataType))
        {
            throw new ArgumentException($"scale_offset works on integer and float types, not {dataType}", nameof(dataType));
        }

        return dataType.Accept(new ElementOf(value, parameter));
    }

    private sealed class ElementOf(double value, string parameter) : ZarrDataTypeVisitor<byte[]>
    {
        public override byte[] VisitNumber<T>()
        {
            var element = T.CreateSaturating(value);
            if (!NumpyCast.IsFloat<T>() && double.CreateTruncating(element) != value)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{value} is not a value of {ZarrDataType.Of<T>()}"), parameter);
            }

            var bytes = new byte[System.Runtime.CompilerServices.Unsafe.SizeOf<T>()];
            MemoryMarshal.Write(bytes, in element);
            return bytes;
        }

        protected override byte[] VisitDefault(ZarrDataType dataType) => throw new ArgumentException($"scale_offset works on integer and float types, not {dataType}");
    }

    private abstract class Kernel
    {
        public abstract bool IsZeroScale { get; }

        public abstract void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded);

        public abstract void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded);
    }

    private sealed class KernelChoice(byte[] offset, byte[] scale) : ZarrDataTypeVisitor<Kernel>
    {
        public override Kernel VisitNumber<T>() =>
            new Kernel<T>(MemoryMarshal.Read<T>(offset), MemoryMarshal.Read<T>(scale));

        protected override Kernel VisitDefault(ZarrDataType dataType) => throw new ArgumentException($"scale_offset works on integer and float types, not {dataType}");
    }

    private sealed class Kernel<T>(T offset, T scale) : Kernel
        where T : unmanaged, INumber<T>
    {
        public override bool IsZeroScale => T.IsZero(scale);

        public override void Encode(ReadOnlySpan<byte> decoded, Span<byte> encoded)
        {
            var source = Elements.Of<T>(decoded);
            var target = Elements.Of<T>(encoded);
            if (NumpyCast.IsFloat<T>())
            {
                for (var i = 0; i < source.Length; i++)
                {
                    target[i] = (source[i] - offset) * scale;
                }
            }
            else
            {
                for (var i = 0; i < source.Length; i++)
                {
                    target[i] = checked((source[i] - offset) * scale);
                }
            }
        }

        public override void Decode(ReadOnlySpan<byte> encoded, Span<byte> decoded)
        {
            var source = Elements.Of<T>(encoded);
            var target = Elements.Of<T>(decoded);
            if (NumpyCast.IsFloat<T>())
            {
                for (var i = 0; i < source.Length; i++)
                {
                    target[i] = (source[i] / scale) + offset;
                }
            }
            else
            {
                for (var i = 0; i < source.Length; i++)
                {
                    var x = source[i];
                    var q = x / scale;
                    if (q * scale != x)
                    {
                        throw new ArithmeticException(string.Create(CultureInfo.InvariantCulture, $"{x} / {scale} leaves a remainder"));
                    }

                    target[i] = checked(q + offset);
                }
            }
        }
    }
}
