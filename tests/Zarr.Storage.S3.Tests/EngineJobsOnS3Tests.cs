using Zarr.Storage.Tests;

namespace Zarr.Storage.S3.Tests;

/// <summary>Engine jobs (<c>zarr stats</c>, <c>zarr copy</c> with a rechunk) with s3:// arrays as source and target, equal to the local runs.</summary>
[Collection(RgwCollection.Name)]
public sealed class EngineJobsOnS3Tests(RgwFixture rgw) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("zarr-s3-engine-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Stats_and_rechunking_copies_on_s3_equal_the_local_runs()
    {
        // The CLI reads the endpoint and keys from the environment, as a user's shell gives them (docs/cli.md).
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", rgw.Endpoint.ToString());
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", rgw.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", rgw.SecretKey);
        Environment.SetEnvironmentVariable("AWS_REGION", rgw.Region);
        var bucket = await rgw.BucketFor(GetType());

        var problems = await ObjectStoreEngineJobs.RunAsync(_scratch, $"s3://{bucket}/engine-{Guid.NewGuid():N}");

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
