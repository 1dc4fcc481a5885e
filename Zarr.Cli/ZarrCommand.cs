using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using System.Reflection;
using Zarr.Cli.Commands;
using Zarr.Storage;

namespace Zarr.Cli;

/// <summary>The <c>zarr</c> command's entry point.</summary>
internal static class ZarrCommand
{
    /// <summary>Exit status of a successful run.</summary>
    public const int Success = 0;

    /// <summary>Exit status when the work failed.</summary>
    public const int Failure = 1;

    /// <summary>Exit status when the command line was wrong.</summary>
    public const int Usage = 2;

    /// <summary>Exit status when the user interrupted the work (Ctrl-C, SIGINT/SIGTERM): 128 + SIGINT, the shell's convention.</summary>
    public const int Interrupted = 130;

    /// <summary>Runs the command line and returns the exit status (0 success, 1 failure, 2 usage, 130 interrupted).</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdout">Where results go; the console's stdout when null.</param>
    /// <param name="stderr">Where failures go; the console's stderr when null.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public static async Task<int> RunAsync(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, CancellationToken cancellationToken = default)
    {
        // Every PATH may be an s3:// or az:// URL (docs/cli.md): the object stores' providers join file, zip and http(s).
        Zarr.Storage.S3.S3StoreUrlProvider.Register();
        Zarr.Storage.Azure.AzureStoreUrlProvider.Register();
        ArgumentNullException.ThrowIfNull(args);
        var console = new CliConsole(stdout ?? Console.Out, stderr ?? Console.Error, stderr is null && !Console.IsErrorRedirected);
        var verbose = new Option<bool>("--verbose", "-v")
        {
            Description = "Print the full stack trace of a failure.",
            Recursive = true,
        };

        var root = new RootCommand("Inspect, create, copy, check and summarise Zarr v2/v3 arrays and groups.");
        root.Options.Add(verbose);
        root.Subcommands.Add(InfoCommand.Create(console, verbose));
        root.Subcommands.Add(TreeCommand.Create(console, verbose));
        root.Subcommands.Add(ExportCommand.Create(console, verbose));
        root.Subcommands.Add(ImportCommand.Create(console, verbose));
        root.Subcommands.Add(CreateCommand.Create(console, verbose));
        root.Subcommands.Add(CopyCommand.Create(console, verbose));
        root.Subcommands.Add(StatsCommand.Create(console, verbose));
        root.Subcommands.Add(VerifyCommand.Create(console, verbose));
        root.Subcommands.Add(ResizeCommand.Create(console, verbose));
        root.Subcommands.Add(AttrsCommand.Create(console, verbose));
        root.Subcommands.Add(WorkerCommand.Create(console, verbose));
        foreach (var version in root.Options.OfType<VersionOption>())
        {
            version.Action = new VersionAction(console);
        }

        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            var verb = parseResult.CommandResult.Command == root ? "zarr" : "zarr " + parseResult.CommandResult.Command.Name;
            var messages = string.Join("; ", parseResult.Errors.Select(e => OneLine(e.Message)).Distinct());
            await console.Error.WriteLineAsync($"zarr: {messages} (see '{verb} --help')").ConfigureAwait(false);
            return Usage;
        }

        var invocation = new InvocationConfiguration
        {
            Output = console.Out,
            Error = console.Error,
            EnableDefaultExceptionHandler = false,
        };
        if (parseResult.CommandResult.Command.Name == WorkerCommand.Name)
        {
            // A stopped worker leaves the cluster gracefully (its tasks in progress end or go back): more than the default 2 s.
            invocation.ProcessTerminationTimeout = TimeSpan.FromSeconds(45);
        }

        return await parseResult.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a verb's work and turns its exceptions into an exit status and one line on stderr
    /// (plus the stack trace with <c>--verbose</c>).
    /// </summary>
    /// <summary>A verb of the shape <c>NAME PATH [--json]</c> that reads the node at PATH; <paramref name="run"/> does the work.</summary>
    internal static Command ReadingVerb(
        string name, string description, string pathDescription, string jsonDescription,
        CliConsole console, Option<bool> verbose, Func<CliConsole, string, bool, CancellationToken, Task> run)
    {
        var path = new Argument<string>("PATH") { Description = pathDescription };
        var json = new Option<bool>("--json") { Description = jsonDescription };
        var command = new Command(name, description) { path, json };
        command.SetAction((result, cancellationToken) => GuardAsync(
            console,
            result.GetValue(verbose),
            () => run(console, result.GetRequiredValue(path), result.GetValue(json), cancellationToken)));
        return command;
    }

    internal static async Task<int> GuardAsync(CliConsole console, bool verbose, Func<Task> work)
    {
        try
        {
            await work().ConfigureAwait(false);
            return Success;
        }
        catch (UsageException ex)
        {
            await ReportAsync(console, ex, verbose).ConfigureAwait(false);
            return Usage;
        }
        catch (OperationCanceledException ex)
        {
            // The token System.CommandLine cancels on Ctrl-C (or the caller's): what was being written was cleaned up.
            await ReportAsync(console, ex, verbose, "interrupted").ConfigureAwait(false);
            return Interrupted;
        }
#pragma warning disable CA1031 // the command's boundary: every failure becomes one line and exit status 1
        catch (Exception ex)
#pragma warning restore CA1031
        {
            var known = ex is CliException or ZarrException or IOException or UnauthorizedAccessException or InvalidDataException
                or NotSupportedException; // a store that cannot do what the verb needs (listing over HTTP) says why itself
            await ReportAsync(console, ex, verbose, known ? null : $"unexpected {ex.GetType().Name}: {ex.Message}").ConfigureAwait(false);
            return Failure;
        }
    }

    private static async Task ReportAsync(CliConsole console, Exception ex, bool verbose, string? message = null)
    {
        await console.Out.FlushAsync().ConfigureAwait(false);
        await console.Error.WriteLineAsync("zarr: " + OneLine(message ?? ex.Message)).ConfigureAwait(false);
        if (verbose)
        {
            await console.Error.WriteLineAsync(ex.ToString()).ConfigureAwait(false);
        }

        await console.Error.FlushAsync().ConfigureAwait(false);
    }

    /// <summary><c>--version</c>: the tool's version, then which blosc it uses (native c-blosc or the managed one) and why.</summary>
    private sealed class VersionAction(CliConsole console) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var version = typeof(ZarrCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
            console.Out.WriteLine(version);
            console.Out.WriteLine("blosc: " + Zarr.Storage.Codecs.BloscRuntime.Description);
            return Success;
        }
    }

    private static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
