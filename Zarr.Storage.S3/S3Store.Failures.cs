using System.Net.Sockets;
using Amazon.Runtime;

namespace Zarr.Storage.S3;

public sealed partial class S3Store
{
    /// <summary>
    /// True for what the service or the network did (an error answer, a dropped connection, a request that timed out
    /// after the SDK's retries); false for the caller's own cancellation, which stays an <see cref="OperationCanceledException"/>.
    /// </summary>
    private static bool IsServiceFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        AmazonServiceException or AmazonClientException or HttpRequestException or IOException or SocketException => true,
        _ => false,
    };

    /// <summary>
    /// The failure as a <see cref="ZarrStoreException"/>: the key, the store's URL, the operation, and the service's status
    /// and error code. Credentials are never part of it: the SDK's messages do not carry them, and the URL is the bucket's,
    /// never the endpoint's (which may hold a user and password).
    /// </summary>
    private ZarrStoreException Failure(string? key, string action, Exception e)
    {
        var what = e switch
        {
            AmazonServiceException service => $"HTTP {(int)service.StatusCode} {service.ErrorCode}: {OneLine(service.Message)}",
            OperationCanceledException => "the request timed out",
            _ => OneLine(e.Message),
        };
        return new ZarrStoreException(key, $"{Url}: {action} failed: {what}", e);
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
