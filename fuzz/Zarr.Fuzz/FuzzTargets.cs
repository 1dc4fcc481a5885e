using Zarr.Fuzz.Targets;

namespace Zarr.Fuzz;

/// <summary>Every fuzz target, by name, and where their committed corpus lives.</summary>
internal static class FuzzTargets
{
    /// <summary>The codec decoders.</summary>
    public static IReadOnlyList<FuzzTarget> Codecs { get; } = [.. CodecTargets.All()];

    /// <summary>The documents, containers and names: metadata, shards, zip directories, keys, .npy headers.</summary>
    public static IReadOnlyList<FuzzTarget> Documents { get; } = [.. MetadataTargets.All(), .. ContainerTargets.All(), .. TextTargets.All()];

    /// <summary>All targets.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } = [.. Documents, .. Codecs];

    /// <summary>The target called <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">There is none.</exception>
    public static FuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"no fuzz target '{name}'; there are: {string.Join(", ", All.Select(t => t.Name))}", nameof(name));

    /// <summary>fuzz/corpus in the repository this assembly was built from, found upwards from <paramref name="start"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">There is none above it.</exception>
    public static string CorpusRoot(string start)
    {
        for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
        {
            var corpus = Path.Combine(folder.FullName, "fuzz", "corpus");
            if (Directory.Exists(corpus))
            {
                return corpus;
            }
        }

        throw new DirectoryNotFoundException($"no fuzz/corpus folder above {start}");
    }

    /// <summary>The committed inputs of <paramref name="target"/>, in file-name order.</summary>
    public static IReadOnlyList<byte[]> ReadCorpus(string corpusRoot, FuzzTarget target)
    {
        var folder = Path.Combine(corpusRoot, target.Name);
        return Directory.Exists(folder)
            ? [.. Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(File.ReadAllBytes)]
            : [];
    }

    /// <summary>Writes the seeds of every target into <paramref name="corpusRoot"/>/target/seed-NNN, replacing older seeds (found inputs, named otherwise, stay).</summary>
    public static async Task WriteSeedsAsync(string corpusRoot)
    {
        foreach (var target in All)
        {
            var folder = Directory.CreateDirectory(Path.Combine(corpusRoot, target.Name));
            foreach (var old in folder.GetFiles("seed-*"))
            {
                old.Delete();
            }

            var seeds = await target.Seeds().ConfigureAwait(false);
            for (var i = 0; i < seeds.Count; i++)
            {
                await File.WriteAllBytesAsync(Path.Combine(folder.FullName, FormattableString.Invariant($"seed-{i:D3}")), seeds[i]).ConfigureAwait(false);
            }

            Console.WriteLine($"{target.Name}: {seeds.Count} seeds");
        }
    }
}
