using System.CommandLine;
using Zarr.Storage;

namespace Zarr.Cli.Commands;

/// <summary><c>zarr resize PATH --shape S</c>: as <see cref="ZarrArray.ResizeAsync"/> (growing writes metadata only; shrinking deletes the chunks outside).</summary>
internal static class ResizeCommand
{
    /// <summary>Builds the verb.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var path = new Argument<string>("PATH") { Description = "The folder of the array, or a path inside a .zip file." };
        var shape = new Option<string>("--shape") { Description = "The new shape, with as many dimensions as the array has.", Required = true };
        var command = new Command("resize", "Change the shape of an array; data inside the new shape is kept.") { path, shape };
        command.SetAction((result, cancellationToken) => ZarrCommand.GuardAsync(
            console,
            result.GetValue(verbose),
            () => RunAsync(result.GetRequiredValue(path), CreateOptions.ParseArrayShape(result.GetRequiredValue(shape), "--shape"), cancellationToken)));
        return command;
    }

    private static async Task RunAsync(string path, long[] shape, CancellationToken cancellationToken)
    {
        var node = await NodeLocation.OpenExistingForWriteAsync(path, cancellationToken).ConfigureAwait(false);
        await using (node.ConfigureAwait(false))
        {
            try
            {
                var (type, _) = await NodeLocation.ProbeAsync(node.Store, cancellationToken).ConfigureAwait(false);
                if (type != NodeType.Array)
                {
                    throw new CliException(type == NodeType.Group ? $"{path} is a group; resize needs an array" : $"no array at {path}");
                }

                var array = await ZarrArray.OpenAsync(node.Store, "", AccessMode.ReadWrite, cancellationToken).ConfigureAwait(false);
                if (shape.Length != array.Rank)
                {
                    throw new UsageException($"--shape {string.Join(',', shape)} has {shape.Length} dimensions but {path} has {array.Rank}");
                }

                await array.ResizeAsync(shape, cancellationToken).ConfigureAwait(false);
                await node.CommitAsync().ConfigureAwait(false);
            }
            catch (ZarrException ex)
            {
                throw new CliException($"{path}: {ex.Message}", ex);
            }
        }
    }
}
