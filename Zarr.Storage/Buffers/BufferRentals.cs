namespace Zarr.Storage.Buffers;

/// <summary>
/// Counts the <see cref="PooledBuffer"/>s rented and not yet disposed by the code running inside a scope (the scope
/// flows with the execution context, into the tasks and dataflow workers started inside it), so a test can check that
/// a pipeline returned every buffer it rented, whatever else runs in the process. A buffer is counted in the scope it
/// was rented in, wherever it is disposed. Outside a scope nothing is counted.
/// </summary>
internal sealed class BufferRentals : IDisposable
{
    private static readonly AsyncLocal<BufferRentals?> CurrentScope = new();
    private readonly BufferRentals? _outer;
    private long _outstanding;

    private BufferRentals(BufferRentals? outer) => _outer = outer;

    /// <summary>The scope the calling code runs in, or null.</summary>
    public static BufferRentals? Current => CurrentScope.Value;

    /// <summary>The buffers rented in this scope and not yet disposed.</summary>
    public long Outstanding => Volatile.Read(ref _outstanding);

    /// <summary>Starts counting the calling code's rentals, until the scope is disposed.</summary>
    public static BufferRentals Begin()
    {
        var scope = new BufferRentals(CurrentScope.Value);
        CurrentScope.Value = scope;
        return scope;
    }

    public void Rented() => Interlocked.Increment(ref _outstanding);

    public void Returned() => Interlocked.Decrement(ref _outstanding);

    /// <summary>Ends the scope for the calling code (buffers rented in it are still counted when they are disposed).</summary>
    public void Dispose() => CurrentScope.Value = _outer;
}
