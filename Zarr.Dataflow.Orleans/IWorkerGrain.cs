namespace Zarr.Dataflow.Orleans;

/// <summary>
/// A worker silo's report of itself, keyed by the silo's address and activated on that silo (a placement hint): how
/// many tasks it runs at once and the memory one task may use there. The client's scheduler asks every live silo.
/// </summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    /// <summary>The silo this activation runs on, its slots and the memory one task may use there.</summary>
    /// <returns>The silo's address (parsable), its slots and its memory budget per task in bytes.</returns>
    Task<(string Silo, int Slots, long TaskMemoryBudget)> GetCapacityAsync();
}
