using System.CommandLine;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Cli.Commands;

/// <summary><c>zarr create PATH --shape S --dtype T [create options]</c>: an empty (lazy) array; no chunk is written.</summary>
internal static class CreateCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var path = new Argument<string>("PATH") { Description = "The folder of the new array, or a path inside a .zip file (data.zip/group/array)." };
        var shape = new Option<string>("--shape") { Description = "The shape, e.g. 1000,1000 ('' for a 0-d array).", Required = true };
        var dtype = new Option<string>("--dtype") { Description = "The data type as numpy names it: int32, <f8, >i2, bool, complex64, ...", Required = true };
        var options = new CreateOptions();
        var command = new Command("create", "Create an empty array (every element is the fill value until written).") { path, shape, dtype };
        options.AddTo(command);
        command.SetAction((result, cancellationToken) => ZarrCommand.GuardAsync(
            console,
            result.GetValue(verbose),
            () => RunAsync(
                result.GetRequiredValue(path),
                CreateOptions.ParseArrayShape(result.GetRequiredValue(shape), "--shape"),
                result.GetRequiredValue(dtype),
                options.Read(result),
                cancellationToken)));
        return command;
    }

    /// <summary>The data type and byte order of a numpy name or type string.</summary>
    /// <exception cref="UsageException">The name is not a data type this library stores.</exception>
    internal static (ZarrDataType Type, Endian Endian) ParseDataType(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var name = text.Trim();
        if (!ZarrDataType.TryParse(name, out var type))
        {
            throw new UsageException($"--dtype '{text}': not a supported data type; use one of {string.Join(", ", ZarrDataType.All.Select(t => t.Name))} or a numpy type string such as <f8");
        }

        return (type, name.StartsWith('>') && type.ItemSize > 1 ? Endian.Big : Endian.Little);
    }

    private static async Task RunAsync(string path, long[] shape, string dtype, CreateRequest request, CancellationToken cancellationToken)
    {
        var (dataType, endian) = ParseDataType(dtype);
        _ = request.ToArrayOptions(dataType, shape.Length); // usage errors before the destination is looked at
        var node = await NodeLocation.OpenForWriteAsync(path, cancellationToken).ConfigureAwait(false);
        await using (node.ConfigureAwait(false))
        {
            await Destination.CheckAsync(node, path, request.Overwrite, cancellationToken).ConfigureAwait(false);
            var parents = await ParentGroups.PlanAsync(node, path, cancellationToken).ConfigureAwait(false);
            request = request with { Format = parents.FormatFor(request, path) };
            var arrayOptions = request.ToArrayOptions(dataType, shape.Length) with { Endian = endian };
            try
            {
                await ZarrArray.CreateAsync(node.Store, "", dataType, shape, arrayOptions, request.Overwrite, cancellationToken).ConfigureAwait(false);

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
}
