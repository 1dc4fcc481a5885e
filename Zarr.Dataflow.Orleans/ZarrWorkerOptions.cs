namespace Zarr.Dataflow.Orleans;

/// <summary>
/// A worker's capacity. Defaults: <see cref="Slots"/> the number of cores; <see cref="MemoryBudget"/> half the memory
/// available to the process. A task gets <see cref="MemoryBudget"/> / <see cref="Slots"/>.
/// </summary>
public sealed class ZarrWorkerOptions
{
    /// <summary>Tasks the worker runs at once. At least 1.</summary>
    public int Slots
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            field = value;
        }
    } = Environment.ProcessorCount;

    /// <summary>The memory the worker's tasks may use together, in bytes. At least 1 MiB.</summary>
    public long MemoryBudget
    {
        get;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1L << 20);
            field = value;
        }
    } = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2;

    /// <summary>
    /// Wraps each store this worker's tasks open: metering, a cache, or a test's injected latency (a worker made slow).
    /// Null (the default): the stores as opened by URL.
    /// </summary>
    public Func<Zarr.Storage.IStore, Zarr.Storage.IStore>? StoreWrapper { get; set; }
}
