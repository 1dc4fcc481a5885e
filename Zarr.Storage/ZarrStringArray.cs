using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Zarr.Storage.Chunks;
using Zarr.Storage.Codecs;
using Zarr.Storage.Internal;

namespace Zarr.Storage;

/// <summary>
/// String access to an array of strings: variable-length UTF-8 (<see cref="ZarrDataType.String"/>: v3 <c>string</c>,
/// v2 <c>|O</c> with <c>vlen-utf8</c>), fixed-length unicode (<c>&lt;U n</c>) and fixed-length bytes (<c>|S n</c>).
/// Values are read and written as <c>string</c> (bytes also as <c>byte[]</c>), in C order over the selection.
/// </summary>
/// <remarks>
/// <para>Fixed-length types go through the array's byte-level reads and writes: a unicode value is NUL padded UTF-32,
/// a value longer than the type is refused, and reading drops trailing NULs (as numpy does, so a value ending in NUL
/// does not round-trip). Fixed bytes read as strings decode each byte as one character (Latin-1, lossless).</para>
/// <para>Variable-length strings go through the array's chunk I/O as every other type: each chunk decodes into strings
/// through the codec pipeline's object path (transpose, <see cref="VlenUtf8Codec"/>, the bytes→bytes codecs), and a
/// partial write is the same read-modify-write of the chunk under its lock as every other write, so concurrent writers
/// lose nothing. A chunk whose every value is the fill value is not stored.</para>
/// </remarks>
public sealed class ZarrStringArray
{
    private static readonly Encoding Latin1 = Encoding.Latin1;
    private readonly ZarrArray _array;

    /// <summary>String access to <paramref name="array"/>.</summary>
    /// <exception cref="ZarrTypeMismatchException">The array's data type is not a string or fixed-length bytes type.</exception>
    public ZarrStringArray(ZarrArray array)
    {
        ArgumentNullException.ThrowIfNull(array);
        if (array.DataType.Kind is not (DataTypeKind.String or DataTypeKind.FixedUnicode or DataTypeKind.FixedBytes))
        {
            throw new ZarrTypeMismatchException(array.Path, array.DataType.ToString(), typeof(string));
        }

        _array = array;
    }

    /// <summary>The array.</summary>
    public ZarrArray Array => _array;

    /// <summary>The array's data type.</summary>
    public ZarrDataType DataType => _array.DataType;

    /// <summary>The array's shape.</summary>
    public ImmutableArray<long> Shape => _array.Shape;

    /// <summary>
    /// A selection, as a typed array's indexer makes one: <c>var (values, shape) = await names[0..3];</c>,
    /// <c>await names[.., 2].FillAsync("x");</c>. Each slice converts from an integer, an <see cref="Index"/> or a
    /// <see cref="Range"/>; missing trailing dimensions are whole.
    /// </summary>
    public StringSelection this[params Slice[] selection] => new(this, selection);

