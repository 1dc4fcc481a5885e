using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Zarr.Dataflow.Orleans;
using Zarr.Storage;

namespace Zarr.Cli.Commands;

/// <summary>
/// <c>zarr worker --cluster redis://HOST:PORT [--slots N] [--memory SIZE]</c>: a worker of a cluster. It joins, runs
/// the tasks of <c>zarr copy|stats --cluster</c> jobs, and on SIGTERM/SIGINT leaves (its tasks in progress end or go
/// back to the clients' schedulers, which send them to other workers), then exits 0. For tests only, the environment
/// variable <c>ZARR_WORKER_STORE_DELAY_MS</c> makes every store request of the worker's tasks wait that many
/// milliseconds (a slow worker, or a job long enough to kill a worker in its middle on any machine).
/// </summary>
internal static class WorkerCommand
{
    /// <summary>The verb's name (the entry point gives it time to leave the cluster when stopped).</summary>
    public const string Name = "worker";

    /// <summary>The environment variable (tests only) that delays each store request of this worker's tasks, in milliseconds.</summary>
    public const string StoreDelayVariable = "ZARR_WORKER_STORE_DELAY_MS";

    /// <summary>Builds the verb.</summary>
    public static Command Create(CliConsole console, Option<bool> verbose)
    {
        var cluster = new Option<string>("--cluster") { Description = "The cluster to join: redis://HOST:PORT (Orleans membership in Redis).", Required = true };
        var slots = new Option<int?>("--slots") { Description = "Tasks run at once (default: the number of cores)." };
        var memory = new Option<string>("--memory") { Description = "Memory the tasks may use together: bytes, or with K, M, G, T (binary: 4G = 4 GiB). Default: half of this machine's." };
        var dashboard = CliDashboard.CreateOption("worker's tasks");
        var command = new Command(Name, "Run a worker of a cluster until stopped (SIGTERM/SIGINT): it runs the tasks of copy and stats jobs sent with --cluster.") { cluster, slots, memory, dashboard };
        command.SetAction((result, cancellationToken) => ZarrCommand.GuardAsync(
            console,
            result.GetValue(verbose),
            () => RunAsync(console, result.GetRequiredValue(cluster), result.GetValue(slots), result.GetValue(memory), result.GetValue(verbose), result.GetValue(dashboard), cancellationToken)));
        return command;
    }

    private static async Task RunAsync(CliConsole console, string clusterText, int? slots, string? memory, bool verbose, int? dashboard, CancellationToken cancellationToken)
    {
        var address = ClusterChoice.Parse(clusterText)!;
        if (address.IsLocal)
        {
            throw new UsageException("--cluster local runs in the process of the job itself; a worker joins a shared cluster: redis://HOST:PORT");
        }

        var options = new ZarrWorkerOptions();
        if (slots is { } n)
        {
            if (n < 1)
            {
                throw new UsageException($"--slots {n}: at least 1");
            }

            options.Slots = n;
        }

        if (memory is not null)
        {
            var bytes = ParseSize(memory);
            if (bytes < 1L << 20)
            {
                throw new UsageException($"--memory {memory}: at least 1M");
            }

            options.MemoryBudget = bytes;
        }

        if (Environment.GetEnvironmentVariable(StoreDelayVariable) is { Length: > 0 } delayText)
        {
            if (!int.TryParse(delayText, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
            {
                throw new UsageException($"{StoreDelayVariable}={delayText}: a whole number of milliseconds");
            }

            var delay = new FaultInjectingStoreOptions { Delay = TimeSpan.FromMilliseconds(ms) };
            options.StoreWrapper = store => FaultInjectingStore.Wrap(store, delay);
        }

        // Stopping is the normal end: the host leaves the cluster and the verb exits 0.
        await CliDashboard.RunWorkerAsync(console, dashboard, $"worker of {address}", () => ZarrWorkerHost.RunAsync(
            address,
            options,
            () => console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"zarr worker: joined {address} ({options.Slots} slots, {CliProgress.Human(options.MemoryBudget)} for tasks{(options.StoreWrapper is null ? "" : $"; store requests delayed by {StoreDelayVariable}")})")),
            logging => logging.AddProvider(new StderrLoggerProvider(console.Error, verbose)),
            cancellationToken), cancellationToken).ConfigureAwait(false);
        await console.Error.WriteLineAsync($"zarr worker: left {address}").ConfigureAwait(false);
    }

    /// <summary>A size: bytes, or a number with K, M, G or T (binary units, an optional trailing B or iB).</summary>
    internal static long ParseSize(string text)
    {
        var t = text.Trim();
        var unit = t.TrimEnd('B', 'b').TrimEnd('i');
        long multiplier = 1;
        if (unit.Length > 0 && char.IsLetter(unit[^1]))
        {
            multiplier = char.ToUpperInvariant(unit[^1]) switch
            {
                'K' => 1L << 10,
                'M' => 1L << 20,
                'G' => 1L << 30,
                'T' => 1L << 40,
                _ => throw new UsageException($"--memory '{text}': the unit must be K, M, G or T"),
            };
            unit = unit[..^1];
        }

        if (!double.TryParse(unit, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw new UsageException($"--memory '{text}' is not a size (e.g. 4G, 512M, 1073741824)");
        }

        return (long)(value * multiplier);
    }
}

/// <summary>
/// The worker's log on stderr, one line each: warnings and errors always; with <c>--verbose</c> also each task done
/// (Zarr's own debug messages). Orleans' informational chatter stays out.
/// </summary>
internal sealed class StderrLoggerProvider(TextWriter error, bool verbose) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(error, verbose && categoryName.StartsWith("Zarr.", StringComparison.Ordinal) ? LogLevel.Information : LogLevel.Warning);

    public void Dispose()
    {
    }

    private sealed class Logger(TextWriter error, LogLevel least) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= least && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = "zarr worker: " + formatter(state, exception).ReplaceLineEndings(" ");
            lock (error)
            {
                error.WriteLine(line);
                error.Flush();
            }
        }
    }
}
