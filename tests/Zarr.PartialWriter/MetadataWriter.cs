using System.Text.Json.Nodes;
using Zarr.Storage;

namespace Zarr.PartialWriter;

/// <summary>
/// The metadata workload: attribute changes (each its own read-modify-write of the array's document), and, in one of
/// the processes, resizes between them, so a test can check that no change of either process was lost.
/// </summary>
internal static class MetadataWriter
{
    public static async Task<int> RunAsync(string storeText, string path, string name, int count, bool resize)
    {
        try
        {
            await using var store = await WriterStores.OpenAsync(storeText);
            var array = await ZarrArray.OpenAsync<int>(store.Store, path, AccessMode.ReadWrite);
            var first = array.Shape[0];
            for (var i = 0; i < count; i++)
            {
                await array.UpdateAttributesAsync(new JsonObject { [name + i] = i });
                if (resize)
                {
                    await array.ResizeAsync([first + i + 1]);
                }
            }

            return 0;
        }
        catch (Exception e)
        {
            await Console.Error.WriteLineAsync($"metadata writer {name}: {e}");
            return 1;
        }
    }
}
