"""zarr-python 2.13 as a peer: reads the group and array at s3://BUCKET/PREFIX through a MutableMapping over boto3.

Usage: read_with_zarr_python.py ENDPOINT BUCKET PREFIX (credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY).
Prints {"zarr", "attrs", "dtype", "shape", "values"} as JSON; exits 3 when boto3 is missing.
"""
import json
import sys
from collections.abc import MutableMapping

try:
    import boto3
    from botocore.config import Config
except ImportError:
    print("python3-boto3 is missing: apt-get install python3-boto3", file=sys.stderr)
    sys.exit(3)
import zarr


class S3Mapping(MutableMapping):
    """The smallest store zarr-python 2 accepts: keys below a prefix of one bucket."""

    def __init__(self, client, bucket, prefix):
        self.client, self.bucket, self.prefix = client, bucket, prefix

    def __getitem__(self, key):
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
        except self.client.exceptions.NoSuchKey:
            raise KeyError(key)

    def __setitem__(self, key, value):
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=bytes(value))

    def __delitem__(self, key):
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)

    def __iter__(self):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
        for page in pages:
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix):]

    def __len__(self):
        return sum(1 for _ in self)


endpoint, bucket, prefix = sys.argv[1:4]
client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      config=Config(s3={"addressing_style": "path"}))
group = zarr.open_group(S3Mapping(client, bucket, prefix), mode="r")
array = group["v"]
print(json.dumps({
    "zarr": zarr.__version__,
    "attrs": dict(group.attrs),
    "dtype": array.dtype.str,
    "shape": list(array.shape),
    "values": array[...].ravel().tolist(),
}))
