using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Zarr.Storage;

namespace Zarr.Cli.Npy;

/// <summary>
/// A run of <see cref="Count"/> adjacent scalar components of <see cref="Size"/> bytes (2, 4 or 8) starting at
/// <see cref="Offset"/> in every element, stored in the other byte order than the one wanted.
/// </summary>
internal readonly record struct SwapRun(int Offset, int Size, int Count);

/// <summary>
/// The header of a NumPy <c>.npy</c> file: its data type, which components of an element are stored big-endian
/// (<see cref="Swaps"/>; a structured type's fields may differ), memory order and shape, and where the data starts.
/// Reads format 1.0, 2.0 and 3.0; writes 1.0, or 2.0 when the header does not fit 1.0's 16-bit length, laid out
/// byte for byte as <c>numpy.save</c> does (same dict text, the same spare room after the shape, padding to 64 bytes).
/// </summary>
internal sealed record NpyHeader(ZarrDataType DataType, SwapRun[] Swaps, bool FortranOrder, long[] Shape, long DataOffset)
{
    /// <summary>The magic string every .npy file starts with.</summary>
    public static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // numpy: headers are padded so the data starts at a multiple of 64 bytes, and the dict keeps room for the growth
    // axis' length to reach 21 digits so that files can be appended to in place.
    private const int Alignment = 64;
    private const int GrowthAxisMaxDigits = 21;

    private const string Supported = "bool, integers, floats, complex numbers, datetime64/timedelta64, |S and <U strings, and structured types of them are";

    /// <summary>The number of elements.</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, b) => checked(a * b));

    /// <summary>The number of data bytes.</summary>
    public long DataLength => checked(ElementCount * DataType.ItemSize);

    /// <summary>True when some component of an element is stored big-endian (the data needs <see cref="Swaps"/>).</summary>
    public bool BigEndian => Swaps.Length > 0;

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
    /// <exception cref="CliException">A data type this library does not hold (objects, raw void, padded or titled structured types).</exception>
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

        if (stream.CanSeek && headerLength > stream.Length - stream.Position)
        {
            // Refused before the buffer is allocated: a 20-byte file must not cost the 100 MiB its header length may claim.
            throw new InvalidDataException($"{name}: the file ends inside its header ({headerLength} bytes declared, {stream.Length - stream.Position} left); it is not a complete .npy file");
        }

        var headerBytes = new byte[headerLength];
        await ReadExactlyAsync(stream, headerBytes, name, "its header", cancellationToken).ConfigureAwait(false);
        var text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        var dict = PythonLiteral.ParseHeaderDict(text, name);
        var swaps = new List<SwapRun>();
        var dataType = dict.Descr is List<object?> fields
            ? ParseFields(fields, name, "", swaps)
            : ParseTypeString((string)dict.Descr, name, null, swaps);
        var header = new NpyHeader(dataType, [.. swaps], dict.FortranOrder, dict.Shape, 8 + lengthBytes.Length + headerLength);
        try
        {
            _ = header.DataLength;
        }
        catch (OverflowException ex)
        {
            throw new InvalidDataException($"{name}: the shape ({string.Join(", ", dict.Shape)}) of {dataType} elements is more bytes than a file can hold", ex);
        }

