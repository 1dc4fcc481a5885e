using System.IO.Compression;
using System.Text;
using Xunit.Abstractions;

namespace Zarr.Storage.Tests.Hostile;

/// <summary>
/// Keys a hostile user or file would hand the stores: traversal, absolute paths, backslashes, NUL and control
/// characters, lone surrogates, reserved temporary names, Unicode look-alikes of '.' and '/', symlinks inside a directory
/// store, and zip entry names. Each is refused with a typed <see cref="ZarrStoreException"/>, or (a look-alike, which is
/// only a name on Linux) accepted as a file inside the root; nothing is ever created, read or deleted outside it.
/// Prints <c>RELIABILITY hostile-keys refused=N tried=N</c>.
/// </summary>
public sealed class HostileKeyTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _sandbox = Directory.CreateTempSubdirectory("zarr-hostile-keys-");

    public void Dispose() => _sandbox.Delete(recursive: true);

    /// <summary>Keys no store may take: every one must be refused.</summary>
    public static IEnumerable<string> RefusedKeys()
    {
        string[] climbs = ["..", "../..", "../../..", "./..", "a/../..", "a/b/../../..", "..//..", "../.", "a/./../.."];
        string[] targets = ["outside", "outside/zarr.json", "etc/passwd", ".zarray", "c/0/0", "x"];
        foreach (var climb in climbs)
        {
            foreach (var target in targets)
            {
                yield return $"{climb}/{target}";
            }
        }

        foreach (var target in targets)
        {
            yield return "/" + target;
            yield return "//" + target;
            yield return "/../" + target;
            yield return "..\\" + target;
            yield return "a\\..\\..\\" + target;
            yield return "C:\\" + target;
            yield return target + "/..";
            yield return target + "/.";
            yield return target + "/";
            yield return target + "//x";
            yield return target + "\0";
            yield return target + "\0/../../x";
            yield return "\0" + target;
            yield return target + "\n";
            yield return target + "\r\n../x";
            yield return target + "\u007f";
            yield return target + "\u0085";
            yield return target + "\ud800";
            yield return "\udc00" + target;
            yield return target + "/.x.0123456789abcdef.tmp";
            yield return ".zarray.0123456789abcdef.tmp";
        }

        foreach (var c in Enumerable.Range(1, 31))
        {
            yield return $"a{(char)c}b";
            yield return $"../{(char)c}";
        }

        yield return "";
        yield return "/";
        yield return ".";
        yield return "..";
        yield return "./";
        yield return "../";
        yield return "\\";
        yield return "\\\\server\\share\\x";
    }

    /// <summary>Names that look like traversal but are plain names on Linux: accepted, and stay inside the root.</summary>
    public static IEnumerable<string> LookAlikeKeys()
    {
        // U+FF0E fullwidth full stop, U+2024 one dot leader, U+FF0F fullwidth solidus, U+2215 division slash,
        // U+2044 fraction slash, U+FE52 small full stop, U+0338 combining solidus overlay, U+29F8 big solidus.
        string[] dots = ["\uff0e\uff0e", "\u2024\u2024", "\ufe52\ufe52", ".\u0338.", "..\u200b", "\u200b..", "...", "....", ". .", "%2e%2e"];
        string[] slashes = ["\uff0f", "\u2215", "\u2044", "\u29f8", "%2f"];
        foreach (var dot in dots)
        {
            foreach (var slash in slashes)
            {
                yield return $"{dot}{slash}{dot}{slash}outside";
            }

            yield return $"{dot}/outside";
        }
    }

    [Fact]
    public async Task No_hostile_key_reaches_outside_a_directory_store_root()
    {
        var root = Path.Combine(_sandbox.FullName, "store.zarr");
        var outside = Directory.CreateDirectory(Path.Combine(_sandbox.FullName, "outside"));
        var sentinel = Path.Combine(outside.FullName, "zarr.json");
        await File.WriteAllTextAsync(sentinel, "sentinel");

        // A symlink inside the root to a folder outside it, and one to a file outside it, planted as an attacker who can
        // write into the store folder would.
        Directory.CreateDirectory(root);
        Directory.CreateSymbolicLink(Path.Combine(root, "link"), outside.FullName);
        File.CreateSymbolicLink(Path.Combine(root, "filelink"), sentinel);
        var store = new DirectoryStore(root);

        var refused = 0;
        var tried = 0;
        foreach (var key in RefusedKeys())
        {
            tried++;
            var outcome = await TryEverythingAsync(store, key);
            Assert.True(outcome == Outcome.Refused, $"the key {Show(key)} was not refused ({outcome})");
            refused++;
        }

        foreach (var key in LookAlikeKeys())
        {
            tried++;
            var outcome = await TryEverythingAsync(store, key);
            Assert.True(outcome == Outcome.AcceptedInside || outcome == Outcome.Refused, $"the key {Show(key)}: {outcome}");
            if (outcome == Outcome.Refused)
            {
                refused++;
            }
        }

        var symlinkKeys = new[] { "link/zarr.json", "link/new", "link/sub/new", "filelink" };
        foreach (var key in symlinkKeys)
        {
            tried++;
            var outcome = await TryEverythingAsync(store, key);
            if (outcome == Outcome.Refused)
            {
                refused++;
            }
        }

        output.WriteLine($"RELIABILITY hostile-keys refused={refused} tried={tried}");
        Console.WriteLine($"RELIABILITY hostile-keys refused={refused} tried={tried}");
        Assert.True(tried >= 300, $"only {tried} keys tried");

        // Nothing outside the root changed: the sentinel is intact and nothing was added beside it or in the sandbox.
        Assert.Equal("sentinel", await File.ReadAllTextAsync(sentinel));
        Assert.Equal([sentinel], Directory.GetFileSystemEntries(outside.FullName, "*", SearchOption.AllDirectories));
        Assert.Equal(
            new[] { outside.FullName, root }.Order(StringComparer.Ordinal),
            Directory.GetFileSystemEntries(_sandbox.FullName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_zip_file_with_hostile_entry_names_keys_none_of_them()
    {
        var path = Path.Combine(_sandbox.FullName, "hostile.zip");
        var hostile = RefusedKeys().Where(k => k.Length > 0 && !k.Contains('\0') && !k.Any(char.IsSurrogate)).Distinct().ToList();
        using (var archive = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            foreach (var name in hostile.Append("ok/zarr.json"))
            {
                using var entry = archive.CreateEntry(name, CompressionLevel.NoCompression).Open();
                entry.Write(Encoding.UTF8.GetBytes(name));
            }
        }

        await using var store = new ZipStore(path);
        var keys = new List<string>();
        await foreach (var entry in store.ListPrefixAsync(""))
        {
            keys.Add(entry.Key);
        }

        Assert.All(keys, key => Assert.True(StoreKey.IsValid(key), $"listed {Show(key)}"));
        Assert.Contains("ok/zarr.json", keys);
        foreach (var name in hostile)
        {
            await Assert.ThrowsAsync<ZarrStoreException>(async () => await store.GetAsync(name));
        }

        output.WriteLine($"RELIABILITY hostile-zip-names refused={hostile.Count} tried={hostile.Count}");
    }

    private enum Outcome
    {
        Refused,
        AcceptedInside,
        EscapedOrUntyped,
    }

    /// <summary>Set, get, exists, size, list and delete with the key; all must refuse it with a typed error, or all take it inside the root.</summary>
    private async Task<Outcome> TryEverythingAsync(DirectoryStore store, string key)
    {
        var refusals = 0;
        var operations = new Func<Task>[]
        {
            async () => await store.SetAsync(key, "hostile"u8.ToArray()),
            async () => (await store.GetAsync(key))?.Dispose(),
            async () => await store.ExistsAsync(key),
            async () => await store.GetSizeAsync(key),
            async () => await store.DeleteAsync(key),
        };
        foreach (var operation in operations)
        {
            try
            {
                await operation();
            }
            catch (ZarrStoreException e) when (e.Message.Length > 0)
            {
                refusals++;
            }
            catch (Exception e)
            {
                output.WriteLine($"{Show(key)}: {e.GetType().Name}: {e.Message}");
                return Outcome.EscapedOrUntyped;
            }
        }

        if (refusals == operations.Length)
        {
            return Outcome.Refused;
        }

        // Taken: then only inside the root (checked after every key, not only at the end).
        var outsideEntries = Directory.GetFileSystemEntries(_sandbox.FullName).Length;
        return refusals == 0 && outsideEntries == 2 ? Outcome.AcceptedInside : Outcome.EscapedOrUntyped;
    }

    private static string Show(string key) =>
        string.Concat(key.Select(c => c < 32 || c == 127 || char.IsSurrogate(c) || c > 126 ? $"\\u{(int)c:x4}" : c.ToString()));
}
