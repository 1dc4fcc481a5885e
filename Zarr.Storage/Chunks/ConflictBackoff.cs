namespace Zarr.Storage.Chunks;

/// <summary>
/// How a read-modify-write waits after its compare-and-swap lost to another writer: a random delay (full jitter) under a
/// ceiling that doubles from 2 ms to 250 ms, so writers that collided spread out instead of colliding again; after
/// <see cref="MaxAttempts"/> lost races it gives up with an error naming the chunk. Every lost race means another
/// writer's change went in, so writers as a whole always progress; the cap bounds one writer's wait under a hot chunk.
/// </summary>
internal struct ConflictBackoff
{
    /// <summary>How many lost races one read-modify-write takes before it gives up.</summary>
    public const int MaxAttempts = 100;

    private const int FirstCeilingMilliseconds = 2;
    private const int LastCeilingMilliseconds = 250;

    private readonly string _arrayPath;
    private readonly string _key;
    private readonly int _maxAttempts;
    private int _lost;

    /// <param name="arrayPath">The array's path (for the error).</param>
    /// <param name="key">The chunk's key (for the error).</param>
    /// <param name="maxAttempts">How many lost races it takes (<see cref="MaxAttempts"/>; fewer in tests).</param>
    public ConflictBackoff(string arrayPath, string key, int maxAttempts = MaxAttempts)
    {
        _arrayPath = arrayPath;
        _key = key;
        _maxAttempts = maxAttempts;
        _lost = 0;
    }

    /// <summary>How many races were lost so far.</summary>
    public readonly int Lost => _lost;

    /// <summary>Counts a lost race and waits before the next attempt.</summary>
    /// <exception cref="ZarrStoreException">The race was lost as many times as the attempts allowed.</exception>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        _lost++;
        if (_lost >= _maxAttempts)
        {
            throw new ZarrStoreException(_key, $"array '/{_arrayPath}': the update of this chunk lost the compare-and-swap to other writers {_lost} times in a row; nothing of it was written (retry, or write fewer partial chunks at once)");
        }

        var ceiling = Math.Min(LastCeilingMilliseconds, FirstCeilingMilliseconds << Math.Min(_lost - 1, 7));
        return new ValueTask(Task.Delay(Random.Shared.Next(1, ceiling + 1), cancellationToken));
    }
}
