using System.Globalization;
using Zarr.PartialWriter;
using Zarr.Storage;

// A writer process of the cross-process tests. Three workloads:
//   Zarr.PartialWriter STORE PATH WRITER WRITERS THREADS WRITES
//     opens the int32 array at PATH in the store STORE and, from THREADS threads, makes WRITES partial writes of one
//     element each, element e = i * (writers * threads) + (writer * threads + thread) getting the value e + 1, so the
//     writers' elements are disjoint and interleaved through every chunk.
//   Zarr.PartialWriter metadata STORE PATH NAME COUNT RESIZE
//     sets the attributes NAME0 .. NAME{COUNT-1} (NAMEi = i), one change each; with RESIZE 1, after each also grows the
//     array's first dimension by one (from its shape when the process started).
//   Zarr.PartialWriter chaos FOLDER PATH FIRST SEED
//     the kill test's writer (see ChaosWriter): runs until killed, printing each operation before and after.
//   Zarr.PartialWriter racing STORE PATH WRITER WRITERS THREADS WRITES
//     as the first, against another process that resizes the array: a write the shape no longer holds (the writer
//     has seen a shrink) is refused with a ZarrSelectionException and skipped.
// Exit 0 when every write returned; 1 with the error on stderr otherwise.
if (args.Length == 5 && args[0] == "chaos")
{
    return await ChaosWriter.RunAsync(args[1], args[2], long.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
}

if (args.Length == 6 && args[0] == "metadata")
{
    return await MetadataWriter.RunAsync(args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture), args[5] == "1");
}

var racing = args.Length == 7 && args[0] == "racing";
if (racing)
{
    args = args[1..];
}

if (args.Length != 6)
{
    await Console.Error.WriteLineAsync("usage: Zarr.PartialWriter [racing] STORE PATH WRITER WRITERS THREADS WRITES | metadata STORE PATH NAME COUNT RESIZE | chaos FOLDER PATH FIRST SEED");
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
            try
            {
                await array.WriteAsync([Slice.At(element)], new[] { (int)(element + 1) }, ct);
            }
            catch (ZarrSelectionException) when (racing)
            {
                // Outside the shape another process shrank the array to.
            }
        }
    });
    return 0;
}
catch (Exception e)
{
    await Console.Error.WriteLineAsync($"writer {writer}: {e}");
    return 1;
}
