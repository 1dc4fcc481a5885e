using Zarr.Storage.Internal;

namespace Zarr.Storage.Tests.Internal;

public class AsyncReaderWriterLockTests
{
    [Fact]
    public async Task Shared_holders_together_exclusive_alone_in_arrival_order()
    {
        var gate = new AsyncReaderWriterLock();
        var first = await gate.EnterSharedAsync(CancellationToken.None);
        var second = await gate.EnterSharedAsync(CancellationToken.None); // shared with shared: at once

        var exclusive = gate.EnterExclusiveAsync(CancellationToken.None);
        var late = gate.EnterSharedAsync(CancellationToken.None); // behind the waiting exclusive one
        Assert.False(exclusive.IsCompleted);
        Assert.False(late.IsCompleted);

        first.Dispose();
        Assert.False(exclusive.IsCompleted);
        second.Dispose();
        using (await exclusive.WaitAsync(TimeSpan.FromSeconds(5)))
        {
            Assert.False(late.IsCompleted);
        }

        (await late.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        (await gate.EnterExclusiveAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    [Fact]
    public async Task A_cancelled_waiter_leaves_the_queue_and_lets_those_behind_it_in()
    {
        var gate = new AsyncReaderWriterLock();
        var held = await gate.EnterSharedAsync(CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var exclusive = gate.EnterExclusiveAsync(cancel.Token);
        var behind = gate.EnterSharedAsync(CancellationToken.None);
        Assert.False(behind.IsCompleted);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => exclusive);
        (await behind.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        held.Dispose();
        (await gate.EnterExclusiveAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.EnterSharedAsync(cancel.Token));
    }
}
