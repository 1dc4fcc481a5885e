using System.Globalization;
using Zarr.Storage;

// One writer process of a lost-update test: opens the int32 array at PATH in the store STORE and, from THREADS threads,
// makes WRITES partial writes of one element each, element e = i * (writers * threads) + (writer * threads + thread)
// getting the value e + 1, so the writers' elements are disjoint and interleaved through every chunk. Exit 0 when every
// write returned; 1 with the error on stderr otherwise.
//   Zarr.PartialWriter STORE PATH WRITER WRITERS THREADS WRITES
if (args.Length != 6)
{
    await Console.Error.WriteLineAsync("usage: Zarr.PartialWriter STORE PATH WRITER WRITERS THREADS WRITES");
    return 2;
}

var (storeText, path) = (args[0], args[1]);
var numbers = args[2..].Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray();
var (writer, writers, threads, writes) = (numbers[0], numbers[1], numbers[2], numbers[3]);
try
{
    await using var store = await WriterStores.OpenAsync(storeText);
    var array = await ZarrArray.OpenAsync<int>(store.Store, path, AccessMode.ReadWrite);
    await Parallel.ForAsync(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, async (thread, ct) =>
    {
        for (var i = 0; i < writes; i++)
        {
            long element = ((long)i * writers * threads) + (writer * threads) + thread;
            await array.WriteAsync([Slice.At(element)], new[] { (int)(element + 1) }, ct);
        }
    });
    return 0;
}
catch (Exception e)
{
    await Console.Error.WriteLineAsync($"writer {writer}: {e}");
    return 1;
}
