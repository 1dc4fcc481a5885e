using System.Security.Cryptography;
using Zarr.Dataflow.Distributed;

namespace Zarr.Dataflow.Dashboard;

/// <summary>
/// A cluster's workers, counted for a job's page: every send in flight, every receipt, every send lost with a worker
/// (<see cref="WorkerLostException"/>), and every task sent again (the scheduler re-sends the same description after a
/// loss or a task error, so a description seen before is a retry). Runs nothing itself.
/// </summary>
internal sealed class ObservedWorkers(ITaskWorkers inner, DashboardJob job, string name) : ITaskWorkers
{
    private readonly HashSet<string> _sent = new(StringComparer.Ordinal);

    public int Slots => inner.Slots;

    public long TaskMemoryBudget => inner.TaskMemoryBudget;

    public async Task<byte[]> RunAsync(byte[] task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
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
            var receipt = await inner.RunAsync(task, cancellationToken).ConfigureAwait(false);
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
}
