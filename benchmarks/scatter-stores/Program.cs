// How a read should store the runs of its chunks' rows into a destination far larger than the cache
// (Zarr.Storage/Indexing/StridedCopy.cs, CopyBlockStreaming). Scatters 4 GiB from two 4 MiB chunk buffers kept hot,
// on two threads taking alternate chunks (neighbours in a row of chunks, as a parallel read does), in runs of RUN bytes
// across a 128 KiB-wide destination that starts 16 bytes past a cache line, as a .NET array's data does. Each way of
// storing runs once per round, 8 rounds; prints the times of each sorted.
//   dotnet run -c Release --project benchmarks/scatter-stores -- [RUN_BYTES...]      (default: 512 4096)
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

if (!Avx.IsSupported)
{
    Console.Error.WriteLine("needs AVX");
    return 1;
}

const long destinationBytes = 4L << 30, chunkBytes = 4 << 20, rowBytes = 128 << 10;
var destination = GC.AllocateUninitializedArray<long>((int)(destinationBytes / 8) + 16, pinned: true);
Array.Fill(destination, 1L);
var chunks = new[] { GC.AllocateArray<byte>((int)chunkBytes, pinned: true), GC.AllocateArray<byte>((int)chunkBytes, pinned: true) };
var ways = new (string Name, Scatter.Store Store)[]
{
    ("lines: whole lines non-temporal, partial lines ordinary (ours)", Scatter.Lines),
    ("narrow: 32-byte body non-temporal, ends in 16/8/4-byte non-temporal stores", Scatter.NarrowEnds),
    ("mixed: 32-byte body non-temporal, ends to 32 bytes ordinary", Scatter.OrdinaryEnds),
    ("ordinary: memmove", Scatter.Ordinary),
};
var runs = args.Length > 0 ? args.Select(int.Parse).ToArray() : [512, 4096];
foreach (var run in runs)
{
    var times = ways.Select(_ => new List<double>()).ToArray();
    for (var round = 0; round < 8; round++)
    {
        for (var w = 0; w < ways.Length; w++)
        {
            var store = ways[w].Store;
            var clock = Stopwatch.StartNew();
            Parallel.For(0, 2, t => Scatter.Chunks(destination, chunks[t], t, run, rowBytes, chunkBytes, destinationBytes, store));
            times[w].Add(clock.Elapsed.TotalSeconds);
        }
    }

    Console.WriteLine($"runs of {run} bytes: seconds per 4 GiB, sorted");
    for (var w = 0; w < ways.Length; w++)
    {
        Console.WriteLine($"  {string.Join(' ', times[w].Order().Select(x => x.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}  {ways[w].Name}");
    }
}

return 0;

internal static unsafe class Scatter
{
    public delegate void Store(nint destination, nint source, long bytes);

    public static void Chunks(long[] destination, byte[] chunk, int thread, int run, long rowBytes, long chunkBytes, long destinationBytes, Store store)
    {
        fixed (long* pl = destination)
        fixed (byte* ps = chunk)
        {
            var pd = (byte*)pl;
            var d0 = pd + ((16 - (nint)pd) & 63); // 16 bytes past a line
            var rows = chunkBytes / run;
            var across = rowBytes / run;
            var count = destinationBytes / chunkBytes;
            for (var k = thread; k < count; k += 2)
            {
                var (ci, cj) = (k / across, k % across);
                for (var r = 0; r < rows; r++)
                {
                    store((nint)(d0 + ((ci * rows + r) * rowBytes) + (cj * run)), (nint)(ps + (r * run)), run);
                }

                Sse.StoreFence();
            }
        }
    }

    public static void Lines(nint destination, nint source, long bytes)
    {
        var d = (byte*)destination;
        var s = (byte*)source;
        var head = Math.Min(bytes, (64 - ((nint)d & 63)) & 63);
        Buffer.MemoryCopy(s, d, head, head);
        var i = head;
        for (; i + 64 <= bytes; i += 64)
        {
            Avx.StoreAlignedNonTemporal(d + i, Avx.LoadVector256(s + i));
            Avx.StoreAlignedNonTemporal(d + i + 32, Avx.LoadVector256(s + i + 32));
        }

        Buffer.MemoryCopy(s + i, d + i, bytes - i, bytes - i);
    }

    public static void NarrowEnds(nint destination, nint source, long bytes) => Body32((byte*)destination, (byte*)source, bytes, ordinaryEnds: false);

    public static void OrdinaryEnds(nint destination, nint source, long bytes) => Body32((byte*)destination, (byte*)source, bytes, ordinaryEnds: true);

    public static void Ordinary(nint destination, nint source, long bytes) => Buffer.MemoryCopy((byte*)source, (byte*)destination, bytes, bytes);

    private static void Body32(byte* d, byte* s, long bytes, bool ordinaryEnds)
    {
        var head = Math.Min(bytes, (32 - ((nint)d & 31)) & 31);
        var i = End(d, s, head, ordinaryEnds);
        for (; i + 32 <= bytes; i += 32)
        {
            Avx.StoreAlignedNonTemporal(d + i, Avx.LoadVector256(s + i));
        }

        End(d + i, s + i, bytes - i, ordinaryEnds);
    }

    private static long End(byte* d, byte* s, long bytes, bool ordinary)
    {
        if (ordinary)
        {
            Buffer.MemoryCopy(s, d, bytes, bytes);
            return bytes;
        }

        long i = 0;
        while (i < bytes)
        {
            var at = (nint)(d + i);
            if ((at & 15) == 0 && bytes - i >= 16)
            {
                Sse2.StoreAlignedNonTemporal(d + i, Sse2.LoadVector128(s + i));
                i += 16;
            }
            else if ((at & 7) == 0 && bytes - i >= 8)
            {
                Sse2.X64.StoreNonTemporal((long*)(d + i), Unsafe.ReadUnaligned<long>(s + i));
                i += 8;
            }
            else if ((at & 3) == 0 && bytes - i >= 4)
            {
                Sse2.StoreNonTemporal((int*)(d + i), Unsafe.ReadUnaligned<int>(s + i));
                i += 4;
            }
            else
            {
                d[i] = s[i];
                i++;
            }
        }

        return i;
    }
}
