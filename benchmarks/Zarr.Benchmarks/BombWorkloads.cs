using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Zarr.Storage;
using Zarr.Storage.Codecs;

namespace Zarr.Benchmarks;

/// <summary>
/// Issue 23 items 3 and 4: how fast, and after how much allocation, hostile values are refused through the user's path.
/// Chunks that inflate to 256 MiB (zlib, gzip, zstd without a declared size) stored in a 4,000-byte int32 chunk (v3,
/// crc32c inside the compressor, so only a bound of the compressor's output is known) and in a 100-string v2 object
/// chunk; zip entries whose headers lie (a stored entry declaring 2e9 bytes with 10 present, 3 MB deflated declaring
/// 2e9). Each case runs twice and the second (warm) run is reported: the refusal's wall time and the process's
/// allocation (<see cref="GC.GetTotalAllocatedBytes"/>), against the bounds of 1 s and 64 MiB.
/// </summary>
internal static class BombWorkloads
{
    public static async Task<int> RunAsync()
    {
        var zeros = new byte[256 << 20];
        var bombs = new (string Name, IBytesToBytesCodec Codec, byte[] Bytes)[]
        {
            ("zlib", new ZlibCodec(), Deflate(zeros, s => new ZLibStream(s, CompressionLevel.SmallestSize, true))),
            ("gzip", new GzipCodec(), Deflate(zeros, s => new GZipStream(s, CompressionLevel.SmallestSize, true))),
            ("zstd", new ZstdCodec(), ZstdStreamed(zeros)),
        };
        var cases = new List<(string Name, Func<Task<Func<Task>>> Setup)>();
        foreach (var (name, codec, bytes) in bombs)
        {
            cases.Add(($"{name} chunk of a v3 int32 array (crc32c inside), {bytes.Length:N0} B -> 256 MiB", async () =>
            {
                var store = new MemoryStore();
                var array = await ZarrArray.CreateAsync<int>(store, "a", [1000], new ArrayOptions { Chunks = [1000], Compressors = [new Crc32cCodec(), codec] });
                await store.SetAsync("a/c/0", bytes);
                return async () => await array.ReadAsync([Slice.All]);
            }));
            cases.Add(($"{name} chunk of a v2 string array (100 a chunk), {bytes.Length:N0} B -> 256 MiB", async () =>
            {
                var store = new MemoryStore();
                var strings = await ZarrStringArray.CreateAsync(store, "s", [100], options: new ArrayOptions { Format = ZarrFormat.V2, Chunks = [100], Compressors = [codec] });
                await store.SetAsync("s/0", bytes);
                return async () => await strings.ReadAsync([Slice.All]);
            }));
        }

        var folder = Directory.CreateTempSubdirectory("zarr-bombs-");
        try
        {
            var stored = Path.Combine(folder.FullName, "stored.zip");
            var deflated = Path.Combine(folder.FullName, "deflated.zip");
            CraftZip(stored, StoredMethod, new byte[10], 2_000_000_000, 2_000_000_000);
            CraftZip(deflated, DeflateMethod, new byte[3_000_000], 3_000_000, 2_000_000_000);
            foreach (var (label, path) in new[] { ("zip stored entry declaring 2e9 B, 10 B present", stored), ("zip deflated entry of 3 MB declaring 2e9 B", deflated) })
            {
                cases.Add((label, () => Task.FromResult<Func<Task>>(async () =>
                {
                    await using var zip = new ZipStore(path);
                    using var value = await zip.GetAsync("k");
                })));
            }

            Console.WriteLine("| hostile value | refused | wall (warm) | allocated |");
            Console.WriteLine("|---|---|---:|---:|");
            foreach (var (label, setup) in cases)
            {
                (string Outcome, double Ms, double MiB) result = default;
                for (var round = 0; round < 2; round++)
                {
                    var read = await setup();
                    GC.Collect();
                    var before = GC.GetTotalAllocatedBytes(precise: true);
                    var clock = Stopwatch.StartNew();
                    string outcome;
                    try
                    {
                        await read();
                        outcome = "NO: read";
                    }
                    catch (ZarrException e)
                    {
                        outcome = "yes: " + e.GetType().Name;
                    }

                    clock.Stop();
                    result = (outcome, clock.Elapsed.TotalMilliseconds, (GC.GetTotalAllocatedBytes(precise: true) - before) / 1048576.0);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {label} | {result.Outcome} | {result.Ms:F1} ms | {result.MiB:F1} MiB |"));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }

        return 0;
    }

    private static byte[] Deflate(byte[] data, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var stream = compressor(output))
        {
            stream.Write(data);
        }

        return output.ToArray();
    }

    // A zstd frame written by a stream: no content size in its header, so only decoding tells how much it holds.
    private static byte[] ZstdStreamed(byte[] data)
    {
        using var output = new MemoryStream();
        using (var stream = new ZstdSharp.CompressionStream(output, 1, leaveOpen: true))
        {
            stream.Write(data);
        }

        return output.ToArray();
    }

    private const ushort StoredMethod = 0;
    private const ushort DeflateMethod = 8;

    // A one-entry zip whose headers declare sizes its data does not have, written field by field (APPNOTE 4.3.7,
    // 4.3.12, 4.3.16): a library that writes zips would refuse to write a lie.
    private static void CraftZip(string path, ushort method, byte[] data, long declaredCompressed, long declaredSize)
    {
        var name = Encoding.UTF8.GetBytes("k");
        using var file = new MemoryStream();
        using var writer = new BinaryWriter(file);
        void Common()
        {
            writer.Write((ushort)20); // version needed to extract
            writer.Write((ushort)0); // flags
            writer.Write(method);
            writer.Write((ushort)0); // time
            writer.Write((ushort)0x21); // date: 1980-01-01
            writer.Write(0u); // crc-32: never reached, the declared size is refused first
            writer.Write((uint)declaredCompressed);
            writer.Write((uint)declaredSize);
            writer.Write((ushort)name.Length);
            writer.Write((ushort)0); // extra field length
        }

        writer.Write(0x04034b50u);
        Common();
        writer.Write(name);
        writer.Write(data);
        var directoryOffset = file.Position;
        writer.Write(0x02014b50u);
        writer.Write((ushort)20); // version made by
        Common();
        writer.Write((ushort)0); // comment length
        writer.Write((ushort)0); // disk number
        writer.Write((ushort)0); // internal attributes
        writer.Write(0u); // external attributes
        writer.Write(0u); // offset of the local header
        writer.Write(name);
        var directoryLength = file.Position - directoryOffset;
        writer.Write(0x06054b50u);
        writer.Write((ushort)0);
        writer.Write((ushort)0);
        writer.Write((ushort)1);
        writer.Write((ushort)1);
        writer.Write((uint)directoryLength);
        writer.Write((uint)directoryOffset);
        writer.Write((ushort)0); // comment length
        writer.Flush();
        File.WriteAllBytes(path, file.ToArray());
    }
}
