using Zarr.Storage.Tests;

namespace Zarr.Storage.S3.Tests;

/// <summary><c>zarr copy</c> to and from s3:// URLs: every fixture array local → RGW → local reads back exactly.</summary>
[Collection(RgwCollection.Name)]
public sealed class CliCopyTests(RgwFixture rgw) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("zarr-s3-cli-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public async Task Every_fixture_array_copied_to_s3_and_back_reads_exactly()
    {
        // The CLI reads the endpoint and keys from the environment, as a user's shell gives them (docs/cli.md).
        Environment.SetEnvironmentVariable("AWS_ENDPOINT_URL", rgw.Endpoint.ToString());
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", rgw.AccessKey);
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", rgw.SecretKey);
        Environment.SetEnvironmentVariable("AWS_REGION", rgw.Region);
        var bucket = await rgw.BucketFor(GetType());

        var (problems, copied) = await ObjectStoreCopyRoundTrip.RunAsync(_scratch, name => $"s3://{bucket}/cli/{name}");

        Assert.True(problems.Count == 0, string.Join("\n", problems));
        Assert.True(copied > 50, $"only {copied} arrays were copied");
    }
}