    /// <summary>Opens an existing string array.</summary>
    /// <exception cref="ZarrNodeException">There is no array at <paramref name="path"/>.</exception>
    /// <exception cref="ZarrTypeMismatchException">The array does not hold strings.</exception>
    public static async Task<ZarrStringArray> OpenAsync(IStore store, string path = "", AccessMode mode = AccessMode.Read, CancellationToken cancellationToken = default) =>
        new(await ZarrArray.OpenAsync(store, path, mode, cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Creates a string array (nothing but metadata is written). <paramref name="dataType"/> is
    /// <see cref="ZarrDataType.String"/> when null, or a fixed-length type (<see cref="ZarrDataType.FixedUnicode"/>,
    /// <see cref="ZarrDataType.FixedBytes"/>). <c>options.FillValue</c> is a JSON string (bytes: base64), "" by default;
    /// with <c>options.FillValueIsNull</c> a v2 array has none, and a variable-length one reads missing elements as null.
    /// A variable-length array's codecs are <c>vlen-utf8</c> and, unless <c>options.Compressors</c> says otherwise,
    /// zarr-python's default compressor for strings (v3 zstd level 0; v2 blosc lz4).
    /// </summary>
    /// <exception cref="ZarrNodeException">A node exists at <paramref name="path"/> and <paramref name="overwrite"/> is false.</exception>
    /// <exception cref="ZarrException">The type is not a string type, or options do not fit it (filters on strings).</exception>
    public static async Task<ZarrStringArray> CreateAsync(IStore store, string path, long[] shape, ZarrDataType? dataType = null, ArrayOptions? options = null, bool overwrite = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(shape);
        dataType ??= ZarrDataType.String;
        if (dataType.Kind is not (DataTypeKind.String or DataTypeKind.FixedUnicode or DataTypeKind.FixedBytes))
        {
            throw new ZarrException($"{dataType} is not a string type; ZarrStringArray holds string, fixed-length unicode or fixed-length bytes");
        }

        if (dataType.IsFixedSize)
        {
            return new(await ZarrArray.CreateAsync(store, path, dataType, shape, options, overwrite, cancellationToken).ConfigureAwait(false));
        }

        options = await HierarchyFormat.ForArrayAsync(store, path, options, cancellationToken).ConfigureAwait(false);
        byte[] fill = [];
        if (options.FillValue is { } fillJson)
        {
            using var document = System.Text.Json.JsonDocument.Parse(fillJson.ToJsonString());
            fill = FillValueJson.ParseV3(document.RootElement, dataType, "fill value");
        }

        var metadata = BuildMetadata(shape, dataType, fill, options);
        return new(await ZarrArray.CreateFromMetadataAsync(store, path, metadata, overwrite, options.MaxDegreeOfParallelism, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The metadata of a new variable-length string array: the chain built as for bytes, with <c>vlen-utf8</c> in the
    /// place of <c>bytes</c>, and the options' compressors or by default those of zarr-python for strings (v3: zstd
    /// level 0; v2: blosc lz4 with typesize 1, as numcodecs). <paramref name="fill"/> is the fill
    /// value's UTF-8 bytes (<c>options.FillValue</c>, already parsed, or none).
    /// </summary>
    /// <exception cref="ZarrException">The options do not fit strings: filters, or shards (not supported yet).</exception>
    internal static ArrayMetadata BuildMetadata(long[] shape, ZarrDataType dataType, byte[] fill, ArrayOptions options)
    {
        if (options.Filters is { Count: > 0 })
        {
            throw new ZarrException("numcodecs filters work on numbers; a variable-length string array takes none");
        }

        if (options.Shards is not null)
        {
            throw new ZarrException("'vlen-utf8' inside 'sharding_indexed' (variable-length strings in shards) is not supported yet");
        }

        IReadOnlyList<IBytesToBytesCodec> compressors = options.Compressors
            ?? (options.Format == ZarrFormat.V3 ? [new ZstdCodec(0, false)] : [new BloscCodec(BloscCompressor.Lz4, 5, BloscShuffle.Shuffle, 1, 0)]);
        var built = ArrayMetadataBuilder.Build(shape, dataType, fill, options with { Chunks = options.Chunks ?? ImmutableArrays.Own(ChunkShapes.Guess(shape, 16)), Compressors = compressors });
        var metadata = built with { Codecs = [.. built.Codecs.Select(c => c is BytesCodec ? VlenUtf8Codec.Instance : c)] };
        MetadataSerializer.ValidateChain(metadata);
        return metadata;
    }

    /// <summary>Reads a selection as strings (C order) with the selection's shape.</summary>
    /// <remarks>A v2 array whose fill value is null reads missing chunks as null elements.</remarks>
    /// <exception cref="ZarrSelectionException">The selection does not fit the array.</exception>
    /// <exception cref="ZarrCodecException">A chunk is corrupt.</exception>
    public async Task<(string?[] Values, long[] Shape)> ReadAsync(Slice[] selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var dataType = DataType;
        if (dataType.IsFixedSize)
        {
            var (bytes, shape) = await _array.ReadBytesAsync(selection, cancellationToken).ConfigureAwait(false);
            var size = dataType.ItemSize;
            var values = new string?[bytes.Length / size];
            for (var i = 0; i < values.Length; i++)
            {
                var element = bytes.AsSpan(i * size, size);
                values[i] = dataType.Kind == DataTypeKind.FixedUnicode
                    ? FixedStrings.DecodeUtf32(element)
                    : Latin1.GetString(element.TrimEnd((byte)0));
            }

            return (values, shape);
        }

        return await ReadVariableAsync(selection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a selection of a fixed-length bytes (<c>|S n</c>) array: each value's bytes without trailing NULs.</summary>
    /// <exception cref="ZarrTypeMismatchException">The array is not of fixed-length bytes.</exception>
    public async Task<(byte[][] Values, long[] Shape)> ReadByteStringsAsync(Slice[] selection, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        RequireFixedBytes();
        var (bytes, shape) = await _array.ReadBytesAsync(selection, cancellationToken).ConfigureAwait(false);
        var size = DataType.ItemSize;
        var values = new byte[bytes.Length / size][];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = FixedStrings.DecodeBytes(bytes.AsSpan(i * size, size));
        }

        return (values, shape);
    }

    /// <summary>Writes strings (C order, exactly the selection's element count) into a selection.</summary>
    /// <exception cref="ZarrSelectionException">The count differs from the selection's.</exception>
    /// <exception cref="ZarrException">A value is null, not valid UTF-16, longer than a fixed-length type, or (fixed bytes) has a character above U+00FF.</exception>
    public async Task WriteAsync(Slice[] selection, ReadOnlyMemory<string?> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        var dataType = DataType;
        var span = values.Span;
        for (var i = 0; i < span.Length; i++)
        {
            if (span[i] is null)
            {
                throw new ZarrException(string.Create(CultureInfo.InvariantCulture, $"value {i} is null; write \"\" for an empty string"));
            }
        }

        if (!dataType.IsFixedSize)
        {
            await WriteVariableAsync(SelectionPlan.Create(_array.Grid, selection), values, null, cancellationToken).ConfigureAwait(false);
            return;
        }

        var size = dataType.ItemSize;
        var bytes = new byte[checked(span.Length * size)];
        for (var i = 0; i < span.Length; i++)
        {
            EncodeFixed(span[i]!, bytes.AsSpan(i * size, size), i);
        }

        await _array.WriteBytesAsync(selection, bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes byte strings (C order) into a fixed-length bytes (<c>|S n</c>) array, each NUL padded.</summary>
    /// <exception cref="ZarrException">A value is longer than the type.</exception>
    public Task WriteByteStringsAsync(Slice[] selection, ReadOnlyMemory<byte[]> values, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        RequireFixedBytes();
        var size = DataType.ItemSize;
        var span = values.Span;
        var bytes = new byte[checked(span.Length * size)];
        for (var i = 0; i < span.Length; i++)
        {
            FixedStrings.EncodeBytes(span[i] ?? throw new ZarrException(string.Create(CultureInfo.InvariantCulture, $"value {i} is null")), bytes.AsSpan(i * size, size), DataType);
        }

        return _array.WriteBytesAsync(selection, bytes, cancellationToken);
    }

    /// <summary>Sets every element of a selection to <paramref name="value"/>.</summary>
    public async Task FillAsync(Slice[] selection, string value, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(value);
        var plan = SelectionPlan.Create(_array.Grid, selection);
        if (!DataType.IsFixedSize)
        {
            await WriteVariableAsync(plan, default, value, cancellationToken).ConfigureAwait(false);
            return;
        }

        var size = DataType.ItemSize;
        var one = new byte[size];
        EncodeFixed(value, one, 0);
        var bytes = new byte[checked(plan.ElementCount * size)];
        StridedCopy.FillPattern(bytes, one);
        await _array.WriteBytesAsync(selection, bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Refuses byte-level access to a variable-length string array (called by <see cref="ZarrArray"/>'s byte entry points).</summary>
    internal static void ThrowIfVariableLength(ZarrArray array)
    {
        if (!array.DataType.IsFixedSize)
        {
            throw new ZarrException($"array {UserText.Quote("/" + array.Path)} holds variable-length strings ({array.DataType}), which have no fixed-size byte form; read and write it with ZarrStringArray");
        }
    }

    private void EncodeFixed(string value, Span<byte> element, int index)
    {
        if (DataType.Kind == DataTypeKind.FixedUnicode)
        {
            FixedStrings.EncodeUtf32(value, element, DataType);
            return;
        }

        foreach (var c in value)
        {
            if (c > '\u00FF')
            {
                throw new ZarrException(string.Create(CultureInfo.InvariantCulture, $"value {index} has the character U+{(int)c:X4}; {DataType} holds bytes (write characters up to U+00FF, or use WriteByteStringsAsync)"));
            }
        }

        FixedStrings.EncodeBytes(Latin1.GetBytes(value), element, DataType);
    }

    private void RequireFixedBytes()
    {
        if (DataType.Kind != DataTypeKind.FixedBytes)
        {
            throw new ZarrTypeMismatchException(_array.Path, DataType.ToString(), typeof(byte[]));
        }
    }

    // ---------------------------------------------------------------- variable-length strings

    private async Task<(string?[] Values, long[] Shape)> ReadVariableAsync(Slice[] selection, CancellationToken cancellationToken)
    {
        var plan = SelectionPlan.Create(_array.Grid, selection);
        if (plan.ElementCount > System.Array.MaxLength)
        {
            throw new ZarrSelectionException($"a selection of {plan.ElementCount} strings does not fit in one array; read it in parts");
        }

        var output = new string?[plan.ElementCount];
        await ChunkLoop.RunAsync(plan, _array.MaxDegreeOfParallelism, async (chunk, ct) =>
        {
            var io = _array.ChunkIO;
            var values = await io.FetchStringsAsync(chunk.Coordinates, ct).ConfigureAwait(false);
            var fill = io.StringFill;
            Walk(plan, chunk, io.ElementStrides, (chunkIndex, outIndex) => output[outIndex] = values is null ? fill : values[chunkIndex]);
        }, cancellationToken).ConfigureAwait(false);
        return (output, plan.OutputShape);
    }

    private async Task WriteVariableAsync(SelectionPlan plan, ReadOnlyMemory<string?> values, string? scalar, CancellationToken cancellationToken)
    {
        if (_array.IsReadOnly)
        {
            throw new ZarrException($"array {UserText.Quote("/" + _array.Path)} was opened read-only (mode 'r'); open it with mode r+ or a to write");
        }

        if (scalar is null && values.Length != plan.ElementCount)
        {
            throw new ZarrSelectionException($"the data holds {values.Length} strings but the selection of shape ({string.Join(", ", plan.OutputShape)}) has {plan.ElementCount}");
        }

        // As ZarrArray's writes: no resize runs meanwhile, and a write planned before a shrink is clipped to the new shape.
        using var writing = await _array.EnterWriteAsync(plan.Grid, cancellationToken).ConfigureAwait(false);
        await ChunkLoop.RunAsync(plan, _array.MaxDegreeOfParallelism, (chunk, ct) =>
        {
            var io = _array.ChunkIO;
            var clip = ChunkEdges.ShrankSince(plan.Grid, io.Grid);
            if (clip && !io.Grid.Contains(chunk.Coordinates))
            {
                return ValueTask.CompletedTask;
            }

            var start = plan.CoversChunk(chunk) ? UpdateStart.Overwrite : UpdateStart.Stored;
            var write = (Plan: plan, Chunk: chunk, IO: io, Values: values, Scalar: scalar, Clip: clip);
            return io.UpdateStringsAsync(chunk.Coordinates, start, write, static (write, current) =>
            {
                var source = write.Values;
                var scalar = write.Scalar;
                Walk(write.Plan, write.Chunk, write.IO.ElementStrides, (chunkIndex, inIndex) => current[chunkIndex] = scalar ?? source.Span[(int)inIndex]);
                if (write.Clip)
                {
                    ChunkEdges.FillOutside(current, write.Chunk.Coordinates, write.IO.Grid, write.IO.StringFill ?? string.Empty);
                }
            }, ct);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Visits every selected element of one chunk: its index in the chunk (C order) and in the selection's output.</summary>
    private static void Walk(SelectionPlan plan, ChunkSelection chunk, long[] chunkStrides, Action<long, long> visit)
    {
        var outStrides = plan.OutputStrides;
        var rank = plan.Dimensions.Length;
        if (rank == 0)
        {
            visit(0, 0);
            return;
        }

        var counts = new int[rank];
        long chunkBase = 0, outBase = 0;
        for (var d = 0; d < rank; d++)
        {
            var p = chunk.Projections[d];
            counts[d] = p.Count;
            chunkBase += p.LocalStart * chunkStrides[d];
            outBase += p.OutputStart * outStrides[d];
        }

        var index = new int[rank];
        while (true)
        {
            long c = chunkBase, o = outBase;
            for (var d = 0; d < rank; d++)
            {
                c += index[d] * plan.Dimensions[d].Step * chunkStrides[d];
                o += index[d] * outStrides[d];
            }

            visit(c, o);
            var k = rank - 1;
            while (k >= 0 && ++index[k] == counts[k])
            {
                index[k] = 0;
                k--;
            }

            if (k < 0)
            {
                return;
            }
        }
    }
}
