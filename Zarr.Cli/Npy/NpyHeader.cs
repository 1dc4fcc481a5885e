using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Zarr.Storage.DataTypes;

namespace Zarr.Cli.Npy;

/// <summary>
/// The header of a NumPy <c>.npy</c> file: its data type (with byte order), memory order and shape, and where the data
/// starts. Reads format 1.0, 2.0 and 3.0; writes 1.0, or 2.0 when the header does not fit 1.0's 16-bit length, laid out
/// byte for byte as <c>numpy.save</c> does (same dict text, the same spare room after the shape, padding to 64 bytes).
/// </summary>
internal sealed record NpyHeader(ZarrDataType DataType, bool BigEndian, bool FortranOrder, long[] Shape, long DataOffset)
{
    /// <summary>The magic string every .npy file starts with.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // numpy: headers are padded so the data starts at a multiple of 64 bytes, and the dict keeps room for the growth
    // axis' length to reach 21 digits so that files can be appended to in place.
    private const int Alignment = 64;
    private const int GrowthAxisMaxDigits = 21;

    /// <summary>The number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>The number of data bytes.</summary>
    public long DataLength => checked(ElementCount * DataType.ItemSize);

    /// <summary>
    /// numpy's <c>descr</c> for a data type, little-endian, as the Python literal <c>numpy.save</c> writes: a quoted
    /// type string (<c>'&lt;i4'</c>, <c>'|b1'</c>, <c>'&lt;M8[ns]'</c>, <c>'|S8'</c>, <c>'&lt;U6'</c>) or, for a structured
    /// type, its list of fields (<c>[('x', '&lt;i4'), ('y', '&lt;f8', (2,))]</c>).
    /// </summary>
    public static string Descr(ZarrDataType dataType)
    {
        ArgumentNullException.ThrowIfNull(dataType);
        var text = new StringBuilder();
        AppendDescr(text, dataType);
        return text.ToString();
    }

    private static void AppendDescr(StringBuilder text, ZarrDataType dataType)
    {
        if (dataType.Kind != DataTypeKind.Structured)
        {
            text.Append(PythonLiteral.Quote(dataType.ToNumpyTypeString(bigEndian: false)));
            return;
        }

        text.Append('[');
        for (var i = 0; i < dataType.Fields.Count; i++)
        {
            var field = dataType.Fields[i];
            text.Append(i == 0 ? "(" : ", (").Append(PythonLiteral.Quote(field.Name)).Append(", ");
            AppendDescr(text, field.DataType);
            var shape = field.Shape;
            if (shape.Length > 0)
            {
                text.Append(", (").AppendJoin(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))).Append(shape.Length == 1 ? ",)" : ")");
            }

            text.Append(')');
        }

        text.Append(']');
    }

    /// <summary>The complete header (magic, version, length, dict, padding) for C-order little-endian data.</summary>
    public static byte[] Write(ZarrDataType dataType, IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var shapeText = shape.Count switch
        {
            0 => "()",
            1 => string.Create(CultureInfo.InvariantCulture, $"({shape[0]},)"),
            _ => "(" + string.Join(", ", shape.Select(s => s.ToString(CultureInfo.InvariantCulture))) + ")",
        };
        var dict = $"{{'descr': {Descr(dataType)}, 'fortran_order': False, 'shape': {shapeText}, }}";
        if (shape.Count > 0)
        {
            dict += new string(' ', Math.Max(0, GrowthAxisMaxDigits - shape[0].ToString(CultureInfo.InvariantCulture).Length));
        }

        var text = Encoding.Latin1.GetBytes(dict);
        foreach (var (major, lengthSize) in new[] { (1, 2), (2, 4) })
        {
            var prefix = Magic.Length + 2 + lengthSize;
            var withNewline = text.Length + 1;
            var padding = Alignment - ((prefix + withNewline) % Alignment);
            var headerLength = withNewline + padding;
            if (lengthSize == 2 && headerLength > ushort.MaxValue)
            {
                continue;
            }

            var result = new byte[prefix + headerLength];
            Magic.CopyTo(result);
            result[6] = (byte)major;
            result[7] = 0;
            if (lengthSize == 2)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(8), (ushort)headerLength);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(result.AsSpan(8), (uint)headerLength);
            }

            text.CopyTo(result.AsSpan(prefix));
            result.AsSpan(prefix + text.Length, padding).Fill((byte)' ');
            result[^1] = (byte)'\n';
            return result;
        }

        throw new InvalidOperationException("unreachable: a version 2.0 header holds 4 GiB");
    }

    /// <summary>Reads and parses the header at the start of <paramref name="stream"/>, leaving the stream at the data.</summary>
    /// <param name="stream">The file.</param>
    /// <param name="name">The file's name, for messages.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <exception cref="InvalidDataException">Not a .npy file, an unknown version, or a header that is not numpy's dict.</exception>
    /// <exception cref="Zarr.Cli.CliException">A data type this library does not hold (strings, dates, objects, structured types).</exception>
    public static async Task<NpyHeader> ReadAsync(Stream stream, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var prefix = new byte[8];
        await ReadExactlyAsync(stream, prefix, name, "its magic string", cancellationToken).ConfigureAwait(false);
        if (!prefix.AsSpan(0, 6).SequenceEqual(Magic))
        {
            throw new InvalidDataException($"{name}: not a .npy file (it does not start with \\x93NUMPY)");
        }

        var major = prefix[6];
        if (major is not (1 or 2 or 3))
        {
            throw new InvalidDataException($"{name}: .npy format version {major}.{prefix[7]} is not supported (1.0, 2.0 and 3.0 are)");
        }

        var lengthBytes = new byte[major == 1 ? 2 : 4];
        await ReadExactlyAsync(stream, lengthBytes, name, "its header length", cancellationToken).ConfigureAwait(false);
        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes) : BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (headerLength > 100 * 1024 * 1024)
        {
            throw new InvalidDataException($"{name}: a header of {headerLength} bytes is not believable");
        }

        var headerBytes = new byte[headerLength];
        await ReadExactlyAsync(stream, headerBytes, name, "its header", cancellationToken).ConfigureAwait(false);
        var text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var dict = PythonLiteral.ParseHeaderDict(text, name);
        var (dataType, bigEndian) = ParseDescr(dict.Descr, name);
        return new NpyHeader(dataType, bigEndian, dict.FortranOrder, dict.Shape, 8 + lengthBytes.Length + headerLength);
    }

    private static (ZarrDataType DataType, bool BigEndian) ParseDescr(string descr, string name)
    {
        var order = descr.Length > 0 && descr[0] is '<' or '>' or '|' or '=' ? descr[0] : '=';
        var code = descr.Length > 0 && descr[0] is '<' or '>' or '|' or '=' ? descr[1..] : descr;
        if (code.Length > 0 && code[0] is 'b' or 'i' or 'u' or 'f' or 'c' or '?'
            && ZarrDataType.TryParse(code, out var dataType) && (code[0] != 'b' || code == "b1"))
        {
            var bigEndian = order == '>' || (order == '=' && !BitConverter.IsLittleEndian);
            return (dataType, bigEndian && dataType.ItemSize > 1);
        }

        throw new Zarr.Cli.CliException($"{name}: numpy data type '{descr}' is not supported (bool, integers, floats and complex numbers are)");
    }

    private static async Task ReadExactlyAsync(Stream stream, byte[] buffer, string name, string what, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"{name}: the file ends inside {what}; it is not a complete .npy file", ex);
        }
    }
}
