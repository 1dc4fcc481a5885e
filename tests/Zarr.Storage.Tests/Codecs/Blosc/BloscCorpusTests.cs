using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using Zarr.Storage.Codecs;
using Zarr.Tests.Shared;

namespace Zarr.Storage.Tests.Codecs.Blosc;

/// <summary>
/// What c-blosc writes, read with the managed blosc: the frames and arrays of <c>Fixtures/blosc/make_blosc_corpus.py</c>
/// (every compressor, shuffle, bit shuffle, type sizes 1 to 16 and wider, levels 0 to 9, odd block sizes, data that
/// does not compress, big-endian arrays), and every blosc chunk of the fixture corpora (zarr-python 2, zarrita.js's
/// WebAssembly c-blosc, the hand-built v3 arrays). Frames and chunks are decoded with a codec that forces the managed
/// implementation, whatever the process chose; the arrays are read through the library, so with <c>ZARR_BLOSC=managed</c>
/// (a CI step) that is the managed blosc end to end.
/// </summary>
public class BloscCorpusTests(ITestOutputHelper output)
{
    private static readonly Lazy<string> Corpus = new(Generate);

    private static readonly BloscCodec Managed = new(implementation: BloscImplementation.Managed);
    private static readonly BloscCodec Native = new(implementation: BloscImplementation.Native);

