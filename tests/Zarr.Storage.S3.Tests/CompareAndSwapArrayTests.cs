using Zarr.Storage.Tests;

namespace Zarr.Storage.S3.Tests;

/// <summary>
/// Partial-chunk writes from writers that share nothing but the bucket: each its own <see cref="S3Store"/> with its own
/// location (as another process or machine has), so only the ETag compare-and-swap on RGW keeps their updates.
/// </summary>
[Collection(RgwCollection.Name)]
public sealed class CompareAndSwapArrayTests(RgwFixture rgw)
{
    [Fact]
    public async Task EightWriters_x100PartialWrites_IntoTwoSharedChunks_LoseNothing()
    {
        using var setup = await rgw.NewStoreAsync(GetType());
        var (lost, handles) = await CompareAndSwapWriters.RunAsync(setup, () => new S3Store(setup.Bucket, setup.Prefix, rgw.Options()));
        foreach (var handle in handles)
        {
            handle.Dispose();
        }

        Assert.Equal(0, lost);
        Assert.Equal(800, handles.Sum(h => h.Swaps - h.LostSwaps));
    }
}
