using System.CommandLine;
using Zarr.Cli.Npy;
using Zarr.Storage;

namespace Zarr.Cli.Commands;

/// <summary><c>zarr export PATH OUT.npy [--region R]</c>: an array's values (or a region of them) as a NumPy .npy file.</summary>
internal static class ExportCommand
{
    /// <summary>How many bytes one read covers at most, so that memory stays bounded whatever the array's size.</summary>
    internal const long SlabBytes = 64L << 20;

    /// <summary>About what one string read costs in memory, for sizing the slabs of the pass that finds the longest string.</summary>
    private const int StringBytes = 64;

    /// <summary>Builds the verb.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var path = new Argument<string>("PATH") { Description = "The folder of the array, or a path inside a .zip file (data.zip/group/array)." };
        var output = new Argument<string>("OUT.npy") { Description = "The .npy file to write (replaced if it exists)." };
        var region = new Option<string>("--region")
        {
            Description = "numpy slices per dimension, comma-separated: '0:100,:', '::2,5', '-10:'. An integer drops the dimension.",
        };
        var command = new Command("export", "Write an array's values as a NumPy .npy file (C order, little-endian).") { path, output, region };
        command.SetAction((result, cancellationToken) => ZarrCommand.GuardAsync(
            console,
            result.GetValue(verbose),
            () => RunAsync(result.GetRequiredValue(path), result.GetRequiredValue(output), result.GetValue(region), cancellationToken)));
        return command;
    }

    private static async Task RunAsync(string path, string output, string? regionText, CancellationToken cancellationToken)
    {
        var region = RegionParser.Parse(regionText ?? "");
        var node = await NodeLocation.OpenForReadAsync(path, cancellationToken).ConfigureAwait(false);
        await using var nodeScope = node.ConfigureAwait(false);
        var store = node.Store;
        var temporary = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(output)) ?? ".", $".{Path.GetFileName(output)}.{Guid.NewGuid():N}.tmp");
        try
        {
            var (type, _) = await NodeLocation.ProbeAsync(store, cancellationToken).ConfigureAwait(false);
            switch (type)
            {
                case NodeType.None:
                    throw new CliException($"no array or group at {path}");
                case NodeType.Group:
                    throw new CliException($"{path} is a group; export takes an array");
            }

            var array = await ZarrArray.OpenAsync(store, "", AccessMode.Read, cancellationToken).ConfigureAwait(false);
            var dimensions = RegionParser.Resolve(region, array.Shape);
            var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await using (stream.ConfigureAwait(false))
            {
                try
                {
                    await WriteAsync(array, dimensions, stream, SlabBytes, cancellationToken).ConfigureAwait(false);
                }
                catch (CliException ex)
                {
                    throw new CliException($"{path} ({array.DataType}): {ex.Message}", ex);
                }
            }

            File.Move(temporary, output, overwrite: true);
        }
        catch (ZarrException ex)
        {
            throw new CliException($"{path}: {ex.Message}", ex);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>
    /// Writes the header, then the selection in slabs along its first kept dimension: each slab is one read of at most
    /// about <paramref name="slabBytes"/> (one row at least), its edges on chunk boundaries where the step allows, so
    /// no chunk is decoded twice. Every fixed-size type is written as the library holds it in memory (little-endian,
    /// a structured type field by field); variable-length strings as numpy's <c>astype(str)</c> makes them,
    /// <c>&lt;U</c> of the longest value's code points (at least 1), which takes one more pass to find.
    /// </summary>
    internal static async Task WriteAsync(ZarrArray array, ResolvedDimension[] dimensions, Stream stream, long slabBytes, CancellationToken cancellationToken)
    {
        var outputShape = dimensions.Where(d => !d.Dropped).Select(d => d.Count).ToArray();
        var empty = outputShape.Any(n => n == 0);
        var strings = array.DataType.IsFixedSize ? null : new ZarrStringArray(array);
        var type = array.DataType;
        if (strings is not null)
        {
            var longest = empty ? 0 : await LongestAsync(strings, dimensions, slabBytes, cancellationToken).ConfigureAwait(false);
            if (longest > int.MaxValue / 4)
            {
                throw new CliException($"the longest string has {longest} code points, more than numpy's <U type holds");
            }

            type = ZarrDataType.FixedUnicode((int)Math.Max(1, longest));
        }

        await stream.WriteAsync(NpyHeader.Write(type, outputShape), cancellationToken).ConfigureAwait(false);
        if (empty)
        {
            return;
        }

        var plan = new SlabPlan(dimensions, array.Chunks.ToArray(), type.ItemSize, slabBytes);
        var itemSize = type.ItemSize;
        var buffer = new byte[checked((int)(plan.MaxElements * itemSize))];
        foreach (var (selection, elements) in plan.Slabs())
        {
            var slab = buffer.AsMemory(0, (int)(elements * itemSize));
            if (strings is null)
            {
                await array.ReadBytesIntoAsync(selection, slab, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                var (values, _) = await strings.ReadAsync(selection, cancellationToken).ConfigureAwait(false);
                EncodeUtf32(values, slab.Span, type);
            }

            await stream.WriteAsync(slab, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The most code points of any string in the selection (a missing v2 value, null, counts as "").</summary>
    private static async Task<long> LongestAsync(ZarrStringArray strings, ResolvedDimension[] dimensions, long slabBytes, CancellationToken cancellationToken)
    {
        var longest = 0L;
        foreach (var (selection, _) in new SlabPlan(dimensions, strings.Array.Chunks.ToArray(), StringBytes, slabBytes).Slabs())
        {
            var (values, _) = await strings.ReadAsync(selection, cancellationToken).ConfigureAwait(false);
            foreach (var value in values)
            {
                longest = Math.Max(longest, CodePoints(value));
            }
        }

        return longest;
    }

    private static int CodePoints(string? value)
    {
        if (value is null)
        {
            return 0;
        }

        var count = value.Length;
        for (var i = 0; i + 1 < value.Length; i++)
        {
            if (char.IsSurrogatePair(value[i], value[i + 1]))
            {
                count--;
                i++;
            }
        }

        return count;
    }

    // numpy's '<U' elements: UTF-32LE code points, NUL-padded; a lone surrogate has no code point and is refused.
    private static readonly System.Text.UTF32Encoding Utf32 = new(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true);

    private static void EncodeUtf32(string?[] values, Span<byte> destination, ZarrDataType type)
    {
        var size = type.ItemSize;
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i] ?? "";
            var element = destination.Slice(i * size, size);
            int written;
            try
            {
                if (Utf32.GetByteCount(value) > size)
                {
                    throw new CliException($"a value cannot be written as numpy's {type.ToNumpyTypeString()}: the string at index {i} has more than {size / 4} code points");
                }

                written = Utf32.GetBytes(value, element);
            }
            catch (System.Text.EncoderFallbackException ex)
            {
                throw new CliException($"a value cannot be written as numpy's {type.ToNumpyTypeString()}: the string at index {i} has a lone surrogate", ex);
            }

            element[written..].Clear();
        }
    }

    /// <summary>How a selection is cut into slabs along its first kept dimension.</summary>
    private sealed class SlabPlan
    {
        private readonly ResolvedDimension[] _dimensions;
        private readonly int _axis;
        private readonly long _rowElements;
        private readonly long _rows;
        private readonly bool _aligned;
        private readonly int _chunk;

        /// <exception cref="CliException">One row of the selection does not fit in one buffer.</exception>
        public SlabPlan(ResolvedDimension[] dimensions, int[] chunks, long elementBytes, long slabBytes)
        {
            _dimensions = dimensions;
            _axis = Array.FindIndex(dimensions, d => !d.Dropped);
            if (_axis < 0)
            {
                // A 0-d array, or integers in every dimension: one element.
                MaxElements = 1;
                return;
            }

            _rowElements = 1;
            for (var d = _axis + 1; d < dimensions.Length; d++)
            {
                _rowElements = checked(_rowElements * (dimensions[d].Dropped ? 1 : dimensions[d].Count));
            }

            var rowBytes = checked(_rowElements * elementBytes);
            if (rowBytes > Array.MaxLength)
            {
                throw new CliException($"one row of the selection is {rowBytes} bytes, more than one buffer holds; export it in parts with --region");
            }

            var along = dimensions[_axis];
            _chunk = chunks[_axis];
            _rows = Math.Max(1, slabBytes / rowBytes);
            _aligned = along.Step == 1 && _rows >= _chunk;
            MaxElements = Math.Min(_rows, along.Count) * _rowElements;
        }

        /// <summary>The most elements one slab holds.</summary>
        public long MaxElements { get; }

        /// <summary>Each slab's selection (one array, changed in place from one slab to the next) and its element count.</summary>
        public IEnumerable<(Slice[] Selection, long Elements)> Slabs()
        {
            var selection = _dimensions.Select(d => d.ToSlice()).ToArray();
            if (_axis < 0)
            {
                yield return (selection, 1);
                yield break;
            }

            var along = _dimensions[_axis];
            for (long first = 0; first < along.Count;)
            {
                var last = Math.Min(along.Count, first + _rows);
                if (_aligned)
                {
                    // End the slab on a chunk boundary of the array (absolute coordinates), if that leaves it non-empty.
                    var end = (along.Start + last) / _chunk * _chunk - along.Start;
                    if (end > first && last < along.Count)
                    {
                        last = end;
                    }
                }

                selection[_axis] = along.ToSlice(first, last);
                yield return (selection, (last - first) * _rowElements);
                first = last;
            }
        }
    }
}
