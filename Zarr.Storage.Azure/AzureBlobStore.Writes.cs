using Azure;
using Azure.Storage.Blobs.Models;

namespace Zarr.Storage.Azure;

public sealed partial class AzureBlobStore
{
    /// <inheritdoc />
    /// <remarks>One Put Blob request up to <see cref="AzureBlobStoreOptions.SingleUploadThreshold"/>; above it, blocks of
    /// <see cref="AzureBlobStoreOptions.BlockSize"/> staged <see cref="AzureBlobStoreOptions.UploadParallelism"/> at a
    /// time and committed in one Put Block List, so the value changes at once either way. A write cancelled before the
    /// commit leaves the old value.</remarks>
    /// <exception cref="ZarrStoreException">The key is not valid, the store is read-only, or Azure failed.</exception>
    public async ValueTask SetAsync(string key, ReadOnlyMemory<byte> value, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        await UploadAsync(key, value, null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks><c>If-Match</c> the expected ETag, or <c>If-None-Match: *</c> for <see cref="StoreVersion.Absent"/>; a
    /// staged upload carries the condition on its commit. Azure's 412 (ConditionNotMet) and 409 (BlobAlreadyExists)
    /// return false.</remarks>
    /// <exception cref="ZarrStoreException">The key is not valid, the store is read-only, or Azure failed otherwise.</exception>
    public ValueTask<bool> TrySetAsync(string key, ReadOnlyMemory<byte> value, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        return UploadAsync(key, value, ConditionsOf(expected), cancellationToken);
    }

    /// <inheritdoc />
    /// <exception cref="ZarrStoreException">The key is not valid, the store is read-only, or Azure failed.</exception>
    public async ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        await DeleteBlobAsync(key, _prefix + key, null, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>A delete with <c>If-Match</c> the expected ETag; false on 412, and false when the value is gone already
    /// (someone else deleted the version expected, so the caller reads again). For <see cref="StoreVersion.Absent"/>,
    /// true when the key has no value.</remarks>
    /// <exception cref="ZarrStoreException">The key is not valid, the store is read-only, or Azure failed otherwise.</exception>
    public async ValueTask<bool> TryDeleteAsync(string key, StoreVersion expected, CancellationToken cancellationToken = default)
    {
        StoreKey.Validate(key);
        ThrowIfReadOnly(key);
        if (expected.IsAbsent)
        {
            return !await ExistsAsync(key, cancellationToken).ConfigureAwait(false);
        }

        return await DeleteBlobAsync(key, _prefix + key, ConditionsOf(expected), cancellationToken).ConfigureAwait(false);
    }

    private static BlobRequestConditions ConditionsOf(StoreVersion expected) => expected.IsAbsent
        ? new BlobRequestConditions { IfNoneMatch = ETag.All }
        : new BlobRequestConditions { IfMatch = new ETag(expected.Tag!) };

    /// <summary>Uploads a value; false when <paramref name="conditions"/> failed. Creates a missing container once.</summary>
    private async ValueTask<bool> UploadAsync(string key, ReadOnlyMemory<byte> value, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(_prefix + key);
        var options = new BlobUploadOptions { TransferOptions = _transfer, Conditions = conditions };
        for (var createdContainer = false; ; createdContainer = true)
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await blob.UploadAsync(BinaryData.FromBytes(value), options, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (RequestFailedException e) when (conditions is not null && AzureAccount.IsConflict(e))
            {
                return false;
            }
            catch (RequestFailedException e) when (!createdContainer && e.ErrorCode == BlobErrorCode.ContainerNotFound)
            {
                // Created below, outside the slot, then written again.
            }
            catch (Exception e) when (IsFailure(e, cancellationToken))
            {
                throw Failure(key, "writing", e);
            }
            finally
            {
                _slots.Release();
            }

            await CreateContainerIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Deletes a blob (and its snapshots); false when <paramref name="conditions"/> failed or, with conditions,
    /// when it was already gone.</summary>
    private async ValueTask<bool> DeleteBlobAsync(string key, string blobName, BlobRequestConditions? conditions, CancellationToken cancellationToken)
    {
        var blob = _container.GetBlobClient(blobName);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await blob.DeleteAsync(DeleteSnapshotsOption.IncludeSnapshots, conditions, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (RequestFailedException e) when (e.Status == 404)
        {
            return conditions is null;
        }
        catch (RequestFailedException e) when (conditions is not null && AzureAccount.IsConflict(e))
        {
            return false;
        }
        catch (Exception e) when (IsFailure(e, cancellationToken))
        {
            throw Failure(key, "deleting", e);
        }
        finally
        {
            _slots.Release();
        }
    }

    private void ThrowIfReadOnly(string key)
    {
        if (IsReadOnly)
        {
            throw new ZarrStoreException(key, $"store is read-only ({Url})");
        }
    }

    /// <summary>True for what a request can fail with: Azure's answers, the network, a timeout (a cancellation the
    /// caller did not ask for). The caller's own cancellation is not a failure: it goes on as it is.</summary>
    private static bool IsFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        RequestFailedException or AggregateException or IOException or HttpRequestException => true,
        _ => false,
    };

    /// <summary>
    /// The failure of <paramref name="what"/> for <paramref name="key"/>, naming the store's URL and Azure's status and
    /// error code. An answer from Azure is not kept as the inner exception: its message carries the response (the
    /// service's error detail, which may quote what was signed), so only the status, code and request id are taken.
    /// A failure without an answer (the network, a timeout) is kept: it names no secret.
    /// </summary>
    private ZarrStoreException Failure(string? key, string what, Exception e)
    {
        if (e is RequestFailedException { Status: > 0 } answer)
        {
            var requestId = answer.GetRawResponse()?.ClientRequestId;
            var code = answer.ErrorCode is { Length: > 0 } c ? " " + c : string.Empty;
            return new ZarrStoreException(key, $"{what} {Url} failed: Azure answered {answer.Status}{code} (client request id {requestId})");
        }

        var reason = e is OperationCanceledException ? "the request timed out" : $"{e.GetType().Name}: {e.Message}";
        return new ZarrStoreException(key, $"{what} {Url} failed: {reason}", e);
    }
}
