using System.Security.Cryptography;
using Zarr.Dataflow.Distributed;

namespace Zarr.Dataflow.Dashboard;

/// <summary>
/// A cluster's workers, counted for a job's page: every send in flight, every receipt, every send lost with a worker
/// (<see cref="WorkerLostException"/>), and every task sent again (the scheduler re-sends the same description after a
/// loss or a task error, so a description seen before is a retry), one row per worker as the workers report themselves
/// (<c>cluster: silo address</c>; the in-process worker, whose id is <c>local</c>, as <paramref name="clusterName"/> alone).
/// Runs nothing itself.
/// </summary>
internal sealed class ObservedWorkers(ITaskWorkers inner, DashboardJob job, string clusterName) : ITaskWorkers
{
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);

    public async Task<IReadOnlyList<TaskWorker>> GetWorkersAsync(CancellationToken cancellationToken)
    {
        var workers = await inner.GetWorkersAsync(cancellationToken).ConfigureAwait(false);
        foreach (var worker in workers)
        {
            job.AddWorker(RowOf(worker));
        }

        return workers;
    }

    public async Task<byte[]> RunAsync(TaskWorker worker, byte[] task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(task);
        var name = RowOf(worker);
        var digest = Convert.ToBase64String(SHA256.HashData(task));
        bool again;
        lock (_sent)
        {
            again = !_sent.Add(digest);
        }

        job.OnTask(name, w =>
        {
            w.InFlight++;
            if (again)
            {
                w.Retries++;
            }
        });
        try
        {
            var receipt = await inner.RunAsync(worker, task, cancellationToken).ConfigureAwait(false);
            job.OnTask(name, w =>
            {
                w.InFlight--;
                w.Done++;
            });
            return receipt;
        }
        catch (WorkerLostException)
        {
            job.OnTask(name, w =>
            {
                w.InFlight--;
                w.Lost++;
            });
            throw;
        }
        catch (Exception)
        {
            job.OnTask(name, w => w.InFlight--);
            throw;
        }
    }

    private string RowOf(TaskWorker worker) => worker.Id == "local" ? clusterName : $"{clusterName}: {worker.Id}";
}
