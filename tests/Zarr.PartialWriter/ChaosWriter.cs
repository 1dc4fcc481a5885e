using System.Globalization;
using System.Text.Json.Nodes;
using Zarr.Storage;

namespace Zarr.PartialWriter;

/// <summary>
/// The kill test's writer: on the int32 array at PATH of the folder FOLDER (a <see cref="DirectoryStore"/> with Fsync on),
/// of <see cref="Length"/> elements in chunks of <see cref="ChunkLength"/>, makes random operations until it is killed:
/// whole-chunk writes, partial writes, resizes (between <see cref="Length"/> and two chunks more; writes stay below
/// <see cref="Length"/>) and attribute changes. Operation i writes the value FIRST + i. Before each it prints
/// <c>START kind argument value</c>, and <c>ACK</c> once it returned, so the test knows which writes were acknowledged
/// (those must survive) and which one was in flight when the kill came (it may or may not have landed).
/// </summary>
public static class ChaosWriter
{
    /// <summary>The elements the writes touch (the array's shape when created).</summary>
    public const int Length = 64;

    /// <summary>The chunk length.</summary>
    public const int ChunkLength = 8;

    internal static async Task<int> RunAsync(string folder, string path, long first, int seed)
    {
        try
        {
            var store = new DirectoryStore(folder, new DirectoryStoreOptions { Fsync = true });
            var array = await ZarrArray.OpenAsync<int>(store, path, AccessMode.ReadWrite);
            var random = new Random(seed);
            var whole = new int[ChunkLength];
            for (var i = 0L; ; i++)
            {
                var value = checked((int)(first + i));
                switch (random.Next(4))
                {
                    case 0:
                        var chunk = random.Next(Length / ChunkLength);
                        Start("whole", chunk, value);
                        Array.Fill(whole, value);
                        await array.WriteAsync([Slice.Range(chunk * ChunkLength, (chunk + 1) * ChunkLength)], whole);
                        break;
                    case 1:
                        var element = random.Next(Length);
                        Start("partial", element, value);
                        await array.WriteAsync([Slice.At(element)], new[] { value });
                        break;
                    case 2:
                        var shape = array.Shape[0] == Length ? Length + (2 * ChunkLength) : Length;
                        Start("resize", shape, value);
                        await array.ResizeAsync([shape]);
                        break;
                    default:
                        Start("attributes", 0, value);
                        await array.UpdateAttributesAsync(new JsonObject { ["last"] = value });
                        break;
                }

                Console.Out.WriteLine("ACK");
                Console.Out.Flush();
            }
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"chaos writer: {e}");
            return 1;
        }
    }

    private static void Start(string kind, long argument, int value)
    {
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"START {kind} {argument} {value}"));
        Console.Out.Flush();
    }
}
