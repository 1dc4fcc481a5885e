namespace Zarr.Cli;

/// <summary>The <c>zarr</c> command's entry point.</summary>
internal static class ZarrCommand
{
    /// <summary>Runs the command line and returns the exit status (0 success, 1 failure, 2 usage).</summary>
    public static Task<int> RunAsync(string[] args) => Task.FromResult(args.Length == 0 ? 2 : 1);
}