        return header;
    }

    /// <summary>
    /// A type string (<c>&lt;i4</c>, <c>&gt;M8[ns]</c>, <c>|S8</c>, <c>&gt;U6</c>) as a data type; its big-endian
    /// components are added to <paramref name="swaps"/>, at offsets from the start of the element.
    /// </summary>
    private static ZarrDataType ParseTypeString(string descr, string name, string? field, List<SwapRun> swaps)
    {
        var hasOrder = descr.Length > 0 && descr[0] is '<' or '>' or '|' or '=';
        var order = hasOrder ? descr[0] : '=';
        var code = hasOrder ? descr[1..] : descr;
        if (!IsTypeCode(code) || !ZarrDataType.TryParse(code, out var dataType))
        {
            var where = field is null ? "" : $"the field '{field}': ";
            var why = code.StartsWith('O')
                ? "an object array's .npy holds pickled Python objects; save strings as fixed-length '<U' or '|S' types"
                : Supported;
            throw new CliException($"{name}: {where}numpy data type '{descr}' is not supported ({why})");
        }

        var bigEndian = order == '>' || (order == '=' && !BitConverter.IsLittleEndian);
        if (bigEndian && dataType.ComponentSize > 1)
        {
            AddRun(swaps, new SwapRun(0, dataType.ComponentSize, dataType.ItemSize / dataType.ComponentSize));
        }

        return dataType;
    }

    /// <summary>numpy's type codes of the types the library holds: <c>b1 i u f c</c> with a size, <c>?</c>, <c>M8</c>/<c>m8</c> with a unit, <c>S a U</c> with a length.</summary>
    private static bool IsTypeCode(string code) =>
        code == "?"
        || (code.Length > 1 && code[0] is 'b' or 'i' or 'u' or 'f' or 'c' or 'S' or 'a' or 'U' && code.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0)
        || code.StartsWith("M8", StringComparison.Ordinal) || code.StartsWith("m8", StringComparison.Ordinal);

    /// <summary>
    /// A structured descr (a list of <c>(name, type[, shape])</c>, types nested) as a structured data type, packed as
    /// numpy packs it; the big-endian components of its fields are added to <paramref name="swaps"/>.
    /// </summary>
    private static ZarrDataType ParseFields(List<object?> items, string name, string path, List<SwapRun> swaps)
    {
        var fields = new List<StructField>(items.Count);
        var offset = 0;
        foreach (var item in items)
        {
            if (item is not List<object?> { Count: 2 or 3 } entry)
            {
                throw InvalidDescr(name, path, "a field is not a tuple (name, type) or (name, type, shape)");
            }

            var fieldName = entry[0] switch
            {
                string { Length: > 0 } s => s,
                string => throw new CliException($"{name}: the structured type{In(path)} has a field without a name at byte {offset} (numpy's padding, as align=True or explicit offsets make); such types are not supported"),
                List<object?> => throw new CliException($"{name}: the structured type{In(path)} has a field with a title; titles are not supported"),
                _ => throw InvalidDescr(name, path, "a field's name is not a string"),
            };
            var fieldPath = path.Length == 0 ? fieldName : $"{path}.{fieldName}";
            var fieldSwaps = new List<SwapRun>();
            var type = entry[1] switch
            {
                string s => ParseTypeString(s, name, fieldPath, fieldSwaps),
                List<object?> nested => ParseFields(nested, name, fieldPath, fieldSwaps),
                _ => throw InvalidDescr(name, fieldPath, "the type is not a type string or a list of fields"),
            };
            var shape = entry.Count == 2 ? null : entry[2] switch
            {
                long n => new[] { n },
                List<object?> dims when dims.All(d => d is long) => [.. dims.Cast<long>()],
                _ => throw InvalidDescr(name, fieldPath, "the sub-array shape is not a tuple of integers"),
            };

            StructField field;
            var start = offset;
            try
            {
                if (shape is not null && shape.Any(d => d is < 1 or > int.MaxValue))
                {
                    throw new ArgumentException($"its sub-array shape is ({string.Join(", ", shape)}); dimensions from 1 to {int.MaxValue} are supported");
                }

                field = new StructField(fieldName, type, shape?.Select(d => (int)d).ToArray());
                offset = checked(offset + field.Size);
            }
            catch (Exception ex) when (ex is ArgumentException or OverflowException)
            {
                throw new CliException($"{name}: the field '{fieldPath}' is not supported: {ex.Message}", ex);
            }

            for (var i = 0; i < field.ElementCount && fieldSwaps.Count > 0; i++)
            {
                foreach (var run in fieldSwaps)
                {
                    AddRun(swaps, run with { Offset = start + (i * type.ItemSize) + run.Offset });
                }
            }

            fields.Add(field);
        }

        try
        {
            return ZarrDataType.Structured(fields);
        }
        catch (ArgumentException ex)
        {
            throw new CliException($"{name}: the structured type{In(path)} is not supported: {ex.Message}", ex);
        }
    }

    /// <summary>Appends a run, joining it to the last when it continues it (a sub-array's components are one run).</summary>
    private static void AddRun(List<SwapRun> runs, SwapRun run)
    {
        if (runs.Count > 0 && runs[^1] is var last && last.Size == run.Size && last.Offset + (last.Size * last.Count) == run.Offset)
        {
            runs[^1] = last with { Count = last.Count + run.Count };
            return;
        }

        runs.Add(run);
    }

    private static string In(string path) => path.Length == 0 ? "" : $" of the field '{path}'";

    private static InvalidDataException InvalidDescr(string name, string path, string reason) =>
        new($"{name}: the .npy header's structured descr is not valid{In(path)}: {reason}");

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
