using Orleans.Runtime;
using Microsoft.Extensions.Logging;
using Zarr.Dataflow.Distributed;

namespace Zarr.Dataflow.Orleans;

/// <summary>Runs a task under the silo's slots (<see cref="WorkerSlots"/>); the client reuses the activation for later tasks.</summary>
internal sealed partial class TaskGrain(WorkerSlots slots, ILogger<TaskGrain> logger) : Grain, ITaskGrain
{
    public async Task<byte[]> RunAsync(byte[] task, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        await slots.Gate.WaitAsync(cancellationToken).ConfigureAwait(true);
        try
        {
            LogTaskStarted(logger, task.Length);
            var receipt = await ClusterTaskRunner.RunAsync(task, slots.TaskMemoryBudget, slots.StoreWrapper, cancellationToken).ConfigureAwait(true);
            LogTaskDone(logger, task.Length, receipt.Length);
            return receipt;
        }
        finally
        {
            slots.Gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "task started ({TaskBytes} bytes of description)")]
    private static partial void LogTaskStarted(ILogger logger, int taskBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "task done ({TaskBytes} bytes of description, {ReceiptBytes} bytes of receipt)")]
    private static partial void LogTaskDone(ILogger logger, int taskBytes, int receiptBytes);
}

/// <summary>A silo's slots (tasks it runs at once) and the memory one task may use there.</summary>
internal sealed class WorkerSlots : IDisposable
{
    public WorkerSlots(ZarrWorkerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Slots = options.Slots;
        TaskMemoryBudget = options.MemoryBudget / options.Slots;
        StoreWrapper = options.StoreWrapper;
        Gate = new SemaphoreSlim(options.Slots, options.Slots);
    }

    public Func<Zarr.Storage.IStore, Zarr.Storage.IStore>? StoreWrapper { get; }

    public int Slots { get; }

    public long TaskMemoryBudget { get; }

    public SemaphoreSlim Gate { get; }

    public void Dispose() => Gate.Dispose();
}

/// <summary>Reports the silo's slots and budget (see <see cref="IWorkerGrain"/>).</summary>
internal sealed class WorkerGrain(WorkerSlots slots, ILocalSiloDetails silo) : Grain, IWorkerGrain
{
    public Task<(string Silo, int Slots, long TaskMemoryBudget)> GetCapacityAsync() =>
        Task.FromResult((silo.SiloAddress.ToParsableString(), slots.Slots, slots.TaskMemoryBudget));
}
