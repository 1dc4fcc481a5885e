using System.CommandLine;
using Zarr.Cli.Npy;
using Zarr.Storage;

namespace Zarr.Cli.Commands;

/// <summary><c>zarr import IN.npy PATH [create options]</c>: a NumPy .npy file (C or Fortran order, either byte order) as a new array.</summary>
internal static class ImportCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var input = new Argument<string>("IN.npy") { Description = "The .npy file to read (format 1.0, 2.0 or 3.0)." };
        var path = new Argument<string>("PATH") { Description = "The folder of the new array, or a path inside a .zip file (data.zip/group/array; the zip file is created or added to)." };
        var options = new CreateOptions();
        var command = new Command("import", "Create an array from a NumPy .npy file.") { input, path };
        options.AddTo(command);
        command.SetAction((result, cancellationToken) => ZarrCommand.GuardAsync(
            console,
            result.GetValue(verbose),
            () => RunAsync(result.GetRequiredValue(input), result.GetRequiredValue(path), options.Read(result), cancellationToken)));
        return command;
    }

    private static async Task RunAsync(string input, string path, CreateRequest request, CancellationToken cancellationToken)
    {
        // Inside a zip file nothing is written until the commit; without it (any failure) the zip file stays as it was.
        var node = await NodeLocation.OpenForWriteAsync(path, cancellationToken).ConfigureAwait(false);
        await using (node.ConfigureAwait(false))
        {
            await Destination.CheckAsync(node, path, request.Overwrite, cancellationToken).ConfigureAwait(false);
            var parents = await ParentGroups.PlanAsync(node, path, cancellationToken).ConfigureAwait(false);
            request = request with { Format = parents.FormatFor(request, path) };
            await ImportAsync(input, path, node.Store, request, cancellationToken).ConfigureAwait(false);
            try
            {
                // The new folders above the array become groups of its format, so that xarray can open the parent.
                await parents.WriteAsync(request.Format, cancellationToken).ConfigureAwait(false);
                await node.CommitAsync().ConfigureAwait(false);
            }
            catch (ZarrException ex)
            {
                throw new CliException($"{path}: {ex.Message}", ex);
            }
        }
    }

    private static async Task ImportAsync(string input, string path, IStore store, CreateRequest request, CancellationToken cancellationToken)
    {
        var file = new FileStream(input, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (file.ConfigureAwait(false))
        {
            var header = await NpyHeader.ReadAsync(file, input, cancellationToken).ConfigureAwait(false);
            var available = file.Length - header.DataOffset;
            if (available < header.DataLength)
            {
                throw new InvalidDataException($"{input}: the header promises {header.DataLength} bytes of data but the file holds {available}; it is truncated");
            }

            if (request.Format == ZarrFormat.V3 && SubArrayField(header.DataType, "") is { } field)
            {
                throw new UsageException($"{input}: the data type {header.DataType} has the sub-array field '{field}', which Zarr v3's struct data type cannot describe; import it with --format 2");
            }

            var options = request.ToArrayOptions(header.DataType, header.Shape.Length);
            try
            {
                var array = await ZarrArray.CreateAsync(store, "", header.DataType, header.Shape, options, request.Overwrite, cancellationToken).ConfigureAwait(false);
                await CopyDataAsync(file, header, array, ExportCommand.SlabBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (ZarrException ex)
            {
                throw new CliException($"{path}: {ex.Message}", ex);
            }
        }
    }

    /// <summary>
    /// Streams the data into the array in slabs of whole chunks along the axis that is contiguous in the file: the first
    /// axis for C order, the last for Fortran order (whose slabs are put into C order in memory before writing). A slab
    /// holds about <paramref name="slabBytes"/>, rounded to whole chunks along that axis when it can be.
    /// </summary>
    internal static async Task CopyDataAsync(Stream file, NpyHeader header, ZarrArray array, long slabBytes, CancellationToken cancellationToken)
    {
        var shape = header.Shape;
        var itemSize = header.DataType.ItemSize;
        if (header.ElementCount == 0)
        {
            return;
        }

        if (shape.Length == 0)
        {
            var single = new byte[itemSize];
            await file.ReadExactlyAsync(single, cancellationToken).ConfigureAwait(false);
            Normalize(header, single);
            await array.WriteBytesAsync([], single, cancellationToken).ConfigureAwait(false);
            return;
        }

        var fortran = header.FortranOrder && shape.Length > 1;
        var axis = fortran ? shape.Length - 1 : 0;
        var rowBytes = checked(header.ElementCount / shape[axis] * itemSize);
        var chunk = array.Chunks[axis];
        var rows = Math.Max(1, slabBytes / rowBytes);
        if (rows >= chunk)
        {
            rows = rows / chunk * chunk;
        }
        else if ((long)chunk * rowBytes <= 1L << 30)
        {
            rows = chunk; // a whole chunk's slab, so that no chunk is written twice (up to 1 GiB)
        }

        var buffer = new byte[checked((int)(Math.Min(rows, shape[axis]) * rowBytes))];
        var converted = fortran ? new byte[buffer.Length] : null;
        var selection = Enumerable.Repeat(Slice.All, shape.Length).ToArray();
        var blockShape = (long[])shape.Clone();
        for (long first = 0; first < shape[axis]; first += rows)
        {
            var count = Math.Min(rows, shape[axis] - first);
            var bytes = (int)(count * rowBytes);
            var block = buffer.AsMemory(0, bytes);
            await file.ReadExactlyAsync(block, cancellationToken).ConfigureAwait(false);
            Normalize(header, block.Span);
            if (converted is not null)
            {
                blockShape[axis] = count;
                ElementLayout.FortranToC(block.Span, converted, blockShape, itemSize);
                block = converted.AsMemory(0, bytes);
            }

            selection[axis] = Slice.Range(first, first + count);
            await array.WriteBytesAsync(selection, block, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The path of the first sub-array field of a structured type (nested ones included), or null.</summary>
    private static string? SubArrayField(ZarrDataType dataType, string prefix)
    {
        foreach (var field in dataType.Fields)
        {
            var path = prefix + field.Name;
            if (field.Shape.Length > 0)
            {
                return path;
            }

            if (SubArrayField(field.DataType, path + ".") is { } nested)
            {
                return nested;
            }
        }

        return null;
    }

    private static void Normalize(NpyHeader header, Span<byte> data) =>
        ElementLayout.Swap(data, header.DataType.ItemSize, header.Swaps);
}
