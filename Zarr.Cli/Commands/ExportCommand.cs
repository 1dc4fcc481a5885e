using System.CommandLine;
using Zarr.Cli.Npy;
using Zarr.Storage;
using Zarr.Storage.Indexing;

namespace Zarr.Cli.Commands;

/// <summary><c>zarr export PATH OUT.npy [--region R]</c>: an array's values (or a region of them) as a NumPy .npy file.</summary>
internal static class ExportCommand
{
    /// <summary>How many bytes one read covers at most, so that memory stays bounded whatever the array's size.</summary>
    internal const long SlabBytes = 64L << 20;

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
        var node = NodeLocation.OpenForRead(path);
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
                await WriteAsync(array, dimensions, stream, SlabBytes, cancellationToken).ConfigureAwait(false);
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
    /// no chunk is decoded twice.
    /// </summary>
    internal static async Task WriteAsync(ZarrArray array, ResolvedDimension[] dimensions, Stream stream, long slabBytes, CancellationToken cancellationToken)
    {
        var outputShape = dimensions.Where(d => !d.Dropped).Select(d => d.Count).ToArray();
        await stream.WriteAsync(NpyHeader.Write(array.DataType, outputShape), cancellationToken).ConfigureAwait(false);
        if (outputShape.Any(n => n == 0))
        {
            return;
        }

        var axis = Array.FindIndex(dimensions, d => !d.Dropped);
        if (axis < 0)
        {
            // A 0-d array, or integers in every dimension: one element.
            var (single, _) = await array.ReadBytesAsync([.. dimensions.Select(d => d.ToSlice())], cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(single, cancellationToken).ConfigureAwait(false);
            return;
        }

        long rowBytes = array.DataType.ItemSize;
        for (var d = axis + 1; d < dimensions.Length; d++)
        {
            rowBytes = checked(rowBytes * (dimensions[d].Dropped ? 1 : dimensions[d].Count));
        }

        if (rowBytes > Array.MaxLength)
        {
            throw new CliException($"one row of the selection is {rowBytes} bytes, more than one buffer holds; export it in parts with --region");
        }

        var along = dimensions[axis];
        var chunk = array.Chunks[axis];
        var rows = Math.Max(1, slabBytes / rowBytes);
        var aligned = along.Step == 1 && rows >= chunk;
        var selection = dimensions.Select(d => d.ToSlice()).ToArray();
        var buffer = new byte[checked(Math.Min(rows, along.Count) * rowBytes)];
        for (long first = 0; first < along.Count;)
        {
            var last = Math.Min(along.Count, first + rows);
            if (aligned)
            {
                // End the slab on a chunk boundary of the array (absolute coordinates), if that leaves it non-empty.
                var end = (along.Start + last) / chunk * chunk - along.Start;
                if (end > first && last < along.Count)
                {
                    last = end;
                }
            }

            selection[axis] = along.ToSlice(first, last);
            var slab = buffer.AsMemory(0, checked((int)((last - first) * rowBytes)));
            await SlabReader.ReadAsync(array, selection, slab, cancellationToken).ConfigureAwait(false);
            await stream.WriteAsync(slab, cancellationToken).ConfigureAwait(false);
            first = last;
        }
    }
}
