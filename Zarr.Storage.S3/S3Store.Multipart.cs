using Amazon.S3.Model;

namespace Zarr.Storage.S3;

public sealed partial class S3Store
{
    /// <summary>S3's smallest part of a multipart upload (but the last).</summary>
    private const long MinimumPartSize = 5L << 20;

    /// <summary>
    /// Uploads <paramref name="value"/> in parts of <see cref="S3StoreOptions.PartSize"/>, all in flight at once within the
    /// store's concurrency bound, and completes the upload; on any failure (or cancellation) the upload is aborted, so the
    /// key keeps its old value and no parts are left behind: a value appears whole or not at all.
    /// </summary>
    private async ValueTask UploadInPartsAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken)
    {
        var objectKey = _root + key;
        var initiate = new InitiateMultipartUploadRequest { BucketName = Bucket, Key = objectKey };
        var upload = await SendAsync(key, "PUT (multipart start)", ct => _client.InitiateMultipartUploadAsync(initiate, ct), cancellationToken)
            .ConfigureAwait(false);
        try
        {
            var partCount = (int)((value.Length + _partSize - 1) / _partSize);
            var parts = new Task<UploadPartResponse>[partCount];
            for (var i = 0; i < partCount; i++)
            {
                var offset = i * _partSize;
                var part = value.Slice((int)offset, (int)Math.Min(_partSize, value.Length - offset));
                parts[i] = UploadPartAsync(key, upload.UploadId, i + 1, part, cancellationToken);
            }

            await Task.WhenAll(parts).ConfigureAwait(false);
            var complete = new CompleteMultipartUploadRequest
            {
                BucketName = Bucket,
                Key = objectKey,
                UploadId = upload.UploadId,
                PartETags = [.. parts.Select((p, i) => new PartETag(i + 1, p.Result.ETag))],
            };
            await SendAsync(key, "PUT (multipart complete)", ct => _client.CompleteMultipartUploadAsync(complete, ct), cancellationToken)
                .ConfigureAwait(false);
        }
        catch
        {
            await AbortUploadAsync(objectKey, upload.UploadId).ConfigureAwait(false);
            throw;
        }
    }

    private async Task<UploadPartResponse> UploadPartAsync(
        string key, string uploadId, int partNumber, ReadOnlyMemory<byte> part, CancellationToken cancellationToken)
    {
        using var body = ValueStream(part);
        var request = new UploadPartRequest
        {
            BucketName = Bucket,
            Key = _root + key,
            UploadId = uploadId,
            PartNumber = partNumber,
            PartSize = part.Length,
            InputStream = body,
        };
        return await SendAsync(key, $"PUT (part {partNumber})", ct => _client.UploadPartAsync(request, ct), cancellationToken)
            .ConfigureAwait(false);
    }

    private async ValueTask AbortUploadAsync(string objectKey, string uploadId)
    {
        try
        {
            // Not the caller's token: an abort after a cancellation must still run, or the parts stay (and are billed).
            var abort = new AbortMultipartUploadRequest { BucketName = Bucket, Key = objectKey, UploadId = uploadId };
            await _client.AbortMultipartUploadAsync(abort, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (IsServiceFailure(e, CancellationToken.None))
        {
            // The upload's own failure is what the caller needs to see; a bucket lifecycle rule removes what is left.
        }
    }
}