    [Fact]
    public void Every_frame_c_blosc_writes_decodes_exactly_with_the_managed_blosc()
    {
        var folder = Corpus.Value;
        var failures = new List<string>();
        var frames = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "frames.json")))!.AsArray();
        var memcpyed = 0;
        foreach (var entry in frames)
        {
            var frame = File.ReadAllBytes(Path.Combine(folder, entry!["file"]!.GetValue<string>()));
            var raw = File.ReadAllBytes(Path.Combine(folder, entry["raw"]!.GetValue<string>()));
            var what = $"{entry["file"]} ({entry["cname"]}, clevel {entry["clevel"]}, shuffle {entry["shuffle"]}, typesize {entry["typesize"]}, blocksize {entry["blocksize"]}, {entry["kind"]}, {raw.Length} bytes)";
            memcpyed += (frame[2] & BloscFrameHeader.MemcpyedFlag) != 0 ? 1 : 0;
            try
            {
                using var known = Managed.Decode(frame, raw.Length);
                using var unknown = Managed.Decode(frame, -1);
                if (!known.Span.SequenceEqual(raw) || !unknown.Span.SequenceEqual(raw))
                {
                    failures.Add($"{what}: decoded to other bytes");
                }
            }
            catch (ZarrCodecException ex)
            {
                failures.Add($"{what}: {ex.Message}");
            }
        }

        output.WriteLine($"{frames.Count} frames of c-blosc {BloscRuntime.NativeVersion}, {memcpyed} of them stored as they are");
        Assert.True(frames.Count >= 300, $"only {frames.Count} frames");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Every_chunk_of_the_blosc_arrays_decodes_alike_in_both_implementations()
    {
        var folder = Corpus.Value;
        var chunks = 0;
        foreach (var entry in JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "arrays.json")))!.AsArray())
        {
            chunks += DecodeAlike(Path.Combine(folder, "arrays", entry!["name"]!.GetValue<string>()));
        }

        output.WriteLine($"{chunks} chunks");
        Assert.True(chunks > 100);
    }

    [Fact]
    public async Task Every_blosc_array_zarr_python_writes_reads_exactly()
    {
        var folder = Corpus.Value;
        var failures = new List<string>();
        var arrays = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, "arrays.json")))!.AsArray();
        foreach (var entry in arrays)
        {
            var name = entry!["name"]!.GetValue<string>();
            var array = await ZarrArray.OpenAsync(new DirectoryStore(Path.Combine(folder, "arrays", name)));
            var (data, _) = await array.ReadBytesAsync([.. array.Shape.Select(_ => Slice.All)]);
            var expected = File.ReadAllBytes(Path.Combine(folder, "arrays", name + ".raw"));
            if (!data.AsSpan().SequenceEqual(expected))
            {
                failures.Add($"{name} ({entry["dtype"]}, {entry["compressor"]!.ToJsonString()}): other values");
            }
        }

        output.WriteLine($"{arrays.Count} arrays read with {BloscRuntime.Description}");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Fact]
    public void Every_blosc_chunk_of_the_fixture_corpora_decodes_alike_in_both_implementations()
    {
        var arrays = 0;
        var chunks = 0;
        foreach (var corpus in TestCorpora.All)
        {
            foreach (var format in new[] { "v2", "v3" })
            {
                foreach (var entry in TestCorpora.Manifest(corpus, format))
                {
                    // Arrays in folders whose chunks are blosc frames; blosc inside shards, in zip files and behind filters is
                    // read end to end by the corpus read tests, which the managed CI run runs with the managed blosc.
                    var folder = Path.Combine(corpus.Format(format), entry["path"]!.GetValue<string>());
                    var blosc = format == "v2"
                        ? entry["compressor"]?["id"]?.GetValue<string>() == "blosc" && entry["filters"] is null
                        : entry["codecs"] is JsonArray codecs && codecs.Count == 2 && codecs[1]!["name"]!.GetValue<string>() == "blosc";
                    if (entry["kind"]?.GetValue<string>() != "array" || !blosc || !Directory.Exists(folder))
                    {
                        continue;
                    }

                    arrays++;
                    chunks += DecodeAlike(folder);
                }
            }
        }

        output.WriteLine($"{arrays} arrays, {chunks} chunks");
        Assert.True(arrays >= 30, $"only {arrays} blosc arrays found");
    }

    /// <summary>Decodes every chunk file under <paramref name="folder"/> with both implementations; returns how many.</summary>
    private static int DecodeAlike(string folder)
    {
        var count = 0;
        foreach (var file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetFileName(file);
            if (name.StartsWith('.') || name == "zarr.json")
            {
                continue;
            }

            var frame = File.ReadAllBytes(file);
            using var native = Native.Decode(frame, -1);
            using var managed = Managed.Decode(frame, native.Length);
            Assert.True(native.Span.SequenceEqual(managed.Span), $"{file}: the managed blosc decodes other bytes than c-blosc");
            count++;
        }

        return count;
    }

    /// <summary>The corpus in a temporary folder named after the generator's hash, generated once (cross-process safe).</summary>
    private static string Generate() => Generate(ScriptFolder());

    /// <summary>The folder of the blosc fixture scripts: <c>Codecs/Fixtures/blosc</c>.</summary>
    internal static string ScriptFolder([CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", "Fixtures", "blosc"));

    private static string Generate(string scripts)
    {
        var script = Path.Combine(scripts, "make_blosc_corpus.py");
        var key = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(script)))[..16];
        var target = Path.Combine(Path.GetTempPath(), "zarr-blosc-corpus-" + key);
        if (File.Exists(Path.Combine(target, "arrays.json")))
        {
            return target;
        }

        var scratch = target + ".tmp-" + Environment.ProcessId;
        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }

        PythonPeer.Run("c-blosc's corpus could not be generated", script, scratch);
        try
        {
            Directory.Move(scratch, target);
        }
        catch (IOException) when (File.Exists(Path.Combine(target, "arrays.json")))
        {
            Directory.Delete(scratch, recursive: true); // another process was quicker
        }

        Debug.Assert(File.Exists(Path.Combine(target, "arrays.json")));
        foreach (var stale in Directory.EnumerateDirectories(Path.GetTempPath(), "zarr-blosc-corpus-*").Where(d => d != target && !d.Contains(".tmp-", StringComparison.Ordinal)))
        {
            Directory.Delete(stale, recursive: true); // made by the generator before it changed
        }

        return target;
    }
}
