using System.Collections.Concurrent;
using System.Numerics.Tensors;
using Zarr.Storage.Buffers;

namespace Zarr.Storage.Tests.Indexing;

/// <summary>Random arrays and the plain in-memory computations the advanced selections are compared with.</summary>
internal static class IndexingTestSupport
{
    public static T[] Flat<T>(Tensor<T> t)
    {
        var a = new T[t.FlattenedLength];
        t.FlattenTo(a);
        return a;
    }

    public static long[] Lengths<T>(Tensor<T> t) => [.. t.Lengths.ToArray().Select(x => (long)x)];

    /// <summary>A random array (rank 1–3, edge chunks likely) filled with distinct values, and its reference copy.</summary>
    public static async Task<(ZarrArray<long> Array, Reference<long> Reference)> RandomArrayAsync(Random rng, int trial, IStore? store = null)
    {
        var rank = rng.Next(1, 4);
        var shape = Enumerable.Range(0, rank).Select(_ => (long)rng.Next(1, rank == 1 ? 60 : 18)).ToArray();
        var chunks = shape.Select(s => rng.Next(1, (int)s + 4)).ToArray();
        var options = new ArrayOptions { Chunks = [.. chunks], Format = trial % 2 == 0 ? ZarrFormat.V3 : ZarrFormat.V2, FillValue = -7 };
        var z = await ZarrArray.CreateAsync<long>(store ?? new MemoryStore(), "a", shape, options);
        var reference = new Reference<long>(shape, -7);
        for (var i = 0; i < reference.Values.Length; i++)
        {
            // Leave some chunks unwritten (fill value) now and then.
            reference.Values[i] = trial % 5 == 4 && i % 3 == 0 ? -7 : (i * 10) + 1;
        }

        await z.WriteAsync([], reference.Values);
        return (z, reference);
    }

    /// <summary>Every combination of per-dimension index lists in C order (np.ix_), as array offsets.</summary>
    public static List<long> Product(Reference<long> reference, long[][] perDimension)
    {
        var result = new List<long>();
        var rank = perDimension.Length;
        if (perDimension.Any(p => p.Length == 0))
        {
            return result;
        }

        var idx = new int[rank];
        var point = new long[rank];
        while (true)
        {
            for (var d = 0; d < rank; d++)
            {
                point[d] = perDimension[d][idx[d]];
            }

            result.Add(reference.Offset(point));
            var k = rank - 1;
            while (k >= 0)
            {
                if (++idx[k] < perDimension[k].Length)
                {
                    break;
                }

                idx[k] = 0;
                k--;
            }

            if (k < 0)
            {
                return result;
            }
        }
    }
}

/// <summary>A memory store that records every key read, to show which chunks a selection touches.</summary>
internal sealed class CountingStore : IStore
{
    private readonly MemoryStore _inner = new();

    public ConcurrentQueue<string> Reads { get; } = new();

    public bool IsReadOnly => false;

    public void Reset() => Reads.Clear();

    public ValueTask<PooledBuffer?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        Reads.Enqueue(key);
        return _inner.GetAsync(key, range, cancellationToken);
    }

    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) => _inner.ExistsAsync(key, cancellationToken);

    public ValueTask<long?> GetSizeAsync(string key, CancellationToken cancellationToken = default) => _inner.GetSizeAsync(key, cancellationToken);

    public ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default) => _inner.SetAsync(key, value, cancellationToken);

    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => _inner.DeleteAsync(key, cancellationToken);

    public ValueTask DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) => _inner.DeletePrefixAsync(prefix, cancellationToken);

    public IAsyncEnumerable<StoreEntry> ListPrefixAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListPrefixAsync(prefix, cancellationToken);

    public IAsyncEnumerable<string> ListDirectoryAsync(string prefix, CancellationToken cancellationToken = default) => _inner.ListDirectoryAsync(prefix, cancellationToken);
}
