// The tour of the first zarr's README, in C#: create, fill, slice, resize, append, persist, and go big lazily.
// Usage: dotnet run --project samples/Quickstart [-- FOLDER]   (FOLDER defaults to ./quickstart-data)
using System.Globalization;
using System.Numerics.Tensors;
using Zarr.Storage;
using Zarr.Storage.Stores;

var folder = Path.GetFullPath(args.Length > 0 ? args[0] : "quickstart-data");
Console.WriteLine($"Zarr.Dataflow quickstart; persistent arrays go to {folder}\n");

// Create an array (in memory, like the seed's first examples).
var store = new MemoryStore();
var z = await ZarrArray.EmptyAsync<int>(store, "", [10000, 1000], new ArrayOptions { Chunks = [1000, 100] });
Console.WriteLine(await z.GetInfoAsync());

// Fill it with some data.
var a = Enumerable.Range(0, 10_000_000).ToArray();
await z[..].WriteAsync(a);
Console.WriteLine(await z.GetInfoAsync());

// Obtain a tensor by slicing.
Console.WriteLine("\nz[..]");
Show(await z[..]);
Console.WriteLine("z[..100]");
Show(await z[..100]);
Console.WriteLine("z[.., ..100]");
Show(await z[.., ..100]);

// Resize the array and add more data.
await z.ResizeAsync([20000, 1000]);
Console.WriteLine(await z.GetInfoAsync());
await z[10000.., ..].WriteAsync(a);
Console.WriteLine(await z.GetInfoAsync());

// Append along any axis.
var appended = await ZarrArray.FromDataAsync<int>(new MemoryStore(), "", a, [10000, 1000], new ArrayOptions { Chunks = [1000, 100] });
await appended.AppendAsync(a.Select(v => v + v).ToArray(), [10000, 1000]);
Console.WriteLine(await appended.GetInfoAsync());
var vstack = a.Concat(a).ToArray();
await appended.AppendAsync(vstack, [20000, 1000], axis: 1);
Console.WriteLine(await appended.GetInfoAsync());

// Persistence: a directory store; nothing to close or flush.
var example = new DirectoryStore(Path.Combine(folder, "example.zarr"));
var persistent = await ZarrArray.OpenOrCreateAsync<int>(example, "", AccessMode.Write, [10000, 1000], new ArrayOptions { Chunks = [1000, 100] });
await persistent[..].WriteAsync(a);
Console.WriteLine(await persistent.GetInfoAsync());
var reopened = await ZarrArray.OpenAsync<int>(new DirectoryStore(Path.Combine(folder, "example.zarr")), "", AccessMode.Read);
Console.WriteLine($"reopened: z[9999, 999] = {await reopened.GetValueAsync([9999, 999])}");

// Really big arrays are lazy: only the metadata is written until a chunk is.
var big = await ZarrArray.OpenOrCreateAsync<int>(new DirectoryStore(Path.Combine(folder, "big.zarr")), "", AccessMode.Write, [100_000_000, 10_000_000], new ArrayOptions { Chunks = [1000, 1000] });
Console.WriteLine(await big.GetInfoAsync());

// Prints a 2-D tensor as numpy summarises a large array: the first and last three rows and columns.
static void Show(Tensor<int> t)
{
    var rows = (long)t.Lengths[0];
    var cols = (long)t.Lengths[1];
    var values = new int[t.FlattenedLength];
    t.FlattenTo(values);
    var width = values.Max().ToString(CultureInfo.InvariantCulture).Length;
    IEnumerable<long> Pick(long n) => n <= 6 ? Enumerable.Range(0, (int)n).Select(i => (long)i) : [0, 1, 2, -1, n - 3, n - 2, n - 1];
    var lines = new List<string>();
    foreach (var r in Pick(rows))
    {
        lines.Add(r < 0 ? " ...," : " [" + string.Join(", ", Pick(cols).Select(c => c < 0 ? "..." : values[(r * cols) + c].ToString(CultureInfo.InvariantCulture).PadLeft(width))) + "]");
    }

    Console.WriteLine("[" + string.Join("\n", lines).TrimStart() + "]\n");
}
