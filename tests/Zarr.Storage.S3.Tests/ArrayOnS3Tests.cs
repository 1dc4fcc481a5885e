using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using Amazon.S3.Model;

namespace Zarr.Storage.S3.Tests;

/// <summary>Arrays and groups on S3: written and read back exactly, sharded partial reads counted, zarr-python as a peer.</summary>
[Collection(RgwCollection.Name)]
public sealed class ArrayOnS3Tests(RgwFixture rgw)
{
    [Fact]
    public async Task AnArrayInAGroup_WrittenInParts_ReadsBackExactly()
    {
        using var store = await rgw.NewStoreAsync(GetType());
        var group = await ZarrGroup.CreateAsync(store, "", attributes: new JsonObject { ["title"] = "on s3" });
        var array = await group.CreateArrayAsync<double>("temperature", [40, 30], new ArrayOptions { Chunks = [16, 16] });
        var expected = Enumerable.Range(0, 40 * 30).Select(i => i * 0.5).ToArray();
        // Two overlapping halves: the second rewrites parts of chunks the first wrote (read-modify-write).
        await array.WriteAsync([Slice.Range(0, 25), Slice.All], expected.AsMemory(0, 25 * 30));
        await array.WriteAsync([Slice.Range(20, 40), Slice.All], expected.AsMemory(20 * 30));

        using var reader = new S3Store(store.Bucket, store.Prefix, rgw.Options(o => o.ReadOnly = true));
        var reopened = await ZarrGroup.OpenAsync(reader);
        var values = await (await reopened.OpenArrayAsync<double>("temperature")).ReadAsync([Slice.All, Slice.All]);

        Assert.Equal("on s3", reopened.Attributes["title"]!.GetValue<string>());
        Assert.Equal(expected, values.ToArray());
        var keys = new List<string>();
        await foreach (var name in reader.ListDirectoryAsync("temperature/c/"))
        {
            keys.Add(name);
        }

        Assert.Equal(new[] { "0", "1", "2" }, keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task APartialReadOfOneInnerChunk_OfA64ChunkShard_CostsExactlyTwoGets()
    {
        using var client = rgw.NewClient();
        var requests = new List<(string Kind, string? Range)>();
        client.BeforeRequestEvent += (_, e) =>
        {
            if (e is WebServiceRequestEventArgs { Request: var request })
            {
                lock (requests)
                {
                    requests.Add((request.GetType().Name, (request as GetObjectRequest)?.ByteRange?.FormattedByteRange));
                }
            }
        };
        var bucket = await rgw.BucketFor(GetType());
        using var store = new S3Store(bucket, "shards-" + Guid.NewGuid().ToString("N"), rgw.Options(o => o.Client = client));
        var array = await ZarrArray.CreateAsync<int>(store, "a", [64 * 16], new ArrayOptions { Shards = [64 * 16], Chunks = [16] });
        var values = Enumerable.Range(0, 64 * 16).ToArray();
        await array.WriteAsync([Slice.All], values);
        var opened = await ZarrArray.OpenAsync<int>(store, "a");

        lock (requests)
        {
            requests.Clear();
        }

        var part = await opened.ReadAsync([Slice.Range(33 * 16, 34 * 16)]);

        Assert.Equal(values.AsSpan(33 * 16, 16).ToArray(), part.ToArray());
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(nameof(GetObjectRequest), r.Kind));
        Assert.StartsWith("bytes=-", requests[0].Range, StringComparison.Ordinal); // the shard index, by suffix
        Assert.Matches(@"^bytes=\d+-\d+$", requests[1].Range);                       // the one inner chunk
    }

    [Fact]
    public async Task ZarrPython213_ReadsAnArrayWeWriteToRgw_ThroughBoto3()
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), "zarr-python's peer needs /usr/bin/python3: apt-get install python3-zarr python3-boto3 (or ./build.sh test)");
        using var store = await rgw.NewStoreAsync(GetType());
        var group = await ZarrGroup.CreateAsync(store, "", ZarrFormat.V2, new JsonObject { ["from"] = "zarr.dataflow" });
        var array = await group.CreateArrayAsync<short>("v", [7, 33], new ArrayOptions { Format = ZarrFormat.V2, Chunks = [4, 10] });
        var expected = Enumerable.Range(0, 7 * 33).Select(i => (short)((i * 37) - 4000)).ToArray();
        await array.WriteAsync([Slice.All, Slice.All], expected);

        var script = Path.Combine(AppContext.BaseDirectory, "read_with_zarr_python.py");
        var info = new ProcessStartInfo(python, [script, rgw.Endpoint.ToString(), store.Bucket, store.Prefix])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["AWS_ACCESS_KEY_ID"] = rgw.AccessKey;
        info.Environment["AWS_SECRET_ACCESS_KEY"] = rgw.SecretKey;
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode != 3, "python3-boto3 is missing: apt-get install python3-boto3 (or ./build.sh test)");
        Assert.True(process.ExitCode == 0, $"zarr-python failed: {stderr}");

        var answer = JsonNode.Parse(await stdout)!;
        Assert.Equal("2.13", answer["zarr"]!.GetValue<string>()[..4]);
        Assert.Equal("zarr.dataflow", answer["attrs"]!["from"]!.GetValue<string>());
        Assert.Equal("<i2", answer["dtype"]!.GetValue<string>());
        Assert.Equal(new[] { 7, 33 }, answer["shape"]!.AsArray().Select(n => n!.GetValue<int>()));
        Assert.Equal(expected.Select(v => (int)v), answer["values"]!.AsArray().Select(n => n!.GetValue<int>()));
    }
}
