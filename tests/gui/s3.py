"""Set-up for tests against the local SeaweedFS S3 gateway, with boto3 (the AWS SDK) from .venv.

    s3.py make-bucket ENDPOINT KEY SECRET BUCKET

makes the bucket as soon as the gateway can (it listens before the filer behind it is ready):
tries until it works or 90 s have passed, then exits 0, or 1 with the last error.
"""
import sys
import time

import boto3
import botocore.exceptions


def main() -> int:
    cmd, endpoint, key, secret, bucket = sys.argv[1:6]
    assert cmd == "make-bucket", cmd
    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        region_name="us-east-1",
    )
    deadline = time.monotonic() + 90
    last = None
    while time.monotonic() < deadline:
        try:
            s3.create_bucket(Bucket=bucket)
            return 0
        except botocore.exceptions.ClientError as e:
            if e.response["Error"]["Code"] in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                return 0
            last = e
        except botocore.exceptions.BotoCoreError as e:
            last = e
        time.sleep(0.1)
    print(f"the bucket could not be made: {last}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
