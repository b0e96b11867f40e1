"""The other side of `cargo bench -p pixdrop-core -- s3`: the same files PUT to the same S3
server by boto3 (the AWS SDK for Python, SigV4 as aws-cli signs), at the same concurrency.

    s3_boto3.py ENDPOINT KEY SECRET BUCKET PREFIX CONCURRENCY FILE...

Prints the seconds the uploads took (the client is made before the clock starts).
"""
import concurrent.futures
import os
import sys
import time

import boto3
from botocore.config import Config


def main() -> None:
    endpoint, key, secret, bucket, prefix, concurrency = sys.argv[1:7]
    files = sys.argv[7:]
    n = int(concurrency)
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name="us-east-1",
        config=Config(max_pool_connections=n, s3={"addressing_style": "path"}),
    )

    def put(path: str) -> None:
        with open(path, "rb") as f:
            body = f.read()
        s3.put_object(
            Bucket=bucket,
            Key=f"{prefix}/{os.path.basename(path)}",
            Body=body,
            ContentType="image/png",
        )

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=n) as pool:
        for f in pool.map(put, files):
            pass
    print(f"{time.perf_counter() - start:.6f}")


if __name__ == "__main__":
    main()
