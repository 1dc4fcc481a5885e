// The tour of the first zarr's README, in C#: create, fill, slice, resize, append, persist, and go big lazily.
// The README's tour is this program, line for line (a test checks it); the lines that print are extra.
// Usage: dotnet run --project samples/Quickstart [-- FOLDER]   (FOLDER defaults to ./quickstart-data)
using System.Numerics.Tensors;
using Zarr.Storage;

var folder = Path.GetFullPath(args.Length > 0 ? args[0] : "quickstart-data");
Directory.CreateDirectory(folder);
Environment.CurrentDirectory = folder;     // the tour's folders (example.zarr, big.zarr) go here
Console.WriteLine($"Zarr.Dataflow quickstart; persistent arrays go to {folder}\n");

// Create an array (in memory, like the seed's first examples).
var store = new MemoryStore();
var z = await ZarrArray.EmptyAsync<int>(store, "", [10000, 1000], new ArrayOptions { Chunks = [1000, 100] });
Console.WriteLine(await z.GetInfoAsync());

// Fill it with some data.
var a = Enumerable.Range(0, 10_000_000).ToArray();
await z[..].WriteAsync(a);
Console.WriteLine(await z.GetInfoAsync());

// Obtain a tensor by slicing (awaiting a selection reads it); ToNumpyString prints it as numpy does.
Tensor<int> all = await z[..];
Tensor<int> rows = await z[..100];
Tensor<int> cols = await z[.., ..100];
Tensor<int> every3rd = await z[(..).WithStep(3), 5];     // numpy's z[::3, 5]
Console.WriteLine(cols.ToNumpyString());
Console.WriteLine($"all {Shape(all)}, rows {Shape(rows)}, every3rd {Shape(every3rd)}\n");

// Resize the array and add more data.
await z.ResizeAsync([20000, 1000]);
Console.WriteLine(await z.GetInfoAsync());
await z[10000.., ..].WriteAsync(a);
Console.WriteLine(await z.GetInfoAsync());

// Append along any axis.
var z2 = await ZarrArray.FromDataAsync<int>(new MemoryStore(), "", a, [10000, 1000], new ArrayOptions { Chunks = [1000, 100] });
await z2.AppendAsync(a.Select(v => v + v).ToArray(), [10000, 1000]);
Console.WriteLine(await z2.GetInfoAsync());
await z2.AppendAsync(a.Concat(a).ToArray(), [20000, 1000], axis: 1);
Console.WriteLine(await z2.GetInfoAsync());

// Persistence: a directory store; nothing to close or flush.
var disk = new DirectoryStore("example.zarr");
var persistent = await ZarrArray.OpenOrCreateAsync<int>(disk, "", AccessMode.Write, [10000, 1000],
                                                       new ArrayOptions { Chunks = [1000, 100] });
await persistent[..].WriteAsync(a);
Console.WriteLine(await persistent.GetInfoAsync());
var again = await ZarrArray.OpenAsync<int>(new DirectoryStore("example.zarr"));   // mode r
Console.WriteLine($"reopened: z[9999, 999] = {await again.GetValueAsync([9999, 999])}");

// Really big arrays are lazy: only the metadata is written until a chunk is.
var big = await ZarrArray.OpenOrCreateAsync<int>(new DirectoryStore("big.zarr"), "", AccessMode.Write,
                                                [100_000_000, 10_000_000], new ArrayOptions { Chunks = [1000, 1000] });
Console.WriteLine(await big.GetInfoAsync());

static string Shape(Tensor<int> t) => t.Rank == 1 ? $"({t.Lengths[0]},)" : "(" + string.Join(", ", t.Lengths.ToArray()) + ")";
